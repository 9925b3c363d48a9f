"""``tandem assess``: formulation, risk, level of care and plan for intake cases.

    tandem assess CASE.json [--json]
    tandem assess --input cases.jsonl --output formulations.jsonl

The contract is ruleset-v1.md s10, with ruleset-v2.md's additions under the default
rule set ``tandem-default/2``; ``--ruleset tandem-default/1`` gives version 1's output
byte for byte (to re-check a formulation stored under it). One case: the section-10
JSON with ``--json``, else a summary a clinician can paste into a note; a malformed
case exits with status 2 and one line on stderr naming the JSON path. Batch: one
output line per input line, in order; a malformed case gets ``{"error": "<json path>:
<message>"}`` in its place, the count of errors goes to stderr and the exit status is 0
once the file could be read.
Uses the domain alone: it must not import Django (tests/unit/cli/test_assess.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click

from tandem.cli.output import output_text
from tandem.domain.errors import InvalidInput
from tandem.domain.formulation import formulate, parse_case, summary
from tandem.domain.formulation.ruleset import RuleSet
from tandem.formats import cases
from tandem.rulesets import DEFAULT_ID, RULESETS, load_ruleset


@click.command()
@click.argument("case_file", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print the formulation as JSON")
@click.option("--input", "input_path", type=click.Path(path_type=Path), help="cases, JSONL")
@click.option("--output", "output_path", type=click.Path(path_type=Path), help="JSONL out")
@click.option(
    "--ruleset",
    "ruleset_id",
    type=click.Choice(list(RULESETS)),
    default=DEFAULT_ID,
    show_default=True,
    help="the rule set to apply",
)
def assess(
    case_file: Path | None,
    as_json: bool,
    input_path: Path | None,
    output_path: Path | None,
    ruleset_id: str,
) -> None:
    """Formulate one intake case (CASE.json), or a JSONL file of cases (--input/--output)."""
    ruleset = load_ruleset(ruleset_id)
    if (input_path is None) != (output_path is None):
        _fail("--input and --output go together")
    if input_path is not None and output_path is not None:
        if case_file is not None:
            _fail("give CASE.json or --input/--output, not both")
        _assess_batch(input_path, output_path, ruleset)
        return
    if case_file is None:
        _fail("give CASE.json, or --input cases.jsonl --output formulations.jsonl")
    _assess_one(case_file, as_json, ruleset)


def _fail(message: str) -> NoReturn:
    click.echo(f"tandem assess: {message}", err=True)
    sys.exit(2)


def _assess_one(path: Path, as_json: bool, ruleset: RuleSet) -> None:
    try:
        formulation = formulate(parse_case(cases.read_case(path)), ruleset)
    except InvalidInput as error:
        _fail(str(error))
    if as_json:
        click.echo(json.dumps(formulation.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(summary(formulation), nl=False)


def formulate_line(line: str, ruleset: RuleSet) -> tuple[dict[str, Any], bool]:
    """One JSONL line -> (the output object, whether it is an error line)."""
    data, error_text = cases.parse_case_line(line)
    if error_text is not None:
        return {"error": error_text}, True
    try:
        return formulate(parse_case(data), ruleset).as_dict(), False
    except InvalidInput as error:
        return {"error": str(error)}, True


def assess_lines(lines: Iterable[str], out: TextIO, ruleset: RuleSet) -> int:
    """Write one output line per input line, in order; returns the number of errors."""
    errors = 0
    for line in lines:
        result, failed = formulate_line(line, ruleset)
        errors += failed
        out.write(cases.formulation_line(result))
    return errors


def _assess_batch(input_path: Path, output_path: Path, ruleset: RuleSet) -> None:
    try:
        lines = cases.case_lines(input_path)
    except InvalidInput as error:
        _fail(str(error))
    failure = f"tandem assess: {output_path}: cannot be written"
    with output_text(output_path, lambda error: f"{failure} ({type(error).__name__})") as out:
        errors = assess_lines(_with_progress(lines), out, ruleset)
    click.echo(f"tandem assess: {errors} of {len(lines)} cases had errors", err=True)


def _with_progress(lines: list[str]) -> Iterator[str]:
    """A progress bar on a terminal only; rich is imported only then."""
    if not sys.stderr.isatty():
        yield from lines
        return
    from rich.console import Console
    from rich.progress import track

    console = Console(stderr=True)  # stdout stays clean
    yield from track(lines, description="assessing", console=console, transient=True)
