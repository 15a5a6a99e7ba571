"""Corroboration of an incident's facts: independent supporting and contradicting sources.

Read-only. Statement comes from the incident's linked evidence (its checks against the
incident, its geolocations), from the weapon identification (``weapon.evidence`` and
``weapon.source`` in the case file) and from casualty reports. Items whose verification
status is ``discounted`` are left out and listed with the reason. The counting rule is in
``evidencelab.verify.corroboration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from evidencelab.analysis.casualties import IncidentCasualties, incident_casualties_for_case
from evidencelab.locker.case import Case, CaseError
from evidencelab.model.incident import Incident
from evidencelab.service.access.withholding import withholding
from evidencelab.service.assessment.records import CorroborationRecord
from evidencelab.service.evidence.records import StatusRecord
from evidencelab.service.evidence.status import evidence_statuses
from evidencelab.service.reading import load_case
from evidencelab.service.verification.checks import CaseFacts, load_facts
from evidencelab.service.verification.geolocation import geolocations_for
from evidencelab.service.verification.records import GeolocationRecord
from evidencelab.verify.checks import run_checks as run_fact_checks
from evidencelab.verify.corroboration import (
    CorroboratedFact,
    ExcludedItem,
    FigureConflict,
    Statement,
    casualty_statements,
    fact_record,
    incident_geolocation_statements,
    place_statement,
    source_member,
    time_statement,
)

METHOD = (
    "items from one source, and near-duplicate copies (PDQ), count once; "
    "discounted items are left out"
)


@dataclass(frozen=True)
class CaseReading:
    """What corroboration reads from the whole case, read once for any number of
    incidents (a report over 200 incidents would otherwise read the case 200 times)."""

    incidents: dict[str, Incident]
    casualties: dict[str, IncidentCasualties]
    facts: CaseFacts
    statuses: dict[str, StatusRecord]
    geolocations: list[GeolocationRecord]


def read_case(case: Case) -> CaseReading:
    """Everything `corroboration` needs, from one pass over the case."""
    case_file = load_case(case).case_file
    return CaseReading(
        incidents={i.id: i for i in case_file.incidents},
        casualties=incident_casualties_for_case(case_file),
        facts=load_facts(case),
        statuses=evidence_statuses(case),
        geolocations=geolocations_for(case),
    )


def corroboration(
    case: Case, incident_id: str, *, reading: CaseReading | None = None
) -> CorroborationRecord:
    """For each fact of an incident (time, place, weapon, casualties): the number of
    independent groups supporting and contradicting it, the groups with why each counts
    once, every statement with its reason, and what was left out.

    ``reading`` is ``read_case(case)`` when the caller already has it (several incidents
    in a row: the case, and its near-duplicate scan, are then read once)."""
    reading = reading or read_case(case)
    incident = reading.incidents.get(incident_id)
    if incident is None:
        raise CaseError(f"incident {incident_id}: no such incident")
    facts, statuses = reading.facts, reading.statuses
    geolocations: dict[str, list[GeolocationRecord]] = {}
    of_incident = []
    for geo in reading.geolocations:
        if geo.get("evidence"):
            geolocations.setdefault(str(geo["evidence"]), []).append(geo)
        elif geo.get("incident") == incident_id:
            of_incident.append(geo)

    linked = [e for i, e in facts.links if i == incident_id]
    excluded: list[ExcludedItem] = [
        {"member": e, "reason": f"status discounted: {statuses[e]['reason']}"}
        for e in linked
        if e in statuses and statuses[e]["state"] == "discounted"
    ]
    counted = [e for e in linked if e not in {x["member"] for x in excluded}]
    disputed = [e for e in counted if e in statuses and statuses[e]["state"] == "disputed"]
    notes = [f"status disputed, still counted: {', '.join(disputed)}"] if disputed else []

    time_items, place_items = [], []
    incident_facts = facts.incidents[incident_id]
    for evidence_id in counted:
        item = facts.evidence[evidence_id]
        results = run_fact_checks(item, None) + run_fact_checks(item, incident_facts)
        if (stance := time_statement(item, results)) is not None:
            time_items.append(stance)
        place = place_statement(item, incident_facts, results, geolocations.get(evidence_id, []))
        if place is not None:
            place_items.append(place)

    def record(
        fact: str,
        claim: str | None,
        statements: list[Statement],
        *,
        from_sources: bool = False,
        more_notes: Sequence[str] = (),
        joins: Sequence[tuple[str, Sequence[str]]] = (),
        conflicts: list[FigureConflict] | None = None,
    ) -> CorroboratedFact:
        """A fact's record; status exclusions and notes concern evidence-based facts only."""
        result = fact_record(
            fact,
            claim,
            statements,
            facts.sources,
            facts.clusters,
            excluded=[] if from_sources else excluded,
            notes=[*([] if from_sources else notes), *more_notes],
            joins=joins,
        )
        if conflicts is not None:
            result["conflicts"] = conflicts
        return result

    incident_geos, incident_geo_notes = incident_geolocation_statements(incident_facts, of_incident)
    figures = reading.casualties[incident_id]
    minima = {"killed": figures.killed.minimum, "injured": figures.injured.minimum}
    casualty_items, conflicts, casualty_notes = casualty_statements(incident.casualties, minima)
    return {
        "incident": incident_id,
        "title": incident.title,
        "method": METHOD,
        "facts": [
            record("time", _time_claim(incident), time_items),
            record(
                "place",
                _place_claim(incident),
                place_items + incident_geos,
                more_notes=incident_geo_notes,
                joins=[("geolocation records of the incident", [s.member for s in incident_geos])],
            ),
            record(
                "weapon",
                _weapon_claim(incident),
                _weapon_statements(incident, counted, facts),
                more_notes=_weapon_notes(incident),
            ),
            record(
                "casualties",
                _casualty_claim(minima),
                casualty_items,
                from_sources=True,
                more_notes=casualty_notes,
                conflicts=conflicts,
            ),
        ],
    }


