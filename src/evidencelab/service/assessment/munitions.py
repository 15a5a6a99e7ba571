"""The munitions catalogue and accuracy figures as plain records for the faces."""

from __future__ import annotations

from typing import Any

from evidencelab.analysis.accuracy import describe_accuracy, p_within_of_point, r90, r95, r99
from evidencelab.analysis.munition_names import resolve_weapon
from evidencelab.analysis.munitions import default_catalogue, find_munition
from evidencelab.case import CaseError
from evidencelab.locker.errors import InputError


def list_munitions() -> list[dict[str, Any]]:
    return [
        {"id": m.id, "class": m.weapon_class, "names": list(m.names[:4])}
        for m in sorted(default_catalogue(), key=lambda m: m.id)
    ]


def munition_record(name: str) -> dict[str, Any]:
    """A catalogue entry by any of its names; every figure with its source and flag."""
    munition = find_munition(name)
    if munition is None:
        raise CaseError(
            f"munition {name!r}: not in the catalogue (see `evidencelab munitions list`)"
        )
    return {"id": munition.id, "origin": munition.origin, **munition.data}


def resolve_record(text: str) -> dict[str, Any]:
    """A weapon name as a report writes it, resolved (analysis.munition_names): the entry,
    the warhead variant and how each part matched; candidates when it is ambiguous."""
    if not text.strip():
        raise CaseError("munitions resolve: the text is empty")
    return resolve_weapon(text, default_catalogue()).record()


def accuracy_record(
    cep_m: float,
    *,
    aim_name: str,
    object_name: str | None,
    object_distance_m: float | None,
    within_m: float,
) -> dict[str, Any]:
    """What a CEP means around an aim point, and near another object, in numbers and words."""
    if cep_m <= 0:
        raise InputError("cep", cep_m, "must be positive")
    record: dict[str, Any] = {
        "cep_m": cep_m,
        "r90_m": round(float(r90(cep_m)), 1),
        "r95_m": round(float(r95(cep_m)), 1),
        "r99_m": round(float(r99(cep_m)), 1),
        "model": "circular normal (Rayleigh); see docs/accuracy.md",
    }
    if object_distance_m is not None:
        record["p_within_of_object"] = float(p_within_of_point(within_m, object_distance_m, cep_m))
        record["within_m"] = within_m
    record["sentence"] = describe_accuracy(
        cep_m,
        aim_name=aim_name,
        object_name=object_name,
        object_distance_m=object_distance_m,
        within_m=within_m,
    )
    return record
