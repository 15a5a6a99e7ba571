"""A verifiable bundle: one zip holding a case's originals, custody log and exports, with a
manifest of SHA-256 per file, and the check a third party runs on it.

Layout (``evidencelab/bundle@1``)::

    case.yaml            the case file export (redacted in public mode)
    incidents.geojson    incident points (RFC 7946)
    incidents.csv        ACLED-style incident table
    custody/log.jsonl    every custody event, one JSON object a line, with its hashes
    custody/head.json    the case's custody head (newest event: seq and hash)
    capture-keys.json    the case's capture public keys as the custody log recorded them
                         (only when it has one; `bundle_signatures`)
    objects/<sha256>     every original (internal bundles only)
    manifest.json        format, created_at, tool version, the custody head (seq and hash),
                         and per file: path, sha256, size

In public mode the rules of the public report apply (`evidencelab.publish.redaction`):
originals are left out (the manifest lists their hashes with ``"included": false``);
sensitive and witness sources become ``protected-source-N`` and lose their descriptions,
notes and URLs, and their casualty reports keep the figures only; sensitive evidence is
dropped; collectors are removed; fields a record lists under ``sensitive_fields`` are
withheld; every source's ``sensitive_terms`` are withheld inside any text
(`evidencelab.publish.terms`), except in ids and references, which must stay valid: a term
left there stops the bundle, naming the field. Custody events that mention anything
sensitive keep their seq, time, actor, action and hashes but their subject and payload are
withheld (``"redacted": true``): their links are checked, their content cannot be. Every
text of the bundle is then searched for every sensitive string and term, and the bundle is
not written if one remains.

An original whose bytes no longer match their SHA-256 is never copied into a bundle: the
bundle is refused, naming the object (`evidencelab verify` says more).

`check_bundle` never extracts anything to disk: it reads entries through size-limited
streams after refusing unsafe names, symlinks, duplicates and zip bombs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import select

from evidencelab import __version__
from evidencelab.analysis.casualties import incident_casualties_for_case
from evidencelab.locker.case import Case, CaseError
from evidencelab.locker.custody import (
    Head,
    canonical_json,
    chain_problems,
    read_head,
    utc_now,
)
from evidencelab.model import CaseFile
from evidencelab.model.casefile import case_file_from_dict, case_file_to_dict, dump_case_file
from evidencelab.publish.exports import incidents_csv, incidents_geojson
from evidencelab.publish.redaction import (
    PROTECTED_DESCRIPTION,
    WITHHELD,
    marked_values,
    protected_sources,
    replace_strings,
    sensitive_pattern,
)
from evidencelab.publish.terms import (
    TermMatcher,
    redact_values,
    source_terms,
    term_locations,
    text_locations,
)
from evidencelab.service.exchange.casefile import export_case
from evidencelab.service.outputs.bundle_signatures import (
    CAPTURE_KEYS,
    bundled_keys,
    check_signatures,
)
from evidencelab.service.outputs.records import (
    BundleCheck,
    BundleManifest,
    HeadFile,
    LoggedEvent,
    ManifestFile,
    SignatureCheck,
)
from evidencelab.store.atomic import replacing
from evidencelab.store.objects import sha256_bytes, sha256_file
from evidencelab.store.tables import Acquisition, CustodyEvent, EvidenceItem

BUNDLE_FORMAT = "evidencelab/bundle@1"
MANIFEST = "manifest.json"
LOG = "custody/log.jsonl"
HEAD = "custody/head.json"

# Limits of check_bundle (zip bomb and resource guards).
MAX_ENTRIES = 100_000
MAX_TOTAL_BYTES = 64 * 2**30
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1 * 2**20  # entries smaller than this are not ratio-checked
MAX_META_BYTES = 256 * 2**20  # manifest, log, head: read into memory
CHUNK = 1 << 20

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed entry times: same case, same entry bytes
_DRIVE = re.compile(r"^[A-Za-z]:")
# Case file keys whose text values are ids or references to ids: never rewritten.
_REFERENCE_KEYS = frozenset({"id", "source", "evidence", "scene", "format"})


@dataclass(frozen=True)
class BundleSummary:
    """What `write_bundle` wrote."""

    path: Path
    sha256: str
    size: int
    public: bool
    files: int
    objects_included: int
    objects_listed: int
    redacted_events: int = 0


@dataclass
class _Entry:
    path: str
    sha256: str
    size: int
    included: bool = True


@dataclass
class _Redaction:
    """Sensitive ids and strings of a case, and the placeholders for sensitive sources."""

    source_ids: dict[str, str] = field(default_factory=dict)
    evidence_ids: set[str] = field(default_factory=set)
    evidence_shas: set[str] = field(default_factory=set)
    strings: set[str] = field(default_factory=set)
    terms: TermMatcher = field(default_factory=lambda: TermMatcher(()))

    def mentions(self, text: str | None) -> bool:
        if text is None:
            return False
        return any(s in text for s in self.strings) or bool(self.terms.found(text))


# ---------------------------------------------------------------- writing


def write_bundle(case: Case, out: Path, *, public: bool = False) -> BundleSummary:
    """Write the case's verifiable bundle to ``out`` (whole or not at all:
    store.atomic.replacing); record the export in the custody log with the bundle's SHA-256."""
    case_file, redaction = public_case_file(case) if public else (export_case(case), _Redaction())
    figures = incident_casualties_for_case(case_file)
    texts: list[tuple[str, bytes]] = [
        ("case.yaml", dump_case_file(case_file).encode("utf-8")),
        ("incidents.geojson", _json_bytes(incidents_geojson(case_file, figures))),
        ("incidents.csv", incidents_csv(case_file, figures, public=public).encode("utf-8")),
    ]
    log, redacted = _custody_log(case, redaction)
    head = _head(case)
    texts += [(LOG, log), (HEAD, _head_bytes(head))]
    if keys := bundled_keys(case):
        texts.append((CAPTURE_KEYS, _json_bytes(keys)))
    if public:
        _refuse_leaks(texts, redaction, _actors(case))
    objects = _object_shas(case, redaction)
    with replacing(out) as temporary:
        entries = _write_zip(case, temporary, texts, objects, head, include_objects=not public)
    digest, size = sha256_file(out), out.stat().st_size
    with case.transaction() as session:
        case.record(
            session, "export", None, {"format": "bundle", "public": public, "sha256": digest}
        )
    return BundleSummary(
        path=out,
        sha256=digest,
        size=size,
        public=public,
        files=sum(e.included for e in entries) + 1,
        objects_included=0 if public else len(objects),
        objects_listed=len(objects),
        redacted_events=redacted,
    )


