"""The munitions catalogue and accuracy figures as plain records for the faces."""

from __future__ import annotations

from typing import cast

from evidencelab.analysis.accuracy import describe_accuracy, p_within_of_point, r90, r95, r99
from evidencelab.analysis.munition_names import ResolutionRecord, resolve_weapon
from evidencelab.analysis.munitions import default_catalogue, find_munition
from evidencelab.locker.case import CaseError
from evidencelab.locker.errors import InputError
from evidencelab.service.assessment.records import (
    AccuracyRecord,
    MunitionRecord,
    MunitionSummary,
)


def list_munitions() -> list[MunitionSummary]:
    """Every catalogue entry by id: its class and first names."""
    return [
        {"id": m.id, "class": m.weapon_class, "names": list(m.names[:4])}
        for m in sorted(default_catalogue(), key=lambda m: m.id)
    ]


def munition_record(name: str) -> MunitionRecord:
    """A catalogue entry by any of its names; every figure with its source and flag."""
    munition = find_munition(name)
    if munition is None:
        raise CaseError(
            f"munition {name!r}: not in the catalogue (see `evidencelab munitions list`)"
        )
    # The catalogue document passed its schema on loading: its keys are MunitionRecord's.
    return cast(MunitionRecord, {"id": munition.id, "origin": munition.origin, **munition.data})


def resolve_record(text: str) -> ResolutionRecord:
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
) -> AccuracyRecord:
    """What a CEP means around an aim point, and near another object, in numbers and words."""
    if cep_m <= 0:
        raise InputError("cep", cep_m, "must be positive")
    sentence = describe_accuracy(
        cep_m,
        aim_name=aim_name,
        object_name=object_name,
        object_distance_m=object_distance_m,
        within_m=within_m,
    )
    model = "circular normal (Rayleigh); see docs/accuracy.md"
    r90_m, r95_m, r99_m = (round(float(radius(cep_m)), 1) for radius in (r90, r95, r99))
    if object_distance_m is None:
        return {
            "cep_m": cep_m,
            "r90_m": r90_m,
            "r95_m": r95_m,
            "r99_m": r99_m,
            "model": model,
            "sentence": sentence,
        }
    return {
        "cep_m": cep_m,
        "r90_m": r90_m,
        "r95_m": r95_m,
        "r99_m": r99_m,
        "model": model,
        "p_within_of_object": float(p_within_of_point(within_m, object_distance_m, cep_m)),
        "within_m": within_m,
        "sentence": sentence,
    }
