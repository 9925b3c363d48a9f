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

from tandem.services import audit_head
from tandem.services.actors import Actor, as_actor
from tandem.services.clock import get_clock
from tandem.services.errors import Conflict, ServiceError, ValidationFailed
from tandem.storage.models import AuditChainHead, AuditEvent, Patient

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
    # Added after the first release: covered only when set, so older events still verify.
    if getattr(event, "patient_ids", ""):
        fields["patient_ids"] = event.patient_ids
    if getattr(event, "record_ids", ""):
        fields["record_ids"] = event.record_ids
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def event_hash(event: Any, prev_hash: str, keyed: Any = None) -> str:
    """HMAC-SHA256 over the canonical event and the previous hash. ``keyed`` is an HMAC
    already holding the key (``_keyed()``), copied per event to save re-keying."""
    mac = (keyed or _keyed()).copy()
    mac.update((canonical(event) + "|" + prev_hash).encode())
    return str(mac.hexdigest())


def _keyed() -> Any:
    return hmac.new(settings.TANDEM_AUDIT_KEY.encode(), digestmod=hashlib.sha256)


def head_mac(seq: int, last_hash: str) -> str:
    """The head's seal: HMAC-SHA256(audit key, "seq|hash"). Without the key nobody can
    move the head back after deleting the newest events."""
    mac = _keyed()
    mac.update(f"{seq}|{last_hash}".encode())
    return str(mac.hexdigest())


def record_event(
    actor: Actor | None,
    action: str,
    *,
    patient_id: int | None = None,
    record_type: str = "",
    record_id: Any = "",
    outcome: str = "ok",
    patient_ids: list[int] | None = None,
    record_ids: list[int] | None = None,
) -> AuditEvent:
    """Append one event (who, action, patient, record, when, from where, outcome).

    ``patient_ids``: for a list read, every patient the list showed (in order);
    ``record_ids``: the same for a list of other records (referrals). A refusal
    recorded inside an audited write without a record (e.g. a role refusal) is filled in
    with the record the write was about."""
    if not record_type and outcome != "ok" and _in_write.get():
        subject = _subject.get()
        if subject is not None and subject.patient_id == patient_id:
            record_type, record_id = subject.record_type, subject.record_id
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            id=1, defaults={"mac": head_mac(0, GENESIS)}
        )
        event = AuditEvent(
            seq=head.seq + 1,
            at=get_clock().now(),
            actor=actor.name if actor else "system",
            action=action,
            patient_id=patient_id,
            record_type=record_type,
            record_id="" if record_id is None else str(record_id),
            ip=actor.ip if actor else "",
            patient_ids=",".join(str(int(pk)) for pk in patient_ids or ()),
            record_ids=",".join(str(int(pk)) for pk in record_ids or ()),
            outcome=outcome,
            prev_hash=head.hash,
        )
        event.hash = event_hash(event, head.hash)
        event.save()
        AuditChainHead.objects.filter(id=1).update(
            seq=event.seq, hash=event.hash, mac=head_mac(event.seq, event.hash)
        )
        # Outside the database too, once this event has really committed.
        transaction.on_commit(
            functools.partial(audit_head.append_line, "seal", event.seq, event.hash)
        )
    return event


@dataclass(frozen=True)
class Subject:
    """What a service call is about: the patient, and the record (type and id)."""

    patient_id: int | None
    record_type: str = ""
    record_id: str = ""


# The patient and record a service call is about, noted by the access functions, so that
# a write refused for bad input or a stale version is audited against them.
_subject: ContextVar[Subject | None] = ContextVar("tandem_audit_subject", default=None)


def note_subject(patient_id: int | None, record_type: str = "", record_id: Any = "") -> None:
    _subject.set(Subject(patient_id, record_type, "" if record_id is None else str(record_id)))


_in_write: ContextVar[bool] = ContextVar("tandem_audit_in_write", default=False)


def in_audited_write() -> bool:
    """Whether a service call wrapped by ``audited_failures`` is running (then the write's
    own event carries the outcome, and the access check records only refusals)."""
    return _in_write.get()


