"""The audit chain head, also written outside the database (TANDEM_AUDIT_HEAD_FILE).

Each time the head is sealed (after the appending transaction commits) one line is
appended to a plain-text file that a clinic can print and keep::

    2026-12-04T05:01:02Z seal seq=123 hash=<64 hex> mac=<64 hex>

``mac`` is the same HMAC seal the database head carries (``audit.head_mac``). A restore
the operator meant (``tandem restore``, ``tandem audit accept-restore``) appends a
``restore`` line naming the head of the restored database; the lines after the last
``restore`` line are the file's current *epoch*. ``tandem audit verify`` checks that the
database's chain holds the highest sealed event of that epoch, with the same hash:
a wiped or truncated log, or an older database put back without saying so, cannot.
Because every hash covers the one before it, matching that one event matches the whole
chain up to it. A file that lags the database (a crash between commit and append) is
fine: the database may be ahead of the file, never behind it.

The file is opened for appending only; make it append-only for the operating system
too (``chattr +a``) or ship it to write-once storage (docs/backup.md).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tandem.services.clock import get_clock

logger = logging.getLogger(__name__)
LINE = re.compile(
    r"^(?P<at>\S+) (?P<kind>seal|restore) seq=(?P<seq>\d+) "
    r"hash=(?P<hash>[0-9a-f]{64}) mac=(?P<mac>[0-9a-f]{64})$"
)


class HeadFileProblem(Exception):
    """The head file cannot be read, or a line is malformed or wrongly sealed."""


def configured_path() -> Path | None:
    path = getattr(settings, "TANDEM_AUDIT_HEAD_FILE", None)
    return Path(path) if path else None


def line_mac(kind: str, seq: int, last_hash: str) -> str:
    """A seal line's mac is the database head's seal; a restore line's is keyed apart,
    so no seal line can be passed off as a restore."""
    message = f"{seq}|{last_hash}" if kind == "seal" else f"restore|{seq}|{last_hash}"
    key = settings.TANDEM_AUDIT_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def format_line(kind: str, seq: int, last_hash: str) -> str:
    at = get_clock().now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{at} {kind} seq={seq} hash={last_hash} mac={line_mac(kind, seq, last_hash)}\n"


def append_line(kind: str, seq: int, last_hash: str, *, strict: bool = False) -> None:
    """Append one line (one ``write`` on an O_APPEND descriptor: concurrent processes do
    not interleave) and fsync it. A failure is logged (never the line's content beyond
    its kind) and, unless ``strict``, not raised: the database write it follows has
    committed already; verify then finds the file behind, which it allows."""
    path = configured_path()
    if path is None:
        return
    data = format_line(kind, seq, last_hash).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        logger.error("could not append the audit %s line to the head file: %s", kind, exc)
        if strict:
            raise


@dataclass(frozen=True)
class HeadLine:
    number: int  # line number in the file, from 1
    kind: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Epoch:
    """The file's lines since its last restore line: the anchor to compare against."""

    restore: HeadLine | None
    highest: HeadLine | None
    lines: int


def read_epoch(path: Path) -> Epoch:
    """Parse the whole file and return its current epoch; raise HeadFileProblem on a
    malformed or wrongly sealed line (a forged or damaged file)."""
    restore: HeadLine | None = None
    highest: HeadLine | None = None
    count = 0
    try:
        handle = path.open(encoding="ascii", errors="strict")
    except FileNotFoundError:
        return Epoch(None, None, 0)
    with handle:
        try:
            for number, text in enumerate(handle, start=1):
                count += 1
                line = _parse(number, text.rstrip("\n"))
                if line.kind == "restore":
                    restore, highest = line, line
                elif highest is None or line.seq > highest.seq:
                    highest = line
        except UnicodeDecodeError:
            raise HeadFileProblem(f"line {count}: not plain text (damaged)") from None
    return Epoch(restore, highest, count)


def _parse(number: int, text: str) -> HeadLine:
    match = LINE.match(text)
    if match is None:
        raise HeadFileProblem(f"line {number} is not a head line")
    kind, seq, last_hash = match["kind"], int(match["seq"]), match["hash"]
    if not hmac.compare_digest(match["mac"], line_mac(kind, seq, last_hash)):
        raise HeadFileProblem(f"line {number}: its seal does not match (forged or damaged)")
    return HeadLine(number, kind, seq, last_hash)
