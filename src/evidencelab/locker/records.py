"""Every record of a case in the custody log, field by field.

A listener on a case's sessions collects each insert, update and delete of a row of a
logged table during a transaction. Just before the transaction commits, one custody event
(action ``records``) carries, for every row the transaction changed, its table, its key,
the operation, its new values and its old ones. Replaying these events in order gives the
state the software wrote; :func:`record_problems` compares that state with the rows as
stored and names every table, record and field that differ, every row no event accounts
for, and every logged row that is gone.

Values are logged as they are, except a value whose canonical JSON exceeds
:data:`DIGEST_ABOVE` characters, a binary value, or a secret column (a password hash): those
are logged as the SHA-256 of their canonical JSON (or of the bytes), and the change lists
them under ``new_digested`` (and ``old_digested``) so that the comparison knows which form it holds.

Tables that are not logged, and why, are listed in :data:`UNLOGGED`; every other table of
the case is. A bulk ``UPDATE``/``DELETE``/``INSERT`` statement through the ORM on a logged
table is refused, because it would bypass the listener.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import JSON, Float, Table, Text, event, inspect, select, text, type_coerce
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, object_session, sessionmaker

from evidencelab.locker.custody import (
    append_event,
    canonical_digest,
    canonical_json,
    event_payload,
)
from evidencelab.store.tables import Base, CustodyEvent

RECORDS_ACTION = "records"
# The first schema revision whose cases log their records; a case migrated from an earlier
# one gets a baseline event holding every row as it stood then.
LOGGED_SINCE = "0010"
# Values longer than this (as canonical JSON) are logged by their SHA-256.
DIGEST_ABOVE = 2048

UNLOGGED: dict[str, str] = {
    "custody_event": "the custody log itself",
    "web_session": "sign-in sessions: access control that expires, not a record of the case",
    "login_failure": "failed sign-ins kept for throttling, not a record of the case",
    "context_kind": "bit positions of context kinds in the spatial index, derived",
    "search_entry": "the full-text search index: derived from the records, rebuilt at will",
    "comment": "discussion: recorded with author and time, but not evidence",
    "comment_mention": "discussion: who a comment names",
    "activity_seen": "how far each user has read the activity feed",
    "viewing_preference": "how a user likes media shown (greyscale, blur): not case records",
    "context_object": (
        "map objects are many (a million per extract): those imported from a file are "
        "logged by the file's SHA-256 and object count in their context-import event, those "
        "added by hand by their context-add event, which verify compares field by field"
    ),
}
# Columns logged by digest whatever their size: secrets that a bundled log must not carry.
SECRET_COLUMNS: dict[str, frozenset[str]] = {"web_user": frozenset({"password_hash"})}

_WATCHED = "evidencelab_records_watched"
_PENDING = "evidencelab_record_changes"
_EVENTS = "evidencelab_transaction_events"


@cache
def logged_tables() -> tuple[Table, ...]:
    """The tables whose rows are logged, in dependency order."""
    return tuple(table for table in Base.metadata.sorted_tables if table.name not in UNLOGGED)


@cache
def _logged_names() -> frozenset[str]:
    return frozenset(table.name for table in logged_tables())


def _digest(value: Any) -> str:
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return canonical_digest(value)


def encode_row(table: str, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A row's values as logged, and the names of the fields logged by digest."""
    secret = SECRET_COLUMNS.get(table, frozenset())
    columns = Base.metadata.tables[table].columns
    encoded: dict[str, Any] = {}
    digested: list[str] = []
    for name, value in values.items():
        if isinstance(columns[name].type, Float) and isinstance(value, int):
            value = float(value)  # as the database gives it back: 12 is stored as 12.0
        if name in secret or isinstance(value, bytes) or _too_long(value):
            encoded[name] = _digest(value)
            digested.append(name)
        else:
            encoded[name] = value
    return encoded, sorted(digested)


def _too_long(value: Any) -> bool:
    """Whether a value's canonical JSON exceeds DIGEST_ABOVE (scalars never do; a string
    only when long enough that escaping could take it over)."""
    if value is None or isinstance(value, (bool, int, float)):
        return False
    if isinstance(value, str) and len(value) * 6 + 2 <= DIGEST_ABOVE:
        return False  # \uXXXX, the longest escape, is six characters
    return len(canonical_json(value)) > DIGEST_ABOVE