def _write_zip(
    case: Case,
    tmp: Path,
    texts: list[tuple[str, bytes]],
    objects: list[str],
    head: Head | None,
    *,
    include_objects: bool,
) -> list[_Entry]:
    entries: list[_Entry] = []
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in texts:
            archive.writestr(_info(name), data)
            entries.append(_Entry(name, sha256_bytes(data), len(data)))
        for sha in objects:
            name = f"objects/{sha}"
            source = case.objects.path(sha)
            if include_objects:
                entry = _copy_object(archive, name, source)
                if entry.sha256 != sha:
                    raise CaseError(
                        f"object {sha}: its bytes no longer match their SHA-256 "
                        "(run `evidencelab verify`); no bundle written"
                    )
                entries.append(entry)
            else:
                entries.append(_Entry(name, sha, source.stat().st_size, included=False))
        archive.writestr(_info(MANIFEST), _json_bytes(_manifest(entries, head)))
    return entries


def _copy_object(archive: zipfile.ZipFile, name: str, source: Path) -> _Entry:
    hasher = hashlib.sha256()
    size = 0
    with open(source, "rb") as handle, archive.open(_info(name), "w", force_zip64=True) as sink:
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
            size += len(chunk)
            sink.write(chunk)
    return _Entry(name, hasher.hexdigest(), size)


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def _manifest(entries: list[_Entry], head: Head | None) -> BundleManifest:
    files = []
    for e in entries:
        item: ManifestFile = {"path": e.path, "sha256": e.sha256, "size": e.size}
        if not e.included:
            item["included"] = False
        files.append(item)
    return {
        "format": BUNDLE_FORMAT,
        "created_at": utc_now(),
        "tool": {"name": "evidencelab", "version": __version__},
        "custody_head": _head_json(head),
        "files": files,
    }


