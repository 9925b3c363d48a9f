"""``tandem score``: score one set of answers, or a CSV file of them.

    tandem score INSTRUMENT --answers 1,2,0,3,1,0,2,0,1 [--sex ...] [--substance ...] [--json]
    tandem score INSTRUMENT --input answers.csv --output scores.csv [--sex ...] [--substance ...]

The contract is /work/shared/clinical/instruments.md ("The command"). Invalid input:
exit status 2, nothing on stdout, one line on stderr naming the instrument, the item
and what is allowed. Batch: one output row per input row, in order, errors kept in
their row; the invalid count goes to stderr and the status is 0 once the file could be
read. The output file appears only when complete (written aside, then renamed).

Start-up is kept short: this module imports the domain alone (no Django); NumPy is
imported only for ``--input`` and rich only when stderr is a terminal
(tests/unit/cli/test_score.py checks both).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from tandem.cli.output import Failure, output_file
from tandem.domain.errors import InvalidInput
from tandem.domain.instruments import Score
from tandem.domain.instruments import score as score_answers
from tandem.formats import read_input

if TYPE_CHECKING:  # annotations only: NumPy is imported for --input alone
    from tandem.formats.batch import ScoredChunk


@click.command()
@click.argument("instrument")
@click.option("--answers", help="answers in item order, comma-separated; - marks a skip")
@click.option("--input", "input_path", type=click.Path(path_type=Path), help="answers CSV")
@click.option("--output", "output_path", type=click.Path(path_type=Path), help="scores CSV")
@click.option("--sex", help="male or female (AUDIT-C)")
@click.option("--substance", help="SDS: cocaine or amphetamine; ASSIST: also alcohol")
@click.option("--json", "as_json", is_flag=True, help="print the result as one JSON object")
def score(
    instrument: str,
    answers: str | None,
    input_path: Path | None,
    output_path: Path | None,
    sex: str | None,
    substance: str | None,
    as_json: bool,
) -> None:
    """Score INSTRUMENT (phq9, phq2, gad7, cssrs, pcl5, auditc, dast10, sds, assist,
    qids_sr16, isi) for --answers, or for every row of --input into --output."""
    if (input_path is None) != (output_path is None):
        _fail("--input and --output go together")
    if input_path is not None and output_path is not None:
        if answers is not None:
            _fail("give --answers or --input/--output, not both")
        _score_file(instrument, input_path, output_path, sex, substance)
        return
    if answers is None:
        _fail("give --answers 1,2,0,... or --input answers.csv --output scores.csv")
    _score_one(instrument, answers, sex, substance, as_json)


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(2)


def _score_one(
    instrument: str, answers: str, sex: str | None, substance: str | None, as_json: bool
) -> None:
    given = answers.split(",") if answers.strip() else []
    try:
        result = score_answers(instrument, given, sex=sex, substance=substance)
    except InvalidInput as error:
        _fail(str(error))
    if as_json:
        click.echo(json.dumps(result.as_dict()))
    else:
        click.echo(describe(result))


def describe(result: Score) -> str:
    """One line a clinician can read: total, band, screen result, flags, subscores."""
    parts = [f"{result.instrument}:"]
    if result.total is not None:
        parts.append(f"total {result.total},")
    if result.band is not None:
        parts.append(f"{'risk tier' if result.total is None else 'band'} {result.band},")
    parts.append("positive screen" if result.positive else "negative screen")
    line = " ".join(parts)
    if result.flags:
        line += "; flags: " + ", ".join(result.flags)
    if result.subscores:
        line += "; subscores: " + ", ".join(f"{k} {v}" for k, v in result.subscores.items())
    return line


def _score_file(
    instrument: str, input_path: Path, output_path: Path, sex: str | None, substance: str | None
) -> None:
    from tandem.formats.batch import OUTPUT_HEADER, read_answers_file

    try:
        data = read_input(input_path)
    except InvalidInput as error:
        _fail(f"{instrument}: input: {error}")
    try:
        answers = read_answers_file(data, instrument, sex=sex, substance=substance)
    except InvalidInput as error:
        _fail(str(error))
    chunks = answers.chunks()
    if sys.stderr.isatty():
        chunks = _with_progress(chunks, len(answers.body), instrument)
    rows = invalid = 0
    with output_file(output_path, _cannot_write(instrument, output_path)) as out:
        out.write(OUTPUT_HEADER)
        for chunk in chunks:
            out.write(chunk.text)
            rows, invalid = rows + chunk.rows, invalid + chunk.invalid
    click.echo(f"{instrument}: {rows} rows scored, {invalid} invalid", err=True)


def _with_progress(
    chunks: Iterator[ScoredChunk], size: int, instrument: str
) -> Iterator[ScoredChunk]:
    """The same chunks, advancing a rich progress bar on stderr (a terminal only)."""
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"scoring {instrument}", total=size)
        for chunk in chunks:
            yield chunk
            bar.advance(task, chunk.consumed)


def _cannot_write(instrument: str, path: Path) -> Failure:
    return lambda error: f"{instrument}: output: {path} cannot be written ({error.strerror})"
