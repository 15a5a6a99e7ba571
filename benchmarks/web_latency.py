"""Latency of the web workbench's overview, incident, evidence-list and evidence pages on
a large case.

The case (10,000 evidence items, 500 incidents) is generated straight into the database in
one transaction with one custody event: rows only, no media files, since the pages measured
read rows, not files. Each item has typical normalised metadata (capture time; GPS on two
in three) and a PDQ hash; each incident has a time, a place with precision, a weapon, two
casualty reports from graded sources and 20 linked items.

The server is `evidencelab serve` in its own process on a free loopback port. An httpx
client with CONCURRENCY parallel connections, logged in as a viewer, requests random
incident pages, random evidence-list pages (50 rows each), the evidence list filtered to
near-duplicates (the PDQ groups of all items), the overview and random evidence items'
pages. The baseline is a static file (the app's stylesheet) served by the same server in
the same run. Each page is requested REQUESTS times, or for BUDGET seconds when that comes
first (requests under way then finish), so that a page taking seconds bounds the run.
Prints per page the number of requests, p50 and p95 in milliseconds and both as multiples
of the baseline's p50 (the ratios cancel part of a shared machine's noise).

Run: `.venv/bin/python -m benchmarks.web_latency [--quick] [--requests N] [--budget S]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from evidencelab.locker.case import Case, init_case
from evidencelab.service.access import users
from evidencelab.store import db
from evidencelab.store.tables import (
    CasualtyReportRow,
    EvidenceItem,
    Incident,
    IncidentEvidence,
    PerceptualHashRow,
    Source,
)

CONCURRENCY = 8
PASSWORD = "benchmark-password"
BUDGET_S = 60.0  # seconds of requests per page at most


def generate_case(
    root: Path, evidence: int, incidents: int, seed: int = 7, *, records_logged: bool = True
) -> Case:
    """A case with ``evidence`` items and ``incidents`` incidents (rows only; see module).
    ``records_logged=False`` writes it through sessions that do not log records (the
    baseline of benchmarks/records_logging.py)."""
    rng = random.Random(seed)
    case = init_case(root, actor="benchmark")
    if not records_logged:
        case.sessions = db.session_factory(case.engine)
    with case.transaction() as session:
        # The payload of a real import: the ids it brought in (the review of facts reads
        # the incidents' from it).
        event = case.record(
            session,
            "import",
            None,
            {
                "title": "generated",
                "sources": [f"source-{s}" for s in range(10)],
                "evidence": [f"ev-{n:05d}" for n in range(evidence)],
                "incidents": [f"incident-{i:03d}" for i in range(incidents)],
            },
        )
        for s in range(10):
            session.add(
                Source(
                    id=f"source-{s}",
                    position=s,
                    kind="media" if s % 3 else "witness",
                    description=f"Generated source {s}",
                    sensitive=s % 3 == 0,
                    reliability=("high", "medium", "low")[s % 3],
                    extra={},
                )
            )
        session.flush()  # sources before the evidence naming them (a foreign key)
        for n in range(evidence):
            lat, lon = 47 + rng.random() * 3, 30 + rng.random() * 8
            meta = {
                "captured_at": f"2022-02-{1 + n % 28:02d}T{n % 24:02d}:00:00",
                "make": "Generated",
                "width": 1600,
                "height": 1200,
            }
            if n % 3:
                meta["gps"] = {"lat": lat, "lon": lon}
            sha = rng.getrandbits(256).to_bytes(32, "big").hex()
            session.add(
                EvidenceItem(
                    id=f"ev-{n:05d}",
                    sha256=sha,
                    size_bytes=200_000 + n,
                    original_name=f"photo-{n:05d}.jpg",
                    kind="photo" if n % 5 else "video",
                    media_type="image/jpeg" if n % 5 else "video/mp4",
                    source_id=f"source-{n % 10}",
                    sensitive=n % 50 == 0,  # as _run_load expects
                    first_ingested_at=f"2026-01-01T00:00:{n / 1000:09.6f}Z",
                    metadata_raw={"EXIF:Make": "Generated"},
                    metadata_normalised=meta,
                    extraction_errors=[],
                    extra={},
                )
            )
            session.add(
                PerceptualHashRow(
                    evidence_id=f"ev-{n:05d}",
                    algorithm="pdq",
                    hash_hex=rng.getrandbits(256).to_bytes(32, "big").hex(),
                    quality=100,
                )
            )
        session.flush()
        for i in range(incidents):
            lat, lon = 47 + rng.random() * 3, 30 + rng.random() * 8
            start = f"2022-02-{1 + i % 28:02d}T{i % 24:02d}:30:00+02:00"
            incident = Incident(
                id=f"incident-{i:03d}",
                position=i,
                title=f"Generated strike {i}",
                time={"start": start, "approximate": i % 2 == 0},
                time_start=start,
                place={"name": f"Place {i}", "lat": lat, "lon": lon, "precision_m": 250},
                weapon={"munition": "9M79 Tochka", "confidence": "medium"},
                objects_hit=[{"kind": "hospital"}],
                extra={},
            )
            incident.casualty_reports = [
                CasualtyReportRow(
                    position=r,
                    source_id=f"source-{(i + r) % 10}",
                    scope="incident",
                    civilian=True,
                    killed={"count": 2 + r, "qualifier": "at_least"},
                    injured={"count": 5, "qualifier": "approx"},
                    extra={},
                )
                for r in range(2)
            ]
            incident.evidence_links = [
                IncidentEvidence(evidence_id=f"ev-{(i * 20 + k) % evidence:05d}", position=k)
                for k in range(20)
            ]
            session.add(incident)
    assert event.seq > 0
    return case


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _measure(
    client: httpx.AsyncClient, urls: list[str], concurrency: int, budget_s: float
) -> tuple[list[float], int]:
    """Seconds per request (all answered 200), requested ``concurrency`` at a time; no
    request is started once ``budget_s`` seconds have passed."""
    queue = list(urls)
    times: list[float] = []
    failures = 0
    deadline = time.perf_counter() + budget_s

    async def worker() -> None:
        nonlocal failures
        while queue and time.perf_counter() < deadline:
            url = queue.pop()
            start = time.perf_counter()
            response = await client.get(url)
            times.append(time.perf_counter() - start)
            failures += response.status_code != 200

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return times, failures


def _percentile(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def _run_load(
    base: str, evidence: int, incidents: int, requests: int, budget_s: float
) -> dict[str, list[float]]:
    rng = random.Random(1)
    # No timeout: a page that reads the whole case takes minutes with 8 requests at once.
    async with httpx.AsyncClient(base_url=base, timeout=None) as client:
        form = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        login = await client.post(
            "/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": token.group(1)}
        )
        assert login.status_code == 303, login.text
        pages = max(1, evidence // 50)
        shown = [n for n in range(evidence) if n % 50]  # a viewer sees no sensitive item
        plans = {
            "static file (baseline)": ["/static/app.css"] * requests,
            "incident page": [
                f"/incidents/incident-{rng.randrange(incidents):03d}" for _ in range(requests)
            ],
            "evidence list": [
                f"/evidence?page={rng.randrange(1, pages + 1)}" for _ in range(requests)
            ],
            "evidence list, near-duplicates filter": ["/evidence?duplicates=yes"] * requests,
            "overview": ["/"] * requests,
            "evidence item page": [
                f"/evidence/ev-{rng.choice(shown):05d}" for _ in range(requests)
            ],
        }
        # Warm up: the connections, then one request per page (its caches, its templates).
        await _measure(client, plans["static file (baseline)"][:20], CONCURRENCY, budget_s)
        for urls in plans.values():
            await _measure(client, urls[:1], 1, budget_s)
        results: dict[str, list[float]] = {}
        for name, urls in plans.items():
            times, failures = await _measure(client, urls, CONCURRENCY, budget_s)
            assert failures == 0, f"{name}: {failures} requests failed"
            results[name] = times
        return results


def run(evidence: int, incidents: int, requests: int, budget_s: float = BUDGET_S) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "case"
        started = time.perf_counter()
        with generate_case(root, evidence, incidents) as case:
            users.add_user(case, "viewer", PASSWORD, "viewer")
        print(
            f"generated {evidence} evidence items and {incidents} incidents "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "evidencelab",
                "serve",
                "--case",
                str(root),
                "--port",
                str(port),
            ],
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 600
            while True:
                try:
                    httpx.get(base + "/login", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "server did not start"
                    time.sleep(0.2)
            results = asyncio.run(_run_load(base, evidence, incidents, requests, budget_s))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # still answering a slow request
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    baseline = statistics.median(results["static file (baseline)"])
    print(
        f"at most {requests} requests or {budget_s:.0f} s per page, "
        f"{CONCURRENCY} concurrent, loopback:"
    )
    for name, times in results.items():
        p50, p95 = statistics.median(times), _percentile(times, 95)
        print(
            f"  {name}: n {len(times)}, p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
            f"({p50 / baseline:.1f}x and {p95 / baseline:.1f}x the static file's p50)",
            flush=True,
        )
    return True


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_latency")
    parser.add_argument("--quick", action="store_true", help="1,000 items, 50 incidents")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="seconds per page at most")
    args = parser.parse_args()
    if args.quick:
        return 0 if run(1_000, 50, 100, args.budget) else 1
    return 0 if run(10_000, 500, args.requests, args.budget) else 1


if __name__ == "__main__":
    sys.exit(main())
