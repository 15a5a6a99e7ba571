"""Accuracy mathematics: how far from its aim point a weapon may land.

All distances are in metres (any one length unit works, as long as it is the same for
every argument); probabilities are fractions in [0, 1]. Functions accept scalars or numpy
arrays and broadcast, except where a docstring says "scalar".

Models and their sources (docs/accuracy.md, "References", gives them with their URLs):

* **Circular normal model.** The impact point's errors along two perpendicular axes are
  independent normal variables with mean 0 (no bias) and the same standard deviation σ.
  The radial miss distance r is then Rayleigh distributed:
  P(r < R) = 1 - exp(-R²/2σ²) = 1 - 0.5^((R/CEP)²), with CEP = σ·√(2 ln 2).
  CEP (circular error probable) is the median miss distance: the radius of the circle,
  centred on the aim point, that is expected to hold half of the impacts (Wikipedia,
  "Circular error probable", https://en.wikipedia.org/wiki/Circular_error_probable).
* **Offset circle.** The chance that an impact aimed at one point lands within r of
  another point at distance d is the CDF of a non-central χ² variable with 2 degrees of
  freedom and non-centrality (d/σ)², evaluated at (r/σ)²; equivalently 1 - Q₁(d/σ, r/σ)
  (Marcum Q), the Rice distribution of the distance to the other point (Wikipedia,
  "Rice distribution", https://en.wikipedia.org/wiki/Rice_distribution).
* **Elliptical dispersion.** Rockets and artillery scatter more along the line of fire
  (range) than across it (deflection). Each axis is normal with its own σ, usually quoted
  as a probable error: 1 PE = 0.6745·σ, the half-width of the band that holds 50% of
  impacts on that axis (Φ⁻¹(0.75) = 0.674489…).

These are models. Precision-guided munitions have more close misses than a normal model
predicts; real fire has bias (the mean point of impact is not the aim point); a CEP
measured in the field may differ widely from a nominal one. The docs (docs/accuracy.md)
say more.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

FloatLike = float | npt.NDArray[np.float64]
ArrayLike = float | int | npt.ArrayLike

LN2 = math.log(2.0)
#: CEP / σ for the circular normal model, √(2 ln 2) ≈ 1.177410.
CEP_PER_SIGMA = math.sqrt(2.0 * LN2)
#: One probable error in units of σ: Φ⁻¹(0.75) ≈ 0.674490 (often rounded to 0.6745), to
#: double precision (``scipy.stats.norm.ppf(0.75)``; a test compares the two). scipy is
#: imported by the functions that need it: loading it costs about a second.
PE_PER_SIGMA = 0.6744897501960817
#: Coefficient of the linear approximation CEP ≈ k·(σ_range + σ_deflection), chosen as
#: √(2 ln 2)/2 ≈ 0.5887 so that it is exact when the two σ are equal.
CEP_LINEAR_COEFFICIENT = CEP_PER_SIGMA / 2.0


def _float(value: Any) -> FloatLike:
    """Return a Python float for 0-d results, an array otherwise."""
    array = np.asarray(value, dtype=np.float64)
    return float(array) if array.ndim == 0 else array


# --- circular normal model -------------------------------------------------------------


def cep_from_sigma(sigma: ArrayLike) -> FloatLike:
    """CEP (m) of a circular normal distribution with per-axis standard deviation σ (m).

    CEP = σ·√(2 ln 2) ≈ 1.1774·σ, the median of the Rayleigh distribution
    (Wikipedia, "Circular error probable", section "Conversion").
    """
    return _float(np.asarray(sigma, dtype=np.float64) * CEP_PER_SIGMA)


def sigma_from_cep(cep: ArrayLike) -> FloatLike:
    """Per-axis standard deviation σ (m) of a circular normal distribution with this CEP (m).

    σ = CEP / √(2 ln 2); the inverse of `cep_from_sigma`.
    """
    return _float(np.asarray(cep, dtype=np.float64) / CEP_PER_SIGMA)


def p_within(r: ArrayLike, cep: ArrayLike) -> FloatLike:
    """Probability that an impact lands within r (m) of its aim point, given CEP (m).

    P(miss < r) = 1 - 0.5^((r/CEP)²), the Rayleigh CDF written with CEP
    (Wikipedia, "Circular error probable"). Negative r gives 0. CEP must be positive.
    """
    r_arr = np.maximum(np.asarray(r, dtype=np.float64), 0.0)
    ratio = r_arr / np.asarray(cep, dtype=np.float64)
    # -expm1 keeps precision for small r, where 1 - 0.5**x would cancel.
    return _float(-np.expm1(-LN2 * ratio**2))


def radius_for_probability(p: ArrayLike, cep: ArrayLike) -> FloatLike:
    """Radius (m) around the aim point expected to hold a fraction p of impacts.

    R_p = CEP·√(log₂(1/(1 - p))), the inverse of `p_within` (the Rayleigh
    percentile; Wikipedia, "Circular error probable", section "Conversion").
    R50 = CEP; R90 = √(log₂ 10)·CEP ≈ 1.8226·CEP; R95 = √(log₂ 20)·CEP ≈ 2.0789·CEP;
    R99 = √(log₂ 100)·CEP ≈ 2.5776·CEP. p must be in [0, 1); p = 1 gives infinity.
    """
    p_arr = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return _float(np.asarray(cep, dtype=np.float64) * np.sqrt(-np.log1p(-p_arr) / LN2))


def r90(cep: ArrayLike) -> FloatLike:
    """Radius (m) holding 90% of impacts: √(ln 10 / ln 2)·CEP ≈ 1.8226·CEP."""
    return radius_for_probability(0.9, cep)


def r95(cep: ArrayLike) -> FloatLike:
    """Radius (m) holding 95% of impacts: √(ln 20 / ln 2)·CEP ≈ 2.0789·CEP."""
    return radius_for_probability(0.95, cep)


def r99(cep: ArrayLike) -> FloatLike:
    """Radius (m) holding 99% of impacts: √(ln 100 / ln 2)·CEP ≈ 2.5776·CEP."""
    return radius_for_probability(0.99, cep)


def drms_from_cep(cep: ArrayLike) -> FloatLike:
    """Root-mean-square radial miss (m): DRMS = √2·σ = CEP/√(ln 2) ≈ 1.2011·CEP."""
    return _float(np.asarray(cep, dtype=np.float64) / math.sqrt(LN2))


def p_hit_circle(objective_radius: ArrayLike, cep: ArrayLike) -> FloatLike:
    """Probability that an impact aimed at the centre of a round objective falls on it.

    The objective is approximated as a disc of radius `objective_radius` (m); the result is
    `p_within(objective_radius, cep)` (worked value from the formula: CEP 100 m, radius
    25 m → 4.2%). Its complement is the chance that the impact lands on whatever surrounds the
    objective.
    """
    return p_within(objective_radius, cep)


def p_within_of_point(r: ArrayLike, d: ArrayLike, cep: ArrayLike) -> FloatLike:
    """Probability that an impact aimed at one point lands within r (m) of another point
    at distance d (m) from the aim point, given CEP (m).

    With σ = CEP/√(2 ln 2), the squared distance from the impact to the other point,
    divided by σ², is non-central χ² with 2 degrees of freedom and non-centrality
    λ = (d/σ)², so P = F_ncχ²((r/σ)²; 2, (d/σ)²) = 1 - Q₁(d/σ, r/σ) (Marcum Q; the Rice
    distribution). For d = 0 this is `p_within(r, cep)`. Worked values
    from the formula: CEP 100 m, d 100 m, r 50 m → 8.4%; d 200 m → 1.2%.
    """
    from scipy import stats

    r_arr, d_arr, cep_arr = np.broadcast_arrays(
        np.maximum(np.asarray(r, dtype=np.float64), 0.0),
        np.abs(np.asarray(d, dtype=np.float64)),
        np.asarray(cep, dtype=np.float64),
    )
    sigma = cep_arr / CEP_PER_SIGMA
    centred = -np.expm1(-LN2 * (r_arr / cep_arr) ** 2)
    offset = stats.ncx2.cdf((r_arr / sigma) ** 2, 2, np.maximum((d_arr / sigma) ** 2, 1e-300))
    return _float(np.where(d_arr == 0.0, centred, np.minimum(offset, centred)))


# --- elliptical dispersion (range / deflection) ----------------------------------------


def sigma_from_probable_error(pe: ArrayLike) -> FloatLike:
    """Standard deviation (m) of a normal axis with this probable error (m).

    1 PE = Φ⁻¹(0.75)·σ ≈ 0.6745·σ: half of the impacts fall within ±1 PE of the mean point
    on that axis.
    """
    return _float(np.asarray(pe, dtype=np.float64) / PE_PER_SIGMA)


def probable_error_from_sigma(sigma: ArrayLike) -> FloatLike:
    """Probable error (m) of a normal axis with standard deviation σ (m): 0.6745·σ."""
    return _float(np.asarray(sigma, dtype=np.float64) * PE_PER_SIGMA)


def p_within_rectangle(
    range_min: ArrayLike,
    range_max: ArrayLike,
    deflection_min: ArrayLike,
    deflection_max: ArrayLike,
    pe_range: ArrayLike,
    pe_deflection: ArrayLike,
) -> FloatLike:
    """Probability that an impact falls in a rectangle aligned with the line of fire.

    Coordinates (m) are measured from the aim point: range along the line of fire
    (positive = beyond the aim point), deflection across it. With independent normal
    errors per axis, P = [Φ(x₁/σ_r) - Φ(x₀/σ_r)]·[Φ(y₁/σ_d) - Φ(y₀/σ_d)], σ = PE/0.6745.
    A rectangle of ±1 PE_r by ±1 PE_d holds 25% of impacts.
    """
    from scipy import stats

    s_r = np.asarray(pe_range, dtype=np.float64) / PE_PER_SIGMA
    s_d = np.asarray(pe_deflection, dtype=np.float64) / PE_PER_SIGMA
    along = stats.norm.cdf(np.asarray(range_max) / s_r) - stats.norm.cdf(
        np.asarray(range_min) / s_r
    )
    across = stats.norm.cdf(np.asarray(deflection_max) / s_d) - stats.norm.cdf(
        np.asarray(deflection_min) / s_d
    )
    return _float(np.clip(along, 0.0, 1.0) * np.clip(across, 0.0, 1.0))


def p_within_ellipse(
    semi_range: float, semi_deflection: float, pe_range: float, pe_deflection: float
) -> float:
    """Probability (scalar) that an impact falls inside an ellipse centred on the aim point,
    with semi-axes `semi_range` along and `semi_deflection` across the line of fire (m).

    P = ∫ φ(x; σ_r)·[2Φ(b·√(1 - x²/a²)/σ_d) - 1] dx over -a…a, integrated numerically
    (scipy.integrate.quad, absolute error < 1e-10). When a/σ_r = b/σ_d = k the ellipse is a
    contour of the density and P = 1 - exp(-k²/2) exactly (χ² with 2 degrees of freedom).
    A circle of radius r is `p_within_ellipse(r, r, …)`.
    """
    from scipy import integrate, stats

    if semi_range <= 0.0 or semi_deflection <= 0.0:
        return 0.0
    s_r = pe_range / PE_PER_SIGMA
    s_d = pe_deflection / PE_PER_SIGMA

    def integrand(x: float) -> float:
        half_width = semi_deflection * math.sqrt(max(0.0, 1.0 - (x / semi_range) ** 2))
        return float(stats.norm.pdf(x, scale=s_r) * (2.0 * stats.norm.cdf(half_width / s_d) - 1))

    # Integrate over one half (the integrand is even) and only where the density matters.
    upper = min(semi_range, 40.0 * s_r)
    value, _ = integrate.quad(integrand, 0.0, upper, epsabs=1e-11, epsrel=1e-10, limit=200)
    return float(min(max(2.0 * value, 0.0), 1.0))


def cep_from_probable_errors(pe_range: float, pe_deflection: float) -> float:
    """Equivalent CEP (m, scalar) of an elliptical dispersion: the radius of the circle
    around the aim point that holds half of the impacts.

    Solved numerically: p_within_ellipse(R, R, PE_r, PE_d) = 0.5 (scipy brentq, relative
    tolerance 1e-12). For equal PEs this is PE/0.6745·√(2 ln 2) ≈ 1.7456·PE. See
    `cep_approx_from_probable_errors` for the closed-form approximation and its error.
    """
    from scipy import optimize

    s_r = pe_range / PE_PER_SIGMA
    s_d = pe_deflection / PE_PER_SIGMA
    if min(s_r, s_d) <= 0.0:
        # Degenerate: all spread on one axis; the CEP is that axis's probable error.
        return float(max(pe_range, pe_deflection))
    # The CEP lies between the smaller axis's PE and the larger σ's circular CEP.
    low = PE_PER_SIGMA * max(s_r, s_d) * 0.99
    high = CEP_PER_SIGMA * max(s_r, s_d) * 1.01
    root = optimize.brentq(
        lambda radius: p_within_ellipse(radius, radius, pe_range, pe_deflection) - 0.5,
        low,
        high,
        rtol=1e-12,
    )
    return float(root)


def cep_approx_from_probable_errors(pe_range: ArrayLike, pe_deflection: ArrayLike) -> FloatLike:
    """Approximate equivalent CEP (m): 0.5887·(σ_r + σ_d), with σ = PE/0.6745.

    The linear interpolation usually quoted for elliptical dispersion (coefficient taken
    here as √(2 ln 2)/2 so it is exact for equal σ). Its error, measured against
    `cep_from_probable_errors` in the tests: within +2.5% while σ_min/σ_max ≥ 0.2; it
    understates by up to 12% as σ_min/σ_max falls towards 0 (the exact value tends to
    0.6745·σ_max, the approximation to 0.5887·σ_max). Use the exact function where it
    matters.
    """
    s_r = np.asarray(pe_range, dtype=np.float64) / PE_PER_SIGMA
    s_d = np.asarray(pe_deflection, dtype=np.float64) / PE_PER_SIGMA
    return _float(CEP_LINEAR_COEFFICIENT * (s_r + s_d))


# --- salvos and submunitions -----------------------------------------------------------


def dispersion_ellipse_semi_axes(
    p: ArrayLike, pe_range: ArrayLike, pe_deflection: ArrayLike
) -> tuple[FloatLike, FloatLike]:
    """Semi-axes (m, range then deflection) of the ellipse, centred on the aim point, that
    is expected to hold a fraction p of the impacts.

    The density's contours are ellipses with semi-axes k·σ_r and k·σ_d; the mass inside is
    1 - exp(-k²/2) (χ² with 2 degrees of freedom), so k = √(-2 ln(1 - p)).
    """
    k = np.sqrt(-2.0 * np.log1p(-np.asarray(p, dtype=np.float64)))
    return (
        _float(k * np.asarray(pe_range, dtype=np.float64) / PE_PER_SIGMA),
        _float(k * np.asarray(pe_deflection, dtype=np.float64) / PE_PER_SIGMA),
    )


def dispersion_ellipse_area(
    p: ArrayLike, pe_range: ArrayLike, pe_deflection: ArrayLike
) -> FloatLike:
    """Area (m²) of the smallest region expected to hold a fraction p of the impacts.

    A = π·σ_r·σ_d·(-2 ln(1 - p)): the area of the ellipse from
    `dispersion_ellipse_semi_axes`. For a salvo of N rounds fired at one aim point with
    independent errors, about p·N of them land inside it; the salvo's rounds share any
    aiming or bias error, which this does not model.
    """
    a, b = dispersion_ellipse_semi_axes(p, pe_range, pe_deflection)
    return _float(np.pi * np.asarray(a) * np.asarray(b))


def expected_count_within(n_rounds: ArrayLike, p_single: ArrayLike) -> FloatLike:
    """Expected number of N rounds (or submunitions) landing in a region: N·p.

    p_single is one round's probability of landing there (e.g. from `p_within_of_point`).
    """
    return _float(np.asarray(n_rounds, dtype=np.float64) * np.asarray(p_single, dtype=np.float64))


def p_at_least_one_within(n_rounds: ArrayLike, p_single: ArrayLike) -> FloatLike:
    """Probability that at least one of N rounds lands in a region: 1 - (1 - p)^N.

    Assumes the rounds' errors are independent. Rounds of one salvo share the launcher's
    aiming and bias error, so this is an approximation that may overstate the chance of
    the salvo missing the region entirely (or understate it) by an amount the model cannot
    tell.
    """
    n = np.asarray(n_rounds, dtype=np.float64)
    p = np.asarray(p_single, dtype=np.float64)
    # 1 - (1 - p)**n, written to keep precision when p is small.
    certain = p >= 1.0
    # Where p = 1 the log would be -inf; those entries are replaced by 1.
    safe_p = np.where(certain, 0.0, p)
    return _float(np.where(certain, 1.0, -np.expm1(n * np.log1p(-safe_p))))


def submunition_density(n_submunitions: ArrayLike, footprint_area_m2: ArrayLike) -> FloatLike:
    """Mean number of submunitions per m² over a footprint: N / A.

    A is the area the submunitions spread over (m²), e.g. `dispersion_ellipse_area` for a
    stated fraction, or a measured footprint. A uniform spread is assumed.
    """
    return _float(
        np.asarray(n_submunitions, dtype=np.float64)
        / np.asarray(footprint_area_m2, dtype=np.float64)
    )


# --- plain sentences -------------------------------------------------------------------


def format_percent(p: float) -> str:
    """A probability as a percentage with sensible precision: '90%', '4.2%', '0.064%'."""
    percent = 100.0 * p
    if percent >= 99.95 and p < 1.0:
        return "more than 99.9%"
    if 0.0 < percent < 0.001:
        return "less than 0.001%"
    if percent >= 10.0 or percent == 0.0:
        return f"{percent:.0f}%"
    if percent >= 1.0:
        return f"{percent:.1f}%"
    return f"{percent:.2g}%"


def _two_significant(value: float) -> int:
    """Round to two significant figures: 1555 -> 1600."""
    digits = max(0, math.floor(math.log10(value)) - 1)
    return int(round(value / 10**digits) * 10**digits)


def _metres(value: float) -> str:
    return f"{value:,.0f} m"


def describe_accuracy(
    cep_m: float,
    *,
    aim_name: str = "the aim point",
    rounds_name: str = "missiles",
    fraction: float = 0.9,
    object_name: str | None = None,
    object_distance_m: float | None = None,
    within_m: float = 50.0,
) -> str:
    """Plain sentences, with the numbers, on what a CEP means at a site.

    Example (CEP 150 m, an air base and a residential block 400 m from it): "With a CEP of
    150 m, 90% of missiles aimed at the air base would land within 273 m of the aim point.
    The residential block is 400 m away: about 0.064% of missiles aimed at the air base
    would land within 50 m of it (about 1 in 1,600)." followed by the model's caveat.
    Uses `radius_for_probability` and `p_within_of_point`. The wording describes a model;
    it states no conclusion about any attack.
    """
    radius = float(radius_for_probability(fraction, cep_m))
    aimed_at = "" if aim_name == "the aim point" else f" aimed at {aim_name}"
    sentences = [
        f"With a CEP of {_metres(cep_m)}, {format_percent(fraction)} of {rounds_name}"
        f"{aimed_at} would land within {_metres(radius)} of the aim point."
    ]
    if object_name is not None and object_distance_m is not None:
        p = float(p_within_of_point(within_m, object_distance_m, cep_m))
        odds = f" (about 1 in {_two_significant(1.0 / p):,})" if 0.0 < p < 0.05 else ""
        sentences.append(
            f"{object_name[:1].upper()}{object_name[1:]} is {_metres(object_distance_m)} away: "
            f"about {format_percent(p)} of {rounds_name}{aimed_at} would land within "
            f"{_metres(within_m)} of it{odds}."
        )
    sentences.append(
        "These figures assume a circular normal dispersion around the aim point; "
        "observed misses may be larger or smaller than the stated CEP suggests."
    )
    return " ".join(sentences)
