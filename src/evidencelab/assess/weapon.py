"""How accurate a catalogued weapon is, as the catalogue's cited figures say, and which
branch of the assessment that puts it in.

The accuracy of the weapon decides which rule an incident points to, as in two patterns of
reasoning by investigators: an inaccurate weapon in a populated area points to
indiscriminate attack (API 51(4)(b)/(c); Amnesty International, "Anyone can die at any
time", on Kharkiv, June 2022; Human Rights Watch, "Ukraine: Unguided Rockets Killing
Civilians", 24 July 2014,
https://www.hrw.org/news/2014/07/24/ukraine-unguided-rockets-killing-civilians); a precise
weapon that hit civilians with no military objective nearby points to a direct attack or a
failure to verify the target (API 51(2), CIHL 16; OHCHR on the attack of 5 October 2023 on
Hroza). docs/assessment.md, "The accuracy branch", explains the branch.

Branch rule (stated in every output):

* Each accuracy figure in the catalogue (published CEPs, stated radii or accuracies, and
  field-observed miss distances, kept apart) gives a CEP *reading* in metres. Figures
  that are not CEPs are read as one, and the reading says so.
* Only the most reliable figures decide (the best grade present: A before B before C/M).
  If all of them put the CEP at or above `INACCURATE_CEP_M` the weapon is "inaccurate";
  if all put it below, "precise"; if they straddle the line, "unknown".
* A figure the catalogue marks as a party's claim (`claimed_by`) is shown, never deciding.
* With no deciding figure, an unguided weapon of a class with a prior (unguided rocket
  artillery, tube artillery, unguided bombs: `CLASS_PRIORS`) is "inaccurate", and the
  reason says it rests on the class, not on a figure for the weapon; any other unguided
  weapon is "inaccurate" on its guidance alone. Guidance alone never makes a weapon
  "precise" (a glide kit that fails, a spokesman's nominal figure): "unknown".

`INACCURATE_CEP_M` = 100 m is Amnesty International's description of standard artillery
shells, "a typical circular error probable of more than 100 metres", which it called
"virtually certain" to cost civilian lives in residential areas (Kharkiv, June 2022;
flag A via B). It is a policy line chosen by this project, not a legal threshold, and is
printed with every branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from evidencelab.analysis.accuracy import p_within_of_point, r90, r95
from evidencelab.analysis.munitions import GRADE_ORDER, Figure, Munition

INACCURATE_CEP_M: Final = 100.0
INACCURATE_CEP_BASIS: Final = (
    "Amnesty International, Kharkiv, June 2022 (flag A via B): unguided artillery shells "
    '"have a typical circular error probable of more than 100 metres"; a policy line of '
    "this tool, not a legal threshold"
)

#: How a figure of each measure is read as a CEP.
_READINGS: Final[dict[str, str]] = {
    "cep": "a CEP as published",
    "miss_distance": (
        "a field-observed miss distance read as the CEP (median miss); the source does not "
        "give a CEP"
    ),
    "stated_radius": "a stated radius read as the CEP; the source does not say it is one",
    "stated_accuracy": "a stated accuracy read as the CEP; the source does not say it is one",
    "max_deviation": (
        "a stated maximum deviation read as the CEP (generous to the weapon: a maximum "
        "exceeds the median)"
    ),
}

Branch = str  # "inaccurate" | "precise" | "unknown"


@dataclass(frozen=True, kw_only=True)
class ClassPrior:
    """What investigators publish about a whole class of unguided weapons."""

    label: str
    quote: str
    source: str
    url: str
    flag: str


_ROCKETS_AND_SHELLS: Final = ClassPrior(
    label="unguided rocket artillery and shells",
    quote=("the continued use of such inaccurate explosive weapons in populated civilian areas"),
    source=(
        'Amnesty International, "Anyone can die at any time", Kharkiv, June 2022, on '
        "unguided rockets, artillery and cluster munitions, quoted by The Straits Times"
    ),
    url="https://www.straitstimes.com/world/europe/amnesty-accuses-moscow-of-war-crimes-in-ukraine",
    flag="B quoting A",
)

#: Class-level priors by catalogue class, for unguided entries without a deciding figure.
CLASS_PRIORS: Final[dict[str, ClassPrior]] = {
    "multiple_rocket_launcher": _ROCKETS_AND_SHELLS,
    "tube_artillery": _ROCKETS_AND_SHELLS,
    "aerial_bomb": ClassPrior(
        label="unguided aerial bombs",
        quote=(
            "Such bombs have wide-area effects and are far less accurate than "
            "precision-guided munitions."
        ),
        source="Amnesty International on the Chernihiv airstrike of 3 March 2022, City A.M.",
        url="https://cityam.com/russian-dumb-bomb-attack-kills-dozens-of-civilians-in-ukrainian-city-of-chernihiv",
        flag="A via B",
    ),
}

_CONFIDENCE_BY_GRADE: Final[dict[str, str]] = {"A": "high", "B": "medium", "C": "low", "M": "low"}


@dataclass(frozen=True, kw_only=True)
class AccuracyReading:
    """One catalogue figure read as a CEP interval [cep_low_m, cep_high_m] (metres)."""

    munition_id: str
    kept_as: str  # "published" | "field"
    measure: str
    reading: str
    cep_low_m: float
    cep_high_m: float
    quote: str | None
    source: str
    url: str
    flag: str
    grade: str
    claimed_by: str | None = None

    @property
    def label(self) -> str:
        span = (
            f"{self.cep_low_m:g} m"
            if self.cep_low_m == self.cep_high_m
            else f"{self.cep_low_m:g}–{self.cep_high_m:g} m"
        )
        claim = f", claimed by {self.claimed_by}" if self.claimed_by else ""
        return f"{self.kept_as} {self.measure.replace('_', ' ')} {span} [{self.flag}{claim}]"

    def record(self) -> dict[str, object]:
        return {
            "kept_as": self.kept_as,
            "measure": self.measure,
            "cep_low_m": self.cep_low_m,
            "cep_high_m": self.cep_high_m,
            "reading": self.reading,
            "quote": self.quote,
            "source": self.source,
            "url": self.url,
            "flag": self.flag,
        }

    def numbers(
        self,
        *,
        separation_m: float | None = None,
        within_m: float | None = None,
        nearest_m: float | None = None,
    ) -> dict[str, object]:
        """R90/R95 at both ends of the CEP interval and, when a separation d between the
        aim point and another object is given, the probability that an impact aimed at
        the aim point lands within `within_m` of that object (non-central χ², 2 degrees
        of freedom; analysis.accuracy.p_within_of_point); with `nearest_m`, the least
        separation the positions' precision allows, the same probability there too."""
        ends = sorted({self.cep_low_m, self.cep_high_m})
        out: dict[str, object] = {
            "figure": self.label,
            "cep_m": ends,
            "r90_m": [round(float(r90(c)), 1) for c in ends],
            "r95_m": [round(float(r95(c)), 1) for c in ends],
        }
        if separation_m is not None and within_m is not None:
            out["separation_m"] = round(separation_m, 1)
            out["within_m"] = within_m
            out["p_within_of_object"] = [
                float(p_within_of_point(within_m, separation_m, c)) for c in ends
            ]
            if nearest_m is not None:
                out["nearest_separation_m"] = round(nearest_m, 1)
                out["p_within_of_object_at_nearest"] = [
                    float(p_within_of_point(within_m, nearest_m, c)) for c in ends
                ]
        return out


