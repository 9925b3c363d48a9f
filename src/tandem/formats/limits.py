"""Reading an input file safely: bounded in size and refused when it is not text.

``tandem score --input /dev/zero`` used to read forever. Every reader now takes its bytes
through ``read_input``: at most ``INPUT_LIMIT_BYTES`` (a regular file larger than that
is refused before it is read; a device or pipe is read up to the limit and refused past
it), and a file holding NUL bytes is refused as "not a text file". The message names the
file and never quotes its content.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from tandem.domain.errors import InvalidFile

# (program) 1 GiB: ten times the largest benchmark input (8.7 M TLFB rows, about 180 MB),
# well under the memory of the machines Tandem runs on.
INPUT_LIMIT_BYTES = 1 << 30
_CHUNK = 1 << 20


def read_input(path: Path, limit: int = INPUT_LIMIT_BYTES) -> bytes:
    """The file's bytes; ``InvalidFile`` naming the file when it cannot be read, is larger
    than ``limit`` bytes, or is not text (holds a NUL byte)."""
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if os.path.isfile(path) and status.st_size > limit:
                raise too_large(path, limit)
            data = _bounded(handle, limit, path)
    except OSError as exc:
        raise InvalidFile(path.name, None, None, f"cannot be read ({exc.strerror})") from None
    if b"\x00" in data:
        raise not_text(path)
    return data


def _bounded(handle: BinaryIO, limit: int, path: Path) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = handle.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(path, limit)
        if b"\x00" in chunk:  # stop early on binary input such as /dev/zero
            raise not_text(path)


def too_large(path: Path, limit: int = INPUT_LIMIT_BYTES) -> InvalidFile:
    problem = f"larger than the limit of {limit // (1 << 20):,} MiB; split the file"
    return InvalidFile(path.name, None, None, problem)


def not_text(path: Path) -> InvalidFile:
    return InvalidFile(
        path.name, None, None, "not a text file (it holds NUL bytes); give a CSV file"
    )
