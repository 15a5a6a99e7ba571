"""Login throttling that cannot lock the team out: failures count per name and client
address together (and per address across names), with growing delays and no lock of the
account; the delay is tested as a pure function of explicit times, never with sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from evidencelab.locker.case import open_case
from evidencelab.service.access import users
from evidencelab.service.access.users import (
    FREE_FAILURES_PER_CLIENT,
    FREE_FAILURES_PER_NAME,
    MAX_DELAY,
    LoginThrottled,
    login_delay,
)
from evidencelab.store.tables.users import LoginFailure
from evidencelab.web import WebSettings
from evidencelab.web.auth import SESSION_COOKIE
from test_web_support import PASSWORDS, client_for, login_token

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
STRANGER, OFFICE = "203.0.113.5", "198.51.100.7"  # documentation addresses (RFC 5737)


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def test_no_delay_for_the_free_failures() -> None:
    for failures in range(FREE_FAILURES_PER_NAME):
        assert login_delay(failures, T0, T0, free=FREE_FAILURES_PER_NAME) == timedelta(0)
    assert login_delay(0, None, T0, free=5) == timedelta(0)


def test_delays_double_with_each_further_failure_up_to_the_cap() -> None:
    waits = [login_delay(n, T0, T0, free=5) for n in range(5, 12)]
    assert waits == [
        seconds(1),
        seconds(2),
        seconds(4),
        seconds(8),
        seconds(16),
        seconds(32),
        seconds(64),
    ]
    assert login_delay(15, T0, T0, free=5) == MAX_DELAY  # 2^10 s would exceed 15 minutes
    assert login_delay(10**9, T0, T0, free=5) == MAX_DELAY  # no huge power is computed


def test_the_delay_counts_from_the_latest_failure() -> None:
    assert login_delay(8, T0, T0 + seconds(3), free=5) == seconds(5)  # 8 s after T0
    assert login_delay(8, T0, T0 + seconds(8), free=5) == timedelta(0)
    assert login_delay(8, T0, T0 + seconds(60), free=5) == timedelta(0)


def _record_failures(case_root: Path, name: str, client: str, count: int, at: datetime) -> None:
    """``count`` failed logins for ``name`` from ``client`` at ``at``, written as the login
    table holds them (authenticate would refuse to check the later ones)."""
    with open_case(case_root) as case, case.transaction() as session:
        for _ in range(count):
            session.add(LoginFailure(name=name, client=client, at=users._iso(at)))


def test_growing_waits_for_repeated_failures_from_one_address(demo: Path) -> None:
    """Each failure past the free ones makes the next attempt from that address wait twice
    as long; an attempt during the wait is refused without checking the password."""
    moment = T0
    _record_failures(demo, "alice", STRANGER, FREE_FAILURES_PER_NAME, moment)
    with open_case(demo) as case:
        for expected in (1, 2, 4, 8):
            with pytest.raises(LoginThrottled) as refused:
                users.authenticate(
                    case, "alice", PASSWORDS["alice"][1], client=STRANGER, now=moment
                )
            assert refused.value.retry_after == seconds(expected)
            assert f"try again in {expected} s" in str(refused.value)
            moment += seconds(expected)  # the wait is over: one more wrong guess
            assert users.authenticate(case, "alice", "wrong", client=STRANGER, now=moment) is None


def test_a_strangers_failures_do_not_stop_the_admin_from_another_address(demo: Path) -> None:
    _record_failures(demo, "alice", STRANGER, 30, T0)  # far past the free failures, and per address
    with open_case(demo) as case:
        with pytest.raises(LoginThrottled):
            users.authenticate(case, "alice", PASSWORDS["alice"][1], client=STRANGER, now=T0)
        principal = users.authenticate(case, "alice", PASSWORDS["alice"][1], client=OFFICE, now=T0)
        assert principal is not None and principal.role == "admin"
        # The admin's success clears nothing of the stranger's: the stranger still waits.
        with pytest.raises(LoginThrottled):
            users.authenticate(case, "alice", "guess", client=STRANGER, now=T0 + seconds(1))


def test_guessing_many_names_from_one_address_is_throttled_too(demo: Path) -> None:
    with open_case(demo) as case:
        for index in range(FREE_FAILURES_PER_CLIENT):
            assert users.authenticate(case, f"probe{index}", "x", client=STRANGER, now=T0) is None
        with pytest.raises(LoginThrottled) as refused:
            users.authenticate(case, "vic", PASSWORDS["vic"][1], client=STRANGER, now=T0)
        assert refused.value.retry_after == seconds(1)
        assert users.authenticate(case, "vic", PASSWORDS["vic"][1], client=OFFICE, now=T0)


def test_failures_older_than_the_window_no_longer_count(demo: Path) -> None:
    long_ago = T0 - users.THROTTLE_WINDOW - seconds(1)
    _record_failures(demo, "vic", STRANGER, 10, long_ago)
    with open_case(demo) as case:
        assert users.authenticate(case, "vic", PASSWORDS["vic"][1], client=STRANGER, now=T0)


def test_the_login_page_answers_429_with_retry_after_and_signs_in_from_elsewhere(
    demo: Path,
) -> None:
    """Through the login form, behind a trusted proxy that names each client's address: ten
    failures just recorded from the stranger's address (wait 32 s) refuse even the right
    password from there, while the admin signs in from the office at once."""
    _record_failures(demo, "alice", STRANGER, 10, datetime.now(UTC))
    settings = WebSettings(trusted_proxies=("testclient",))
    with client_for(demo, settings) as client:
        stranger = _log_in_from(client, STRANGER)
        assert stranger.status_code == 429
        assert "too many failed logins from this address" in stranger.text.lower()
        assert 0 < int(stranger.headers["retry-after"]) <= 32
        assert SESSION_COOKIE not in client.cookies
        office = _log_in_from(client, OFFICE)
        assert office.status_code == 303
        assert SESSION_COOKIE in client.cookies


def _log_in_from(client: TestClient, address: str) -> Response:
    headers = {"X-Forwarded-For": address}
    form = client.get("/login", headers=headers)
    data = {
        "name": "alice",
        "password": PASSWORDS["alice"][1],
        "csrf_token": login_token(form.text),
    }
    return client.post("/login", data=data, headers=headers)
