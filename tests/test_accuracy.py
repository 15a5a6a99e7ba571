"""Accuracy mathematics against closed forms, published values and Monte Carlo simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from evidencelab.analysis import accuracy as acc

# Monte Carlo: N draws with a fixed seed. A proportion's standard error is at most
# 0.5/sqrt(N) = 0.0011 for N = 200 000; tolerances below are 0.005 (over 4 standard errors).
MC_DRAWS = 200_000
MC_TOLERANCE = 0.005

cep_values = st.floats(min_value=0.5, max_value=5_000.0)
distances = st.floats(min_value=0.0, max_value=20_000.0)


def _impacts(sigma_x: float, sigma_y: float, seed: int = 20220224) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 1.0, size=(MC_DRAWS, 2)) * np.array([sigma_x, sigma_y])


# --- constants and published values ----------------------------------------------------


def test_cep_sigma_constant() -> None:
    assert acc.cep_from_sigma(1.0) == pytest.approx(math.sqrt(2 * math.log(2)), abs=1e-12)
    assert acc.cep_from_sigma(1.0) == pytest.approx(1.1774, abs=1e-4)
    assert acc.sigma_from_cep(acc.cep_from_sigma(37.0)) == pytest.approx(37.0, rel=1e-12)


@pytest.mark.parametrize(
    ("p", "exact", "published"),
    [
        # Three-decimal factors: R90 1.823, R95 2.079, R99 2.578, from the Rayleigh
        # percentile (Wikipedia, "Circular error probable", section "Conversion").
        (0.5, 1.0, 1.0),
        (0.9, math.sqrt(math.log(10) / math.log(2)), 1.823),
        (0.95, math.sqrt(math.log(20) / math.log(2)), 2.079),
        (0.99, math.sqrt(math.log(100) / math.log(2)), 2.578),
    ],
)
def test_radius_for_probability_constants(p: float, exact: float, published: float) -> None:
    assert acc.radius_for_probability(p, 1.0) == pytest.approx(exact, abs=1e-12)
    assert acc.radius_for_probability(p, 1.0) == pytest.approx(published, abs=5e-4)


def test_r_helpers_and_drms() -> None:
    assert acc.r90(150.0) == pytest.approx(150 * math.sqrt(math.log(10) / math.log(2)), 1e-12)
    assert acc.r95(1.0) == pytest.approx(math.sqrt(math.log(20) / math.log(2)), abs=1e-12)
    assert acc.r99(1.0) == pytest.approx(math.sqrt(math.log(100) / math.log(2)), abs=1e-12)
    assert acc.drms_from_cep(1.0) == pytest.approx(1 / math.sqrt(math.log(2)), abs=1e-12)
    assert acc.drms_from_cep(acc.cep_from_sigma(1.0)) == pytest.approx(math.sqrt(2), abs=1e-12)


def test_published_split_by_cep_rings() -> None:
    # Wikipedia, "Circular error probable": 50% within 1 CEP, 43.7% in 1-2, 6.1% in 2-3,
    # 0.2% beyond 3; exactly 50%, 43.75%, 6.05% and 0.195%.
    within = acc.p_within(np.array([1.0, 2.0, 3.0]), 1.0)
    assert within[0] == pytest.approx(0.5, abs=1e-12)
    assert within[1] - within[0] == pytest.approx(0.4375, abs=1e-12)
    assert within[2] - within[1] == pytest.approx(0.5**4 - 0.5**9, abs=1e-12)
    assert 1 - within[2] == pytest.approx(0.5**9, abs=1e-12)


@pytest.mark.parametrize(
    ("cep", "radius", "published"),
    [(500, 50, 0.007), (100, 25, 0.042), (30, 25, 0.38)],
)
def test_p_hit_circle_worked_values(cep: float, radius: float, published: float) -> None:
    assert acc.p_hit_circle(radius, cep) == pytest.approx(published, abs=0.0005 + published / 50)
    assert acc.p_hit_circle(25, 7) > 0.999


@pytest.mark.parametrize(("d", "published"), [(100.0, 0.084), (200.0, 0.012)])
def test_p_within_of_point_worked_values(d: float, published: float) -> None:
    # Worked values (docs/accuracy.md): CEP 100 m, r 50 m, d 100 m -> 8.4%; d 200 m -> 1.2%.
    assert acc.p_within_of_point(50.0, d, 100.0) == pytest.approx(published, abs=0.0005)


def test_p_within_of_point_closed_form_small_circle() -> None:
    # A small circle far away: P ~ area x density at its centre.
    cep, d, r = 150.0, 400.0, 1.0
    sigma = acc.sigma_from_cep(cep)
    density = math.exp(-(d**2) / (2 * sigma**2)) / (2 * math.pi * sigma**2)
    assert acc.p_within_of_point(r, d, cep) == pytest.approx(math.pi * r**2 * density, rel=1e-4)


def test_p_within_of_point_vectorised_and_d_zero() -> None:
    result = acc.p_within_of_point(np.array([10.0, 50.0]), np.array([0.0, 0.0]), 100.0)
    assert np.allclose(result, acc.p_within(np.array([10.0, 50.0]), 100.0), atol=1e-15)


# --- Monte Carlo cross-checks ----------------------------------------------------------


def test_p_within_monte_carlo() -> None:
    cep = 120.0
    sigma = acc.sigma_from_cep(cep)
    miss = np.hypot(*_impacts(sigma, sigma).T)
    for r in (30.0, 120.0, 250.0):
        assert np.mean(miss < r) == pytest.approx(acc.p_within(r, cep), abs=MC_TOLERANCE)
    assert np.median(miss) == pytest.approx(cep, rel=0.01)


def test_p_within_of_point_monte_carlo() -> None:
    cep, d, r = 100.0, 120.0, 60.0
    sigma = acc.sigma_from_cep(cep)
    impacts = _impacts(sigma, sigma)
    near = np.hypot(impacts[:, 0] - d, impacts[:, 1]) < r
    assert np.mean(near) == pytest.approx(acc.p_within_of_point(r, d, cep), abs=MC_TOLERANCE)


def test_elliptical_monte_carlo() -> None:
    pe_r, pe_d = 90.0, 30.0
    s_r, s_d = acc.sigma_from_probable_error(pe_r), acc.sigma_from_probable_error(pe_d)
    x, y = _impacts(s_r, s_d).T
    rect = acc.p_within_rectangle(-50.0, 150.0, -20.0, 40.0, pe_r, pe_d)
    assert np.mean((x > -50) & (x < 150) & (y > -20) & (y < 40)) == pytest.approx(
        rect, abs=MC_TOLERANCE
    )
    ellipse = acc.p_within_ellipse(200.0, 50.0, pe_r, pe_d)
    assert np.mean((x / 200) ** 2 + (y / 50) ** 2 < 1) == pytest.approx(ellipse, abs=MC_TOLERANCE)
    cep = acc.cep_from_probable_errors(pe_r, pe_d)
    assert np.median(np.hypot(x, y)) == pytest.approx(cep, rel=0.01)


# --- elliptical dispersion -------------------------------------------------------------


def test_probable_error_definition() -> None:
    assert abs(acc.PE_PER_SIGMA - 0.6745) < 1e-4
    assert float(stats.norm.ppf(0.75)) == acc.PE_PER_SIGMA
    assert acc.p_within_rectangle(-1, 1, -1e9, 1e9, 1.0, 1.0) == pytest.approx(0.5, abs=1e-12)
    assert acc.p_within_rectangle(-1, 1, -1, 1, 1.0, 1.0) == pytest.approx(0.25, abs=1e-12)
    assert acc.probable_error_from_sigma(acc.sigma_from_probable_error(7.0)) == pytest.approx(7.0)


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0, 3.0])
def test_ellipse_contour_closed_form(k: float) -> None:
    pe_r, pe_d = 80.0, 25.0
    a = k * acc.sigma_from_probable_error(pe_r)
    b = k * acc.sigma_from_probable_error(pe_d)
    assert acc.p_within_ellipse(a, b, pe_r, pe_d) == pytest.approx(
        1 - math.exp(-(k**2) / 2), abs=1e-9
    )


def test_ellipse_circle_matches_circular_model() -> None:
    pe = 40.0
    cep = acc.cep_from_sigma(acc.sigma_from_probable_error(pe))
    assert acc.p_within_ellipse(70.0, 70.0, pe, pe) == pytest.approx(acc.p_within(70, cep), 1e-9)
    assert acc.cep_from_probable_errors(pe, pe) == pytest.approx(cep, rel=1e-10)


def test_cep_approximation_error_as_documented() -> None:
    worst = 0.0
    for ratio in np.linspace(0.2, 1.0, 33):
        exact = acc.cep_from_probable_errors(100.0, 100.0 * ratio)
        approx = acc.cep_approx_from_probable_errors(100.0, 100.0 * ratio)
        worst = max(worst, abs(approx / exact - 1))
    assert worst < 0.025
    tiny = acc.cep_from_probable_errors(100.0, 0.1)
    assert tiny == pytest.approx(100.0, rel=1e-3)  # tends to the long axis's PE
    assert acc.cep_approx_from_probable_errors(100.0, 0.1) / tiny - 1 == pytest.approx(
        -0.127, abs=0.002
    )


def test_dispersion_ellipse_and_salvo_helpers() -> None:
    pe_r, pe_d = 60.0, 20.0
    a, b = acc.dispersion_ellipse_semi_axes(0.9, pe_r, pe_d)
    assert acc.p_within_ellipse(float(a), float(b), pe_r, pe_d) == pytest.approx(0.9, abs=1e-9)
    assert acc.dispersion_ellipse_area(0.9, pe_r, pe_d) == pytest.approx(math.pi * a * b)
    assert acc.expected_count_within(40, 0.25) == pytest.approx(10.0)
    assert acc.p_at_least_one_within(40, 0.01) == pytest.approx(1 - 0.99**40, rel=1e-12)
    assert acc.p_at_least_one_within(3, 1.0) == 1.0
    assert acc.p_at_least_one_within(0, 0.3) == 0.0
    assert acc.submunition_density(72, 7200.0) == pytest.approx(0.01)


def test_salvo_at_least_one_monte_carlo() -> None:
    # 12 independent rounds, one region: compare 1-(1-p)^N with simulated salvos.
    cep, d, r, n = 200.0, 300.0, 60.0, 12
    sigma = acc.sigma_from_cep(cep)
    rng = np.random.default_rng(7)
    impacts = rng.normal(0.0, sigma, size=(40_000, n, 2))
    hit = (np.hypot(impacts[..., 0] - d, impacts[..., 1]) < r).any(axis=1)
    p_single = acc.p_within_of_point(r, d, cep)
    assert np.mean(hit) == pytest.approx(acc.p_at_least_one_within(n, p_single), abs=0.01)


# --- properties ------------------------------------------------------------------------


@given(r1=distances, r2=distances, cep=cep_values)
def test_p_within_monotonic_and_bounded(r1: float, r2: float, cep: float) -> None:
    low, high = sorted((r1, r2))
    p_low, p_high = acc.p_within(low, cep), acc.p_within(high, cep)
    assert 0.0 <= p_low <= p_high <= 1.0


@given(p=st.floats(min_value=0.0, max_value=0.999999), cep=cep_values)
def test_radius_inverts_p_within(p: float, cep: float) -> None:
    assert acc.p_within(acc.radius_for_probability(p, cep), cep) == pytest.approx(p, abs=1e-9)


@given(r1=distances, r2=distances, d=distances, cep=cep_values)
def test_p_within_of_point_monotonic_bounded(r1: float, r2: float, d: float, cep: float) -> None:
    low, high = sorted((r1, r2))
    p_low = acc.p_within_of_point(low, d, cep)
    p_high = acc.p_within_of_point(high, d, cep)
    assert 0.0 <= p_low <= p_high + 1e-12 <= 1.0 + 1e-12


@given(r=distances, d=st.floats(min_value=1e-3, max_value=20_000.0), cep=cep_values)
def test_offset_never_exceeds_centred(r: float, d: float, cep: float) -> None:
    assert acc.p_within_of_point(r, d, cep) <= acc.p_within(r, cep) + 1e-12


@given(r=distances, d=distances, cep=cep_values)
def test_p_within_of_point_symmetric_in_direction(r: float, d: float, cep: float) -> None:
    assert acc.p_within_of_point(r, -d, cep) == acc.p_within_of_point(r, d, cep)


@given(d1=distances, d2=distances, cep=cep_values)
def test_p_within_of_point_decreases_with_distance(d1: float, d2: float, cep: float) -> None:
    near, far = sorted((d1, d2))
    r = cep / 4
    assert acc.p_within_of_point(r, far, cep) <= acc.p_within_of_point(r, near, cep) + 1e-12


@given(r=st.floats(min_value=0.0, max_value=1_000.0), cep=cep_values)
def test_limits(r: float, cep: float) -> None:
    assert acc.p_within_of_point(r, 0.0, cep) == pytest.approx(acc.p_within(r, cep), abs=1e-15)
    assert acc.p_within_of_point(r, 1e7 * cep, cep) == pytest.approx(0.0, abs=1e-12)
    assert acc.p_within(0.0, cep) == 0.0
    assert acc.p_within(1e6 * cep, cep) == 1.0


# --- sentences -------------------------------------------------------------------------


def test_describe_accuracy_worked_example() -> None:
    text = acc.describe_accuracy(
        150.0,
        aim_name="the air base",
        object_name="the residential block",
        object_distance_m=400.0,
        within_m=50.0,
    )
    assert text == (
        "With a CEP of 150 m, 90% of missiles aimed at the air base would land within 273 m "
        "of the aim point. The residential block is 400 m away: about 0.064% of missiles "
        "aimed at the air base would land within 50 m of it (about 1 in 1,600). These "
        "figures assume a circular normal dispersion around the aim point; observed misses "
        "may be larger or smaller than the stated CEP suggests."
    )


def test_describe_accuracy_no_verdict_words() -> None:
    text = acc.describe_accuracy(500.0, object_name="the hospital", object_distance_m=100.0)
    assert "With a CEP of 500 m, 90% of missiles would land within 911 m" in text
    for word in ("indiscriminate", "war crime", "unlawful", "guilty"):
        assert word not in text.lower()


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.9, "90%"), (0.042, "4.2%"), (0.00064, "0.064%"), (0.0, "0%"), (0.99999, "more than 99.9%")],
)
def test_format_percent(p: float, text: str) -> None:
    assert acc.format_percent(p) == text


@given(r=distances, d=distances, cep=cep_values)
def test_agrees_with_scipy_rayleigh_and_rice(r: float, d: float, cep: float) -> None:
    sigma = acc.sigma_from_cep(cep)
    assert acc.p_within(r, cep) == pytest.approx(stats.rayleigh.cdf(r, scale=sigma), abs=1e-12)
    rice = (
        stats.rice.cdf(r, d / sigma, scale=sigma) if d > 0 else stats.rayleigh.cdf(r, scale=sigma)
    )
    assert acc.p_within_of_point(r, d, cep) == pytest.approx(rice, abs=1e-9)
