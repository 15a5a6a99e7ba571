"""The assessment as a role sees it on a page: one incident's indicators, and the claims
register with each claim evaluated, both under the case's withholding rule
(service.access.withholding) for a role without ``read_sensitive``."""

from __future__ import annotations

from sqlalchemy import select

from evidencelab.assess.claims import PREDICATES
from evidencelab.locker.case import Case
from evidencelab.service.access.withholding import Withholding, withholding
from evidencelab.service.assessment.indicators import assess_case, evaluate_claims
from evidencelab.service.assessment.records import (
    ClaimsRegister,
    IncidentAssessment,
    PredicateRecord,
    RegisterEntry,
    SourceOption,
)
from evidencelab.service.claims import list_claims
from evidencelab.store.tables import CasualtyReportRow, Source


def _withheld(case: Case, *, sensitive: bool) -> Withholding:
    """The case's withholding, extended with the quotes of sensitive sources' casualty
    reports: an indicator repeats a source's words (hedged wording), and the rule withholds
    a sensitive source's quote."""
    with case.sessions() as session:
        rule = withholding(session, sensitive=sensitive)
        if not rule.sources:
            return rule
        rows = session.scalars(
            select(CasualtyReportRow).where(CasualtyReportRow.source_id.in_(rule.sources))
        )
        quotes = {str(r.extra["quote"]) for r in rows if (r.extra or {}).get("quote")}
    return Withholding(names=rule.names | quotes, sources=rule.sources)


def incident_assessment(case: Case, incident_id: str, *, sensitive: bool) -> IncidentAssessment:
    """One incident's assessment (accuracy branch, indicators with their rules, facts,
    numbers, confidence, what would change them and review state, what is missing), with
    what a role without ``read_sensitive`` may not see withheld."""
    (result,) = assess_case(case, incident_id)
    return _withheld(case, sensitive=sensitive).scrub(result)


def claims_register(case: Case, *, sensitive: bool) -> ClaimsRegister:
    """Every claim evaluated over the case (supported / contradicted / undetermined, with
    the deciding incidents and why), with its source; the predicates a claim can name; the
    sources a claim can cite (sensitive ones only for a role that may see them)."""
    sources_of = {c["id"]: c["source"] for c in list_claims(case)}
    entries: list[RegisterEntry] = [
        {**evaluation, "source": sources_of.get(evaluation["id"])}
        for evaluation in evaluate_claims(case)
    ]
    with case.sessions() as session:
        query = select(Source).order_by(Source.position)
        if not sensitive:
            query = query.where(Source.sensitive.is_not(True))
        sources: list[SourceOption] = [
            {"id": s.id, "description": s.description} for s in session.scalars(query)
        ]
    predicates: list[PredicateRecord] = [
        {"name": p.name, "description": p.description} for p in PREDICATES.values()
    ]
    return {
        "claims": _withheld(case, sensitive=sensitive).scrub(entries),
        "predicates": predicates,
        "sources": sources,
    }