def _custody_log(case: Case, redaction: _Redaction) -> tuple[bytes, int]:
    lines: list[str] = []
    redacted = 0
    with case.sessions() as session:
        for event in session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)):
            record = _event_json(event)
            if redaction.mentions(event.subject) or redaction.mentions(event.payload):
                record["subject"], record["payload"], record["redacted"] = None, None, True
                redacted += 1
            lines.append(canonical_json(record) + "\n")
    return "".join(lines).encode("utf-8"), redacted


def _event_json(event: CustodyEvent) -> LoggedEvent:
    return {
        "seq": event.seq,
        "recorded_at": event.recorded_at,
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _head(case: Case) -> Head | None:
    """The case's head file; the newest event if the case has none."""
    head = read_head(case.head_path)
    if head is None:
        with case.sessions() as session:
            last = session.scalars(
                select(CustodyEvent).order_by(CustodyEvent.seq.desc()).limit(1)
            ).first()
        head = Head(seq=last.seq, hash=last.hash) if last else None
    return head


def _head_json(head: Head | None) -> HeadFile:
    return {} if head is None else {"seq": head.seq, "hash": head.hash}


def _head_bytes(head: Head | None) -> bytes:
    return (canonical_json(_head_json(head)) + "\n").encode("utf-8")


def _object_shas(case: Case, redaction: _Redaction) -> list[str]:
    """Originals, by hash, sorted (sensitive ones left out of public bundles)."""
    with case.sessions() as session:
        shas = set(session.scalars(select(EvidenceItem.sha256)))
    return sorted(shas - redaction.evidence_shas)


# ---------------------------------------------------------------- redaction


def public_case_file(case: Case) -> tuple[CaseFile, _Redaction]:
    """The case file as a public bundle holds it, and what was withheld from it."""
    case_file = export_case(case)
    redaction = _redaction(case, case_file_to_dict(case_file))
    return _redact_case_file(case_file, redaction), redaction


def _redaction(case: Case, document: dict[str, Any]) -> _Redaction:
    """What a public bundle withholds, by the public report's rules."""
    redaction = _Redaction(
        source_ids=protected_sources(document.get("sources", [])),
        terms=TermMatcher(source_terms(document.get("sources", []))),
    )
    for source in document.get("sources", []):
        if source["id"] in redaction.source_ids:
            redaction.strings |= _strings(
                source["id"], source.get("description"), source.get("notes"), source.get("url")
            )
    for incident in document.get("incidents", []):
        for report in incident.get("casualties", []):
            if report.get("source") in redaction.source_ids:
                redaction.strings |= _strings(report.get("quote"), report.get("notes"))
    redaction.strings |= marked_values(document)
    with case.sessions() as session:
        for acq in session.scalars(select(Acquisition)):
            redaction.strings |= _strings(acq.collector)
        for item in session.scalars(select(EvidenceItem).where(EvidenceItem.sensitive.is_(True))):
            redaction.evidence_ids.add(item.id)
            redaction.evidence_shas.add(item.sha256)
            redaction.strings |= _strings(item.id, item.original_name, item.case_path, item.sha256)
            for acq in session.scalars(
                select(Acquisition).where(Acquisition.evidence_id == item.id)
            ):
                redaction.strings |= _strings(acq.url, acq.note, acq.original_path)
    # A placeholder is public by design.
    redaction.strings -= set(redaction.source_ids.values()) | {PROTECTED_DESCRIPTION, WITHHELD}
    return redaction


def _strings(*values: str | None) -> set[str]:
    return {v for v in values if v and len(v) >= 3}


def _redact_case_file(case_file: CaseFile, redaction: _Redaction) -> CaseFile:
    """The case file without sensitive evidence or collectors, with protected sources as
    placeholders (kind and reliability kept, so public figures are computed as internal
    ones), marked fields and every other sensitive string withheld."""
    data = _withhold_marked(case_file_to_dict(case_file))
    data["sources"] = [_redact_source(s, redaction) for s in data.get("sources", [])]
    data["evidence"] = [
        _public_evidence(e)
        for e in data.get("evidence", [])
        if e["id"] not in redaction.evidence_ids
    ]
    for incident in data.get("incidents", []):
        incident["evidence"] = [
            e for e in incident.get("evidence", []) if e not in redaction.evidence_ids
        ]
        incident["casualties"] = [
            _redact_report(r, redaction) for r in incident.get("casualties", [])
        ]
    replaced = _replace_ids(data, redaction.source_ids)
    withheld = replace_strings(replaced, sensitive_pattern(redaction.strings), {})
    withheld = redact_values(withheld, redaction.terms, WITHHELD, keep=_REFERENCE_KEYS)
    left = term_locations(withheld, redaction.terms)
    if left:
        where, term = left[0]
        raise CaseError(
            f"public case file: {where} holds {term.label}, and ids are not rewritten; "
            "change the id or the term; nothing written"
        )
    return case_file_from_dict(withheld, origin="public bundle")


def _public_evidence(entry: dict[str, Any]) -> dict[str, Any]:
    """An evidence entry as a public bundle holds it: no collector, and of its sensitivity
    only the flags and whether it was cleared (a content warning a reader needs); the
    reasons and the notes of who watched it are the team's working record, withheld."""
    public = {k: v for k, v in entry.items() if k not in ("collector", "reviewed_by")}
    for flag in public.get("flags") or ():
        flag["reason"] = WITHHELD
    if public.get("clearance"):
        public["clearance"] = {**public["clearance"], "reason": WITHHELD}
    return public


def _withhold_marked(value: Any) -> Any:
    """Fields a record lists under ``sensitive_fields``: text becomes ``[withheld]`` (so a
    required field stays valid), anything else is dropped."""
    if isinstance(value, dict):
        result = {k: _withhold_marked(v) for k, v in value.items()}
        for name in value.get("sensitive_fields") or ():
            if isinstance(result.get(name), str):
                result[name] = WITHHELD
            else:
                result.pop(name, None)
        return result
    if isinstance(value, list):
        return [_withhold_marked(v) for v in value]
    return value


def _redact_source(source: dict[str, Any], redaction: _Redaction) -> dict[str, Any]:
    if source["id"] not in redaction.source_ids:
        return {k: v for k, v in source.items() if k != "sensitive_terms"}
    kept = {k: source[k] for k in ("id", "kind", "reliability") if source.get(k) is not None}
    return kept | {"description": PROTECTED_DESCRIPTION, "sensitive": True}


def _redact_report(report: dict[str, Any], redaction: _Redaction) -> dict[str, Any]:
    """A protected source's report keeps its figures only (no quote, no notes), with what
    decides whether they are used (its id, time, what it replaces, that it was withdrawn),
    so that public figures equal internal ones."""
    if report.get("source") not in redaction.source_ids:
        return report
    keys = ("id", "source", "scope", "civilian", "killed", "injured", "reported_at", "supersedes")
    kept = {k: report[k] for k in keys if k in report}
    if report.get("withdrawn") is not None:
        kept["withdrawn"] = {"reason": WITHHELD}
    return kept


def _actors(case: Case) -> set[str]:
    with case.sessions() as session:
        return set(session.scalars(select(CustodyEvent.actor).distinct()))


def _refuse_leaks(texts: list[tuple[str, bytes]], redaction: _Redaction, actors: set[str]) -> None:
    """The last line of defence: no text of a public bundle may hold a sensitive string.

    The names of the people who used the tool (custody ``actor``) are exempt: the log keeps
    them by design, and an investigator who collected an item is often also its ingester.
    """
    for name, data in texts:
        text = data.decode("utf-8")
        found = sorted(s for s in redaction.strings - actors if s in text)
        if found:
            raise CaseError(
                f"public bundle: {len(found)} sensitive string(s) would remain in {name}; "
                "no bundle written"
            )
        refuse_term_leaks(name, text, redaction.terms)


def refuse_term_leaks(name: str, text: str, terms: TermMatcher) -> None:
    """Refuse a public text (file ``name``) that holds a sensitive term, naming the term by
    its source and number and the place by file and line, never repeating the term."""
    left = text_locations(name, text, terms)
    if left:
        where, term = left[0]
        raise CaseError(f"public output: {term.label} would remain in {where}; nothing written")


def _replace_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_replace_ids(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _replace_ids(v, ids) for k, v in value.items()}
    return value


# ---------------------------------------------------------------- checking


def check_bundle(path: Path) -> list[str]:
    """Every problem with the bundle at ``path``, one line each; empty when intact.

    Unsafe entries (absolute paths, ``..``, backslashes or drive letters, symlinks,
    duplicate names, zip bombs) are refused before anything is read. Then every file is
    checked against the manifest (SHA-256 and size; missing and unlisted files named) and
    the custody chain is walked from ``custody/log.jsonl`` and ``custody/head.json``, and
    every signed capture WACZ is checked (`bundle_signatures`).
    """
    return bundle_check(path)["problems"]


def bundle_check(path: Path) -> BundleCheck:
    """`check_bundle`'s problems, with what it found of the captures' WACZ signatures."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            refused = _refusals(infos)
            if refused:
                return _found(refused)
            return _verify(archive, {i.filename: i for i in infos})
    except FileNotFoundError:
        return _found([f"{path}: file not found"])
    except (zipfile.BadZipFile, OSError) as exc:
        return _found([f"{path}: not a readable zip file ({exc})"])


def _found(problems: list[str], signatures: SignatureCheck | None = None) -> BundleCheck:
    none: SignatureCheck = {"signed": 0, "unsigned": 0, "not_held": 0, "problems": []}
    return {"problems": problems, "signatures": signatures or none}


def _refusals(infos: list[zipfile.ZipInfo]) -> list[str]:
    if len(infos) > MAX_ENTRIES:
        return [f"refused: {len(infos)} entries (limit {MAX_ENTRIES})"]
    problems = [p for info in infos if (p := _unsafe(info))]
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            problems.append(f"{info.filename}: refused: duplicate entry name")
        seen.add(info.filename)
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        problems.append(f"refused: entries would expand to {total} bytes (limit {MAX_TOTAL_BYTES})")
    return problems


def _unsafe(info: zipfile.ZipInfo) -> str | None:
    """Why this entry is refused, or None. Names are judged as stored, before any
    normalisation (zipfile turns backslashes into slashes on Windows only)."""
    name = info.orig_filename
    reason = None
    if "\\" in name or _DRIVE.match(name):
        reason = "backslash or drive letter in path"
    elif name.startswith("/"):
        reason = "absolute path"
    elif ".." in PurePosixPath(name).parts:
        reason = "path traversal (..)"
    elif stat.S_ISLNK(info.external_attr >> 16):
        reason = "symbolic link"
    elif info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
        info.compress_size, 1
    ):
        reason = (
            f"compression ratio {info.file_size // max(info.compress_size, 1)}:1 "
            f"exceeds {MAX_RATIO}:1 (zip bomb)"
        )
    return f"{name}: refused: {reason}" if reason else None


def _verify(archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> BundleCheck:
    if MANIFEST not in infos:
        return _found([f"{MANIFEST}: missing"])
    try:
        manifest = json.loads(_read_small(archive, infos[MANIFEST]))
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        return _found([f"{MANIFEST}: unreadable ({exc})"])
    if manifest.get("format") != BUNDLE_FORMAT:
        return _found([f"{MANIFEST}: unsupported format {manifest.get('format')!r}"])
    problems = _file_problems(archive, infos, files)
    listed = {f.get("path") for f in files if isinstance(f, dict)} | {MANIFEST}
    problems += [f"{name}: not listed in the manifest" for name in infos if name not in listed]
    if LOG in infos and HEAD in infos:
        problems += _custody_problems(archive, infos, manifest.get("custody_head"))
    signatures = _signatures(archive, infos)
    return _found(problems + signatures["problems"], signatures)


def _signatures(archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> SignatureCheck:
    """The captures' WACZ signatures, by the log's own lines (a log that cannot be read is
    named by the custody check already)."""
    lines: list[dict[str, Any]] = []
    if LOG in infos:
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            for line in _read_small(archive, infos[LOG]).decode("utf-8").splitlines():
                with contextlib.suppress(ValueError):
                    parsed = json.loads(line)
                    lines += [parsed] if isinstance(parsed, dict) else []
    try:
        return check_signatures(archive, set(infos), lines)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        unread = [f"{LOG}: capture events unreadable ({exc})"]
        return {"signed": 0, "unsigned": 0, "not_held": 0, "problems": unread}


def _file_problems(
    archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], files: list[Any]
) -> list[str]:
    problems: list[str] = []
    for item in files:
        name = item.get("path") if isinstance(item, dict) else None
        if not isinstance(name, str):
            problems.append(f"{MANIFEST}: malformed file entry {item!r}")
        elif item.get("included", True) is False:
            if name in infos:
                problems.append(f"{name}: present but the manifest says it is not included")
        elif name not in infos:
            problems.append(f"{name}: missing from the bundle")
        else:
            problems += _entry_problems(archive, infos[name], item)
    return problems


def _entry_problems(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, item: dict[str, Any]
) -> list[str]:
    name = info.filename
    try:
        digest, size = _hash_entry(archive, info)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [f"{name}: unreadable ({exc})"]
    problems = []
    if size != item.get("size"):
        problems.append(f"{name}: size {size} differs from the manifest's {item.get('size')}")
    if digest != item.get("sha256"):
        problems.append(f"{name}: altered (SHA-256 {digest} differs from the manifest)")
    if name.startswith("objects/") and item.get("sha256") != name.removeprefix("objects/"):
        problems.append(f"{name}: manifest hash does not match the object's name")
    return problems


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """An entry's bytes in chunks, stopping with ValueError past its declared size or
    ``limit`` (headers can lie about sizes)."""
    read = 0
    with archive.open(info) as stream:
        while chunk := _read(stream):
            read += len(chunk)
            if read > info.file_size or read > limit:
                raise ValueError("more data than its header declares (zip bomb?)")
            yield chunk


def _read(stream: IO[bytes]) -> bytes:
    return stream.read(CHUNK)


def _hash_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    for chunk in _chunks(archive, info, MAX_TOTAL_BYTES):
        hasher.update(chunk)
        size += len(chunk)
    return hasher.hexdigest(), size


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_META_BYTES:
        raise ValueError(f"larger than {MAX_META_BYTES} bytes")
    return b"".join(_chunks(archive, info, MAX_META_BYTES))


def _custody_problems(
    archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo], manifest_head: Any
) -> list[str]:
    """The chain of the bundled log, its head file, and the head the manifest records
    (bundles written before the manifest recorded it have none to compare)."""
    try:
        head_data = json.loads(_read_small(archive, infos[HEAD]))
        head = Head(seq=int(head_data["seq"]), hash=str(head_data["hash"])) if head_data else None
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{HEAD}: unreadable ({exc})"]
    if manifest_head is not None and manifest_head != _head_json(head):
        return [f"{MANIFEST}: custody head {manifest_head} differs from {HEAD} {head_data}"]
    try:
        text = _read_small(archive, infos[LOG]).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"{LOG}: unreadable ({exc})"]
    events: list[CustodyEvent] = []
    redacted: set[int] = set()
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            event, hidden = _event_from_line(line)
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{LOG}: line {number}: not a custody event ({exc})")
            continue
        events.append(event)
        if hidden:
            redacted.add(event.seq)
    chain = chain_problems(events, head)
    problems += [f"{LOG}: {p}" for p in chain if not _redacted_content_line(p, redacted)]
    return problems


def bundle_head(path: Path) -> Head | None:
    """The custody head a bundle's manifest records; None when it records none or cannot
    be read. Trust it only when `check_bundle` finds no problem."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(_read_small(archive, archive.getinfo(MANIFEST)))
        data = manifest["custody_head"]
        return Head(seq=int(data["seq"]), hash=str(data["hash"]))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, TypeError):
        return None


def _event_from_line(line: str) -> tuple[CustodyEvent, bool]:
    """A custody event rebuilt from its log line (a detached row: no database involved)."""
    data = json.loads(line)
    event = CustodyEvent(
        seq=int(data["seq"]),
        recorded_at=str(data["recorded_at"]),
        actor=str(data["actor"]),
        action=str(data["action"]),
        subject=data["subject"],
        payload=data["payload"] if data["payload"] is not None else "",
        prev_hash=str(data["prev_hash"]),
        hash=str(data["hash"]),
    )
    return event, data.get("redacted") is True


def _redacted_content_line(problem: str, redacted: set[int]) -> bool:
    """A content-hash complaint about an event whose content the public bundle withholds
    (its links are still checked)."""
    match = re.match(r"custody log: event (\d+) \(", problem)
    if match is None:
        return False
    return int(match.group(1)) in redacted and "was altered" in problem


# ---------------------------------------------------------------- files


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
