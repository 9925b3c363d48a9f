"""Append audit events to the keyed hash chain, and verify the chain (SECURITY.md).

Each event's hash is HMAC-SHA256(TANDEM_AUDIT_KEY, canonical event + previous hash). The
canonical event is the JSON of its fields with sorted keys and no spaces. Appends take
the chain head row under ``select_for_update`` inside the caller's transaction, so
concurrent writers on PostgreSQL line up; on SQLite every write transaction is
BEGIN IMMEDIATE (settings), which serialises them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction

from tandem.services.actors import Actor, as_actor
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, ValidationFailed
from tandem.storage.models import AuditChainHead, AuditEvent

P = ParamSpec("P")
R = TypeVar("R")
GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "action", "patient_id", "record_type", "record_id", "ip")


def canonical(event: Any) -> str:
    """The fields an event's hash covers, as one canonical JSON string (an AuditEvent or
    a row with the same attributes)."""
    fields: dict[str, Any] = {name: getattr(event, name) for name in FIELDS}
    fields["at"] = event.at.isoformat()
    fields["outcome"] = event.outcome
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def event_hash(event: Any, prev_hash: str, keyed: Any = None) -> str:
    """HMAC-SHA256 over the canonical event and the previous hash. ``keyed`` is an HMAC
    already holding the key (``_keyed()``), copied per event to save re-keying."""
    mac = (keyed or _keyed()).copy()
    mac.update((canonical(event) + "|" + prev_hash).encode())
    return str(mac.hexdigest())


def _keyed() -> Any:
    return hmac.new(settings.TANDEM_AUDIT_KEY.encode(), digestmod=hashlib.sha256)


def record_event(
    actor: Actor | None,
    action: str,
    *,
    patient_id: int | None = None,
    record_type: str = "",
    record_id: Any = "",
    outcome: str = "ok",
) -> AuditEvent:
    """Append one event (who, action, patient, record, when, from where, outcome)."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=get_clock().now(),
            actor=actor.name if actor else "system",
            action=action,
            patient_id=patient_id,
            record_type=record_type,
            record_id="" if record_id is None else str(record_id),
            ip=actor.ip if actor else "",
            outcome=outcome,
            prev_hash=head.hash,
        )
        event.hash = event_hash(event, head.hash)
        event.save()
        AuditChainHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event


# The patient a service call is about, noted by the access functions, so that a write
# refused for bad input or a stale version is audited against that patient.
_subject: ContextVar[int | None] = ContextVar("tandem_audit_subject", default=None)


def note_subject(patient_id: int | None) -> None:
    _subject.set(patient_id)


def audited_failures(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record a write that failed validation or lost a version race (outcome ``invalid``
    or ``conflict``); denied and not-found attempts are recorded by the access checks.
    The decorated service takes the actor (or request, or user) first."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def audited(*args: P.args, **kwargs: P.kwargs) -> R:
            token = _subject.set(None)
            try:
                return service(*args, **kwargs)
            except (ValidationFailed, Conflict) as exc:
                record_event(as_actor(args[0]), action, patient_id=_subject.get(), outcome=exc.code)
                raise
            finally:
                _subject.reset(token)

        return audited

    return decorate


@dataclass(frozen=True)
class ChainReport:
    """The verdict on the chain: ``ok`` or the first break (sequence number and why)."""

    events: int
    first_break_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_break_seq is None


def _events() -> Iterator[Any]:
    """Every event as a light named row (no model instances: 1 M events must verify fast)."""
    columns = (*FIELDS, "outcome", "prev_hash", "hash")
    rows = AuditEvent.objects.order_by("seq", "pk").values_list(*columns, named=True)
    return rows.iterator(chunk_size=5000)


def verify_chain() -> ChainReport:
    """Walk the chain in sequence order; report the first edit, gap, insertion or reorder."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    keyed = _keyed()
    for event in _events():
        count += 1
        if event.seq != expected_seq:
            problem = f"event {expected_seq} missing or out of place (found {event.seq})"
            return ChainReport(count, expected_seq, problem)
        if event.prev_hash != prev_hash:
            return ChainReport(count, event.seq, "previous-hash link broken")
        if not hmac.compare_digest(event.hash, event_hash(event, prev_hash, keyed)):
            return ChainReport(count, event.seq, "event content does not match its hash")
        prev_hash, expected_seq = event.hash, expected_seq + 1
    return _check_head(count, expected_seq - 1, prev_hash)


def _check_head(count: int, last_seq: int, last_hash: str) -> ChainReport:
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != last_seq or head_hash != last_hash:
        return ChainReport(
            count, last_seq + 1, f"events missing after {last_seq} (head {head_seq})"
        )
    return ChainReport(count)