def row_key(table: Table, values: dict[str, Any]) -> Any:
    """A row's key as logged: the primary key's value, or a list for a composite key."""
    key = [values[column.name] for column in table.primary_key.columns]
    return key[0] if len(key) == 1 else key


def _label(table: str, key: Any) -> str:
    shown = "/".join(str(part) for part in key) if isinstance(key, list) else str(key)
    return f"{table} {shown}"


# -- collecting changes during a transaction --------------------------------------------


@dataclass
class _Change:
    table: Table
    obj: Any
    op: str  # insert | update | delete
    old: dict[str, Any] | None


def _columns(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {attr.columns[0].name: getattr(obj, attr.key) for attr in mapper.column_attrs}


def _old_columns(obj: Any) -> dict[str, Any]:
    """The values an object had before the flush now running changed it, as far as they
    were loaded (an object that replaces a deleted one with the same key has none)."""
    state = inspect(obj)
    old: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.deleted:
            old[attr.columns[0].name] = history.deleted[0]
        elif history.unchanged:
            old[attr.columns[0].name] = history.unchanged[0]
    return old


def _object_key(target: Any) -> Any:
    """An object's key as logged: from its identity (a loaded or deleted row), else from
    its key attributes (a row just inserted, or replacing a deleted one with its key)."""
    state = inspect(target)
    values = state.identity or state.mapper.primary_key_from_instance(target)
    return values[0] if len(values) == 1 else list(values)


def _logged_table(mapper: Mapper[Any]) -> Table | None:
    table = mapper.local_table
    return table if isinstance(table, Table) and table.name in _logged_names() else None


def _watching(target: Any) -> Session | None:
    """The session of ``target`` if it is one whose writes are logged."""
    session = object_session(target)
    return session if session is not None and session.info.get(_WATCHED) else None


def _note(session: Session, target: Any, op: str, old: dict[str, Any] | None) -> None:
    """Remember a row a flush wrote, in its session, until the transaction ends."""
    table = _logged_table(inspect(target).mapper)
    if table is None:
        return
    pending: dict[tuple[str, str], _Change] = session.info.setdefault(_PENDING, {})
    key = (table.name, canonical_json(_object_key(target)))
    earlier = pending.get(key)
    if op == "delete" and earlier is not None and earlier.op == "insert":
        del pending[key]  # written and removed in one transaction: nothing to log
    elif op == "delete":
        pending[key] = _Change(table, target, op, earlier.old if earlier else old)
    elif earlier is None:
        pending[key] = _Change(table, target, op, old)


@event.listens_for(Base, "after_insert", propagate=True)
def _inserted(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    session = _watching(target)
    if session is None:
        return
    if isinstance(target, CustodyEvent):
        session.info.setdefault(_EVENTS, []).append(target)
    else:
        _note(session, target, "insert", None)


@event.listens_for(Base, "after_update", propagate=True)
def _updated(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    # History is still intact here: the flush resets it only after every row is written.
    session = _watching(target)
    if session is not None:
        _note(session, target, "update", _old_columns(target))


@event.listens_for(Base, "after_delete", propagate=True)
def _deleted(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    session = _watching(target)
    if session is not None:
        _note(session, target, "delete", _old_columns(target))


def _change_record(change: _Change) -> dict[str, Any] | None:
    """A change as logged; None for an update that left every value as it was."""
    name = change.table.name
    new = None if change.op == "delete" else _columns(change.obj)
    if change.op == "update" and canonical_json(new) == canonical_json(change.old):
        return None
    record: dict[str, Any] = {
        "table": name,
        "key": _object_key(change.obj),
        "op": change.op,
    }
    for side, values in (("new", new), ("old", change.old)):
        if values is not None:
            record[side], digested = encode_row(name, values)
            if digested:
                record[f"{side}_digested"] = digested
    return record


def _transaction_subject(events: Iterable[CustodyEvent]) -> str | None:
    subjects = {e.subject for e in events if e.action != RECORDS_ACTION}
    return subjects.pop() if len(subjects) == 1 else None


def watch(factory: sessionmaker[Session], actor: Callable[[], str]) -> None:
    """Log every change of a logged table made through sessions of ``factory``."""

    def log_before_commit(session: Session) -> None:
        session.flush()
        pending: dict[tuple[str, str], _Change] = session.info.pop(_PENDING, {})
        events: list[CustodyEvent] = session.info.pop(_EVENTS, [])
        records = (_change_record(change) for change in pending.values())
        changes = [record for record in records if record is not None]
        if not changes:
            return
        append_event(
            session,
            actor=actor(),
            action=RECORDS_ACTION,
            subject=_transaction_subject(events),
            payload={"changes": changes},
        )
        session.info.pop(_PENDING, None)
        session.info.pop(_EVENTS, None)

    def forget(session: Session) -> None:
        session.info.pop(_PENDING, None)
        session.info.pop(_EVENTS, None)

    factory.configure(info={**factory.kw.get("info", {}), _WATCHED: True})
    event.listen(factory, "before_commit", log_before_commit)
    event.listen(factory, "after_rollback", forget)
    event.listen(factory, "do_orm_execute", _refuse_bulk_writes)


def _refuse_bulk_writes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if isinstance(table, Table) and table.name in _logged_names():
        raise RuntimeError(
            f"a bulk write to table {table.name} would bypass the custody log; "
            "change the rows through the session instead"
        )


def baseline(session: Session) -> dict[str, Any]:
    """Every logged row the log does not yet account for, as an insert (a ``records``
    payload): the record of a case as it stood when field-by-field logging began (a case
    created by an earlier version). Rows the log already holds are left to the comparison."""
    events = session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)).all()
    known = logged_state(events)
    changes = []
    for table, rows in _stored_rows(session):
        for values in rows:
            key = row_key(table, values)
            if (table.name, canonical_json(key)) in known:
                continue
            new, digested = encode_row(table.name, values)
            change = {"table": table.name, "key": key, "op": "insert", "new": new}
            changes.append(change | ({"new_digested": digested} if digested else {}))
    return {"changes": changes, "baseline": True}


# -- comparing the stored rows with the log ----------------------------------------------


@dataclass(frozen=True)
class LoggedRow:
    values: dict[str, Any]
    digested: frozenset[str]
    seq: int


def logged_states(
    events: Sequence[CustodyEvent], state: dict[tuple[str, str], LoggedRow] | None = None
) -> Iterator[tuple[CustodyEvent, dict[tuple[str, str], LoggedRow]]]:
    """Each event with the rows as the software had written them once it was recorded:
    the ``records`` events replayed in order into ``state`` (one dict, updated in place)."""
    state = {} if state is None else state
    for custody_event in events:
        if custody_event.action == RECORDS_ACTION:
            payload = event_payload(custody_event) or {}
            for change in payload.get("changes", []):
                key = (change["table"], canonical_json(change["key"]))
                if change["op"] == "delete":
                    state.pop(key, None)
                else:
                    digested = frozenset(change.get("new_digested", ()))
                    state[key] = LoggedRow(change["new"], digested, custody_event.seq)
        yield custody_event, state


def logged_state(events: Sequence[CustodyEvent]) -> dict[tuple[str, str], LoggedRow]:
    """The rows as the software wrote them: every ``records`` event replayed in order."""
    state: dict[tuple[str, str], LoggedRow] = {}
    deque(logged_states(events, state), maxlen=0)
    return state


def logged_rows(state: dict[tuple[str, str], LoggedRow], table: str) -> list[dict[str, Any]]:
    """The logged rows of one table (values as logged; digested fields as their digest)."""
    return [row.values for (name, _key), row in state.items() if name == table]


def stored_rows(session: Session, table: str) -> list[dict[str, Any]]:
    """The rows of one logged table as stored now."""
    return next(rows for t, rows in _stored_rows(session, [table]))


def _stored_rows(
    session: Session, only: Sequence[str] | None = None
) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Every row of every logged table (or of the tables ``only`` names). JSON columns are
    read as text and parsed here, so that a value edited into something that is not JSON
    is reported, not raised."""
    out = []
    for table in logged_tables():
        if only is not None and table.name not in only:
            continue
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        selected = [
            type_coerce(c, Text).label(c.name) if c.name in json_columns else c
            for c in table.columns
        ]
        query = select(*selected).order_by(*table.primary_key.columns)
        rows = [dict(row) for row in session.execute(query).mappings()]
        for row in rows:
            for name in json_columns:
                row[name] = _parsed(row[name])
        out.append((table, rows))
    return out


def _parsed(raw: object) -> Any:
    """A JSON column's stored value. SQLite keeps a number written into it from outside as
    a number, not text: it is taken as that number, to be compared like any value."""
    if raw is None or isinstance(raw, (int, float)):
        return raw
    if not isinstance(raw, str):
        return {"not JSON": repr(raw)}
    try:
        return json.loads(raw)
    except ValueError:
        return {"not JSON": raw}


def _shown(value: Any) -> str:
    text = canonical_json(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _differences(path: str, now: Any, logged: Any) -> list[tuple[str, Any, Any]]:
    """The innermost places where two JSON values differ, as (dotted path, now, logged)."""
    if isinstance(now, dict) and isinstance(logged, dict):
        found = []
        for key in sorted(set(now) | set(logged)):
            found.extend(_differences(f"{path}.{key}", now.get(key), logged.get(key)))
        return found
    if canonical_json(now) == canonical_json(logged):
        return []
    return [(path, now, logged)]


def _field_problems(label: str, values: dict[str, Any], logged: LoggedRow) -> list[str]:
    problems = []
    for name, logged_value in logged.values.items():
        if name in logged.digested:
            if _digest(values.get(name)) != logged_value:
                problems.append(
                    f"{label}: field {name} changed since custody event {logged.seq} logged "
                    "it (logged by its SHA-256)"
                )
            continue
        problems.extend(
            f"{label}: field {path} is {_shown(now)}, custody event {logged.seq} logged "
            f"{_shown(then)}"
            for path, now, then in _differences(name, values.get(name), logged_value)
        )
    # A column added by a migration after the event: its value must still be the empty
    # default the migration gave it, until an event logs another.
    problems.extend(
        f"{label}: field {name} is {_shown(value)}, no custody event logged it"
        for name, value in values.items()
        if name not in logged.values and value not in (None, False, "", [], {})
    )
    return problems


def record_problems(session: Session, events: Sequence[CustodyEvent]) -> list[str]:
    """Every logged table compared with the log: one line per field that differs, per row
    no event accounts for, and per logged row that is gone."""
    expected = logged_state(events)
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for table, rows in _stored_rows(session):
        for values in rows:
            key = row_key(table, values)
            ident = (table.name, canonical_json(key))
            seen.add(ident)
            label = _label(table.name, key)
            logged = expected.get(ident)
            if logged is None:
                problems.append(f"{label}: not in the custody log (written outside evidencelab)")
            else:
                problems.extend(_field_problems(label, values, logged))
    for (table_name, key_json), logged in expected.items():
        if (table_name, key_json) not in seen:
            label = _label(table_name, json.loads(key_json))
            problems.append(
                f"{label}: deleted outside evidencelab (custody event {logged.seq} logged it)"
            )
    return problems


def reference_problems(session: Session) -> list[str]:
    """Rows naming a record that does not exist (written with the database's foreign keys
    switched off, which SQLite allows any program to do): one line each."""
    if session.get_bind().dialect.name != "sqlite":
        return []  # other databases enforce their keys without an off switch
    problems = []
    for table_name, rowid, parent, fk_id in session.execute(text("PRAGMA foreign_key_check")):
        table = Base.metadata.tables.get(table_name)
        keys = session.execute(text(f'PRAGMA foreign_key_list("{table_name}")')).all()
        column = next(k[3] for k in keys if k[0] == fk_id)
        if table is None:
            problems.append(f"{table_name} row {rowid}: {column} names no {parent} in the case")
            continue
        row = session.execute(select(table).where(text(f"rowid = {int(rowid)}"))).mappings()
        values = dict(row.one())
        problems.append(
            f"{_label(table_name, row_key(table, values))}: {column} "
            f"{_shown(values[column])} names no {parent} in the case"
        )
    return problems
