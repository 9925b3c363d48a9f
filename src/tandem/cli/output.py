"""A command's ``--output`` file: written whole or not at all, one line on failure.

``tandem score``, ``assess``, ``cm`` and ``tlfb`` write their output through
``output_file`` (bytes) or ``output_text`` (UTF-8 text). The file is written beside the
target under a hidden name and renamed over it only when complete, so a failed run
leaves no partial file (RULES.md: nothing is half-saved). If it cannot be written, the
command prints the one line its ``failure`` gives for the error (naming the file) and
exits with status 2, the status for bad input (RULES.md, "The CLI").
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

import click

Failure = Callable[[OSError], str]


@contextmanager
def output_file(path: Path, failure: Failure) -> Iterator[BinaryIO]:
    """The file to write ``path``'s bytes to; renamed to ``path`` when the block ends."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with aside.open("wb") as file:
            yield file
        os.replace(aside, path)
    except OSError as error:
        aside.unlink(missing_ok=True)
        click.echo(failure(error), err=True)
        sys.exit(2)
    except BaseException:
        aside.unlink(missing_ok=True)
        raise


@contextmanager
def output_text(path: Path, failure: Failure) -> Iterator[TextIO]:
    """``output_file`` for text: UTF-8, line ends as ``open(path, "w")`` writes them."""
    with output_file(path, failure) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        try:
            yield text
        finally:
            text.detach()  # flushes; the file itself is closed by output_file