@dataclass(frozen=True, kw_only=True)
class WeaponProfile:
    """A catalogue entry's accuracy readings, branch and reason."""

    munition: Munition
    readings: tuple[AccuracyReading, ...]
    deciding: tuple[AccuracyReading, ...]
    branch: Branch
    reason: str
    confidence: str

    @property
    def name(self) -> str:
        return self.munition.names[0] if self.munition.names else self.munition.id

    @property
    def error_radius_m(self) -> float | None:
        """R90 (m) of the largest deciding CEP reading: the radius that would hold 90% of
        impacts under the least favourable reading of the deciding figures."""
        if not self.deciding:
            return None
        return float(r90(max(r.cep_high_m for r in self.deciding)))

    @property
    def aim_radius_m(self) -> float | None:
        """R95 (m) of the largest deciding CEP reading: how far the aim point may lie from
        the impact for 95% of impacts."""
        if not self.deciding:
            return None
        return float(r95(max(r.cep_high_m for r in self.deciding)))


def _grade(flag: str) -> str:
    return Figure(unit="", source="", url="", flag=flag).weakest_grade


def _reading(munition: Munition, kept_as: str, figure: Figure) -> AccuracyReading | None:
    if figure.unit != "m":
        return None
    low = figure.min if figure.min is not None else figure.value
    high = figure.max if figure.max is not None else figure.value
    if low is None or high is None:
        return None
    measure = figure.measure or "unspecified"
    reading = _READINGS.get(measure, f"a figure of measure '{measure}' read as the CEP")
    if figure.qualifier in ("at_least", "more_than"):
        reading += f"; the source gives it as a lower bound ({figure.qualifier.replace('_', ' ')})"
    return AccuracyReading(
        munition_id=munition.id,
        kept_as=kept_as,
        measure=measure,
        reading=reading,
        cep_low_m=float(low),
        cep_high_m=float(high),
        quote=figure.quote,
        source=figure.source,
        url=figure.url,
        flag=figure.flag,
        grade=_grade(figure.flag),
        claimed_by=figure.claimed_by,
    )


