"""A command's ``--output`` file: written whole or not at all, one line on failure.

``tandem score``, ``assess``, ``cm`` and ``tlfb`` write their output through
``output_file`` (bytes) or ``output_text`` (UTF-8 text), which write it with
``tandem.formats.outputs.written``: whole or not at all (RULES.md: nothing is
half-saved). If it cannot be written, the command prints the one line its ``failure``
gives for the error (naming the file) and exits with status 2, the status for bad input
(RULES.md, "The CLI").
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

import click

from tandem.formats.outputs import written

Failure = Callable[[OSError], str]


@contextmanager
def output_file(path: Path, failure: Failure) -> Iterator[BinaryIO]:
    """The file to write ``path``'s bytes to (``tandem.formats.outputs.written``); on an
    ``OSError`` the one line ``failure`` gives, and exit status 2."""
    try:
        with written(path) as file:
            yield file
    except OSError as error:
        click.echo(failure(error), err=True)
        sys.exit(2)


@contextmanager
def output_text(path: Path, failure: Failure) -> Iterator[TextIO]:
    """``output_file`` for text: UTF-8, line ends as ``open(path, "w")`` writes them."""
    with output_file(path, failure) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8")
        try:
            yield text
        finally:
            text.detach()  # flushes; the file itself is closed by output_file