def _weapon_statements(incident: Incident, counted: list[str], facts: CaseFacts) -> list[Statement]:
    """Items named in ``weapon.evidence`` (linked, not discounted) and ``weapon.source``."""
    weapon = incident.weapon
    if weapon is None or weapon.munition is None:
        return []
    basis = f"weapon identification: {weapon.basis}" if weapon.basis else "weapon identification"
    statements = [
        Statement(str(e), "supports", basis)
        for e in weapon.extra.get("evidence", []) or []
        if str(e) in counted and str(e) in facts.evidence
    ]
    source = weapon.extra.get("source")
    if source:
        statements.append(Statement(source_member(str(source)), "supports", basis))
    return statements


def _weapon_notes(incident: Incident) -> list[str]:
    weapon = incident.weapon
    if weapon is None or weapon.munition is None or weapon.extra.get("evidence"):
        return []
    return ["no items named under weapon.evidence: name the items that show the weapon"]


def _time_claim(incident: Incident) -> str | None:
    if incident.time is None:
        return None
    time = incident.time
    text = time.start.isoformat() + (f" to {time.end.isoformat()}" if time.end else "")
    return text + (" (approximate)" if time.approximate else "")


def _place_claim(incident: Incident) -> str | None:
    place = incident.place
    if place is None:
        return None
    if place.lat is None or place.lon is None:
        return place.name
    precision = f" ± {place.precision_m:.0f} m" if place.precision_m is not None else ""
    return f"{place.name} ({place.lat:.5f}, {place.lon:.5f}{precision})"


def _weapon_claim(incident: Incident) -> str | None:
    weapon = incident.weapon
    if weapon is None or weapon.munition is None:
        return None
    confidence = f" (confidence {weapon.confidence})" if weapon.confidence else ""
    return weapon.munition + confidence


def _casualty_claim(minima: dict[str, int | None]) -> str | None:
    parts = [f"at least {n} {outcome}" for outcome, n in minima.items() if n is not None]
    return ", ".join(parts) or None


def visible_corroboration(
    case: Case, incident_id: str, *, sensitive: bool, reading: CaseReading | None = None
) -> CorroborationRecord:
    """:func:`corroboration` as a role sees it. Without ``read_sensitive``, sensitive items
    are absent, as if not in the case (their statements would show their metadata), and
    any other name of a sensitive item or source reads "withheld"
    (``evidencelab.service.access.withholding``)."""
    reading = reading or read_case(case)
    with case.sessions() as session:
        withheld = withholding(session, sensitive=sensitive)
    if withheld.names:
        reading = replace(reading, facts=_without(reading.facts, withheld.names))
    return withheld.scrub(corroboration(case, incident_id, reading=reading))


def _without(facts: CaseFacts, names: frozenset[str]) -> CaseFacts:
    """``facts`` with the items of ``names`` left out of the evidence, links and clusters."""
    clusters = [[m for m in c if m not in names] for c in facts.clusters]
    return replace(
        facts,
        evidence={k: v for k, v in facts.evidence.items() if k not in names},
        sources={k: v for k, v in facts.sources.items() if k not in names},
        links=[(i, e) for i, e in facts.links if e not in names],
        clusters=[c for c in clusters if len(c) > 1],
    )
