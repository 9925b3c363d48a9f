"""``tandem backup`` and ``tandem restore``: an encrypted, consistent, audited copy of the
whole database, and putting it back with proof that nothing changed on the way.

File format (version 1), all integers big-endian::

    b"TANDEM-BACKUP\\n"  magic
    u16 header length, header JSON   {"format": 1, "cipher": "AES-256-GCM", "key_id",
                                      "nonce_prefix", "chunk_size"}   (no patient data)
    chunks: u32 length, ciphertext   (AES-256-GCM, 12-byte nonce = 8-byte random prefix
                                      + u32 chunk number; associated data = the header,
                                      the chunk number and a last-chunk flag)

The plaintext is ``u32 manifest length, manifest JSON, database bytes``; the manifest
(engine, when, the table checksums, the audit head of the copy) is encrypted with the
data. The associated data binds every chunk to its header and place, and the flag marks
the last one, so a reordered, dropped, truncated or edited chunk fails to decrypt: a
backup is read whole or not at all. ``key_id`` (the first 16 hex digits of SHA-256 of
the key) tells a wrong key from a damaged file without revealing the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from tandem.services.actors import Actor
from tandem.services.audit import ChainReport, accept_restore, record_event, verify_chain
from tandem.services.clock import get_clock
from tandem.storage import snapshot

MAGIC = b"TANDEM-BACKUP\n"
FORMAT = 1
CHUNK = 4 * 1024 * 1024
OPERATOR = Actor(None, via="cli")


class BackupRefused(Exception):
    """A backup or restore cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    checksums: snapshot.Checksums
    audit_seq: int
    audit_hash: str

    @property
    def tables(self) -> int:
        return len(self.checksums)

    @property
    def rows(self) -> int:
        return sum(int(table["rows"]) for table in self.checksums.values())


def _key() -> bytes:
    key = getattr(settings, "TANDEM_BACKUP_KEY", None)
    if not key:
        raise BackupRefused(
            "TANDEM_BACKUP_KEY is not set: give 64 hex characters (e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'), kept apart from "
            "the backups"
        )
    return bytes(key)


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"tandem-backup-key:" + key).hexdigest()[:16]


def _aad(header: bytes, number: int, last: bool) -> bytes:
    return header + struct.pack(">I?", number, last)


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">I", number)