def accuracy_readings(munition: Munition) -> tuple[AccuracyReading, ...]:
    """Every metre-valued accuracy figure of the entry, published ones first, then field
    observations, each read as a CEP interval."""
    found = []
    for kept_as, path in (("published", "accuracy.published"), ("field", "accuracy.field")):
        for figure in munition.figures(path):
            reading = _reading(munition, kept_as, figure)
            if reading is not None:
                found.append(reading)
    return tuple(found)


def weapon_profile(munition: Munition) -> WeaponProfile:
    """The entry's accuracy branch by the rule in the module docstring."""
    readings = accuracy_readings(munition)
    deciding_pool = tuple(r for r in readings if r.claimed_by is None)
    if deciding_pool:
        return _from_figures(munition, readings, deciding_pool)
    branch, confidence, why = _without_figures(munition)
    if readings:
        why += "; shown apart, not deciding (a party's claim): " + "; ".join(
            r.label for r in readings
        )
    return WeaponProfile(
        munition=munition,
        readings=readings,
        deciding=(),
        branch=branch,
        reason=why,
        confidence=confidence,
    )


def _from_figures(
    munition: Munition, readings: tuple[AccuracyReading, ...], pool: tuple[AccuracyReading, ...]
) -> WeaponProfile:
    best = min((r.grade for r in pool), key=GRADE_ORDER.index)
    deciding = tuple(r for r in pool if r.grade == best)
    figures = "; ".join(r.label for r in deciding)
    line = f"{INACCURATE_CEP_M:g} m"
    if all(r.cep_low_m >= INACCURATE_CEP_M for r in deciding):
        branch = "inaccurate"
        why = f"the most reliable accuracy figures ({figures}) are at or above {line}"
    elif all(r.cep_high_m < INACCURATE_CEP_M for r in deciding):
        branch = "precise"
        why = f"the most reliable accuracy figures ({figures}) are below {line}"
    else:
        branch = "unknown"
        why = f"the most reliable accuracy figures ({figures}) straddle {line}"
    weaker = [r.label for r in readings if r not in deciding]
    if weaker:
        why += f"; less reliable figures shown apart, not deciding: {'; '.join(weaker)}"
    confidence = _CONFIDENCE_BY_GRADE.get(best, "low") if branch != "unknown" else "low"
    if munition.guidance is not None:
        why += f"; the catalogue marks the weapon {munition.guidance}"
    return WeaponProfile(
        munition=munition,
        readings=readings,
        deciding=deciding,
        branch=branch,
        reason=why,
        confidence=confidence,
    )


def _without_figures(munition: Munition) -> tuple[Branch, str, str]:
    """Branch, confidence and reason when no figure decides (module docstring)."""
    guidance = munition.guidance
    prior = CLASS_PRIORS.get(munition.weapon_class)
    if guidance == "unguided" and prior is not None:
        confidence = _CONFIDENCE_BY_GRADE.get(_grade(prior.flag), "low")
        return (
            "inaccurate",
            confidence,
            f"no accuracy figure for this weapon; the catalogue marks it unguided, and the "
            f'class-level prior for {prior.label} applies: "{prior.quote}" — {prior.source} '
            f"({prior.url}) [{prior.flag}]",
        )
    if guidance == "unguided":
        return (
            "inaccurate",
            "medium",
            "no accuracy figure in the catalogue; the catalogue marks the weapon unguided",
        )
    if guidance == "guided":
        return (
            "unknown",
            "low",
            "no accuracy figure decides; the catalogue marks the weapon guided, which alone "
            "does not establish its accuracy",
        )
    return (
        "unknown",
        "low",
        "the catalogue has no deciding accuracy figure and does not say whether it is guided",
    )