def audited_failures(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record a write that was refused for bad input or a stale version (``invalid`` or
    ``conflict``), or that broke on an unexpected error (``failed``, then re-raised), as
    the write's one event, with the patient and record it was about. The write's own
    ``transaction.atomic`` block has rolled back by then, so this event stands outside it.
    Inside the call the access checks record only refusals of the read (``not_found`` /
    ``denied``): the write's own event, appended by the service on success or here on
    failure, is the one record of the operation, so a refused write never shows "ok".
    The decorated service takes the actor first."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def audited(*args: P.args, **kwargs: P.kwargs) -> R:
            token, writing = _subject.set(None), _in_write.set(True)
            try:
                return service(*args, **kwargs)
            except (ValidationFailed, Conflict) as exc:
                # (A role refusal, Forbidden, is recorded by permissions.require itself.)
                _record_refusal(args[0], action, exc.code)  # type: ignore[arg-type]  # the actor comes first
                raise
            except ServiceError:
                raise  # NotFound / Forbidden: recorded where they were raised
            except Exception:
                _record_refusal(args[0], action, "failed")  # type: ignore[arg-type]  # the actor comes first
                raise
            finally:
                _subject.reset(token)
                _in_write.reset(writing)

        return audited

    return decorate


def _record_refusal(actor: Actor, action: str, outcome: str) -> None:
    subject = _subject.get() or Subject(None)
    record_event(
        as_actor(actor),
        action,
        patient_id=subject.patient_id,
        record_type=subject.record_type,
        record_id=subject.record_id,
        outcome=outcome,
    )


@dataclass(frozen=True)
class ChainReport:
    """The verdict on the chain: ``ok`` or the first break (sequence number and why)."""

    events: int
    first_break_seq: int | None = None
    problem: str = ""
    external: str = ""  # what the comparison with TANDEM_AUDIT_HEAD_FILE found

    @property
    def ok(self) -> bool:
        return self.first_break_seq is None


def _events() -> Iterator[Any]:
    """Every event as a light named row (no model instances: 1 M events must verify fast)."""
    columns = (*FIELDS, "patient_ids", "record_ids", "outcome", "prev_hash", "hash")
    rows = AuditEvent.objects.order_by("seq", "pk").values_list(*columns, named=True)
    return rows.iterator(chunk_size=5000)


def verify_chain() -> ChainReport:
    """Walk the chain in sequence order; report the first edit, gap, insertion or reorder;
    then check the sealed head in the database and the head file outside it."""
    path = audit_head.configured_path()
    try:
        epoch = audit_head.read_epoch(path) if path else None
    except audit_head.HeadFileProblem as exc:
        return ChainReport(0, 0, f"audit head file {path}: {exc}")
    anchors = {line.seq: line for line in (epoch.restore, epoch.highest) if line} if epoch else {}
    seen: dict[int, str] = {}
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
        if event.seq in anchors:
            seen[event.seq] = event.hash
        prev_hash, expected_seq = event.hash, expected_seq + 1
    report = _check_head(count, expected_seq - 1, prev_hash)
    if not report.ok:
        return report
    if epoch is None:
        return ChainReport(count, external="no head file configured (TANDEM_AUDIT_HEAD_FILE)")
    return _check_head_file(count, path, epoch, seen)


def _check_head_file(
    count: int, path: Any, epoch: audit_head.Epoch, seen: dict[int, str]
) -> ChainReport:
    """The database must hold the file's restore point and highest sealed event, with
    the same hashes: else the log was wiped or truncated, or an older copy of the
    database was put back without ``tandem audit accept-restore``."""
    if epoch.highest is None:
        if count:
            return ChainReport(
                count,
                1,
                f"audit head file {path} is missing or empty while the log holds {count} "
                "events (if the setting was just turned on: tandem audit head --append)",
            )
        return ChainReport(0, external=f"head file {path} has no entries yet")
    for line in (epoch.restore, epoch.highest):
        if line is None or line.seq == 0:  # seq 0: an empty log was restored
            continue
        found = seen.get(line.seq)
        if found is None:
            return ChainReport(
                count,
                line.seq,
                f"the head file (line {line.number}) names event {line.seq}, but the log "
                f"ends at event {count}: events were deleted or an older copy of the "
                "database was restored (if that restore was intended: tandem audit "
                "accept-restore)",
            )
        if not hmac.compare_digest(found, line.hash):
            return ChainReport(
                count,
                line.seq,
                f"event {line.seq} differs from the head file (line {line.number}): the log "
                "was rewritten or the database replaced",
            )
    return ChainReport(count, external=f"matches head file {path} at event {epoch.highest.seq}")


def _check_head(count: int, last_seq: int, last_hash: str) -> ChainReport:
    """The sealed head must exist (once anything was logged), carry a valid seal and
    name the last event; otherwise the newest events were deleted or the head forged.
    An empty log in a database that holds patients was deleted: registering a patient
    is itself an audited write."""
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None:
        if count == 0:
            patients = Patient.objects.count()
            if patients:
                return ChainReport(
                    0, 1, f"the audit log is empty but the database holds {patients} patients"
                )
            return ChainReport(0)
        return ChainReport(count, last_seq + 1, "chain head missing")
    if not hmac.compare_digest(head.mac or "", head_mac(head.seq, head.hash)):
        return ChainReport(count, last_seq + 1, "chain head seal does not match (head forged)")
    if head.seq != last_seq or head.hash != last_hash:
        return ChainReport(
            count, last_seq + 1, f"events missing after {last_seq} (head {head.seq})"
        )
    return ChainReport(count)


def current_head() -> tuple[int, str]:
    """The database's sealed head (seq, hash); (0, GENESIS) before the first event."""
    head = AuditChainHead.objects.filter(id=1).first()
    return (head.seq, head.hash) if head else (0, GENESIS)


def accept_restore(actor: Actor | None = None) -> ChainReport:
    """Say that the database now in place was restored on purpose: if its own chain
    verifies, append a sealed ``restore`` line naming its head to the head file (a new
    epoch), then audit the acceptance. Returns the chain report (not ok: nothing done)."""
    report = verify_chain()
    if not report.ok and not _only_behind_the_file(report):
        return report
    seq, last_hash = current_head()
    audit_head.append_line("restore", seq, last_hash, strict=True)
    actor = as_actor(actor) if actor is not None else Actor(None, via="cli")
    record_event(actor, "audit.restore_accepted", record_type="audit_head", record_id=seq)
    return verify_chain()


def _only_behind_the_file(report: ChainReport) -> bool:
    """Whether the one problem is the head file naming events the database lacks (or
    holds differently): the expected state right after a restore."""
    problem = report.problem
    return problem.startswith("the head file (line ") or " differs from the head file " in problem