def _chunks(data: bytes) -> Iterator[tuple[int, bytes, bool]]:
    count = max(1, -(-len(data) // CHUNK))
    for number in range(count):
        yield number, data[number * CHUNK : (number + 1) * CHUNK], number == count - 1


def create_backup(path: Path) -> Manifest:
    """Write an encrypted, consistent copy of the database to ``path`` (written to a
    temporary name beside it, fsynced, then renamed: never a half-written backup under
    the real name), and audit it. Refuses to overwrite an existing file."""
    key = _key()
    if path.exists():
        raise BackupRefused(f"{path} exists already; give a new file name")
    try:
        copy = snapshot.take_snapshot()
    except snapshot.SnapshotRefused as exc:
        record_event(OPERATOR, "backup.create", record_type="backup", outcome="failed")
        raise BackupRefused(str(exc)) from None
    manifest = Manifest(
        engine=copy.engine,
        created_at=get_clock().now().isoformat(),
        checksums=copy.checksums,
        audit_seq=copy.audit_head[0],
        audit_hash=copy.audit_head[1],
    )
    _write_encrypted(path, key, _plaintext(manifest, copy.data))
    record_event(
        OPERATOR,
        "backup.create",
        record_type="backup",
        record_id=f"audit head {copy.audit_head[0]}",
    )
    return manifest


def _plaintext(manifest: Manifest, data: bytes) -> bytes:
    body = json.dumps(asdict(manifest), sort_keys=True).encode()
    return struct.pack(">I", len(body)) + body + data


def _write_encrypted(path: Path, key: bytes, plaintext: bytes) -> None:
    prefix = secrets.token_bytes(8)
    header = json.dumps(
        {
            "format": FORMAT,
            "cipher": "AES-256-GCM",
            "key_id": _key_id(key),
            "nonce_prefix": prefix.hex(),
            "chunk_size": CHUNK,
        },
        sort_keys=True,
    ).encode()
    cipher = AESGCM(key)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + struct.pack(">H", len(header)) + header)
            for number, chunk, last in _chunks(plaintext):
                sealed = cipher.encrypt(_nonce(prefix, number), chunk, _aad(header, number, last))
                out.write(struct.pack(">I", len(sealed)) + sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_backup(path: Path) -> tuple[Manifest, bytes]:
    """Decrypt and check a backup file whole: its manifest and the database bytes."""
    key = _key()
    try:
        plaintext = _decrypt(path.read_bytes(), key)
    except FileNotFoundError:
        raise BackupRefused(f"{path}: no such file") from None
    (length,) = struct.unpack(">I", plaintext[:4])
    manifest = Manifest(**json.loads(plaintext[4 : 4 + length]))
    return manifest, plaintext[4 + length :]


def _decrypt(blob: bytes, key: bytes) -> bytes:
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 2:
        raise BackupRefused("not a Tandem backup file")
    at = len(MAGIC) + 2
    (size,) = struct.unpack(">H", blob[at - 2 : at])
    header, at = blob[at : at + size], at + size
    try:
        fields: dict[str, Any] = json.loads(header)
    except ValueError:
        raise BackupRefused("not a Tandem backup file (header unreadable)") from None
    if fields.get("format") != FORMAT:
        raise BackupRefused(f"backup format {fields.get('format')!r}: this Tandem reads {FORMAT}")
    if fields.get("key_id") != _key_id(key):
        raise BackupRefused("this backup was made with another TANDEM_BACKUP_KEY")
    cipher, prefix = AESGCM(key), bytes.fromhex(fields["nonce_prefix"])
    parts: list[bytes] = []
    for number in range(len(blob)):  # ends at the chunk flagged last, or refuses
        if at + 4 > len(blob):
            raise BackupRefused("the backup is truncated (its last part is missing)")
        (size,) = struct.unpack(">I", blob[at : at + 4])
        if at + 4 + size > len(blob):
            raise BackupRefused("the backup is truncated (a part is cut short)")
        sealed, at = blob[at + 4 : at + 4 + size], at + 4 + size
        last = at >= len(blob)
        try:
            parts.append(cipher.decrypt(_nonce(prefix, number), sealed, _aad(header, number, last)))
        except InvalidTag:
            raise BackupRefused(f"the backup is damaged or altered (part {number + 1})") from None
        if last:
            break
    return b"".join(parts)


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    checksums_match: bool
    chain: ChainReport


def restore_backup(path: Path, *, replace: bool = False) -> RestoreReport:
    """Put a backup back in place of the database: decrypt and check it whole first,
    refuse to overwrite a database holding data unless ``replace``, then compare every
    table's checksum with the backup's and verify the audit chain; the head file gets
    a sealed ``restore`` line (an intended restore), and the restore is audited."""
    manifest, data = read_backup(path)
    if snapshot.holds_data() and not replace:
        raise BackupRefused(
            "the database holds data; restoring replaces all of it (give --replace)"
        )
    try:
        snapshot.put_snapshot(manifest.engine, data)
    except snapshot.SnapshotRefused as exc:
        raise BackupRefused(str(exc)) from None
    matches = snapshot.live_checksums() == manifest.checksums
    chain = verify_chain()
    if matches:
        # Verifies the restored chain on its own, then starts a new epoch in the head
        # file (an intended restore) and audits that.
        chain = accept_restore()
    if matches and chain.ok:
        record_event(
            OPERATOR,
            "backup.restore",
            record_type="backup",
            record_id=f"audit head {manifest.audit_seq}",
        )
    return RestoreReport(manifest, matches, chain)
