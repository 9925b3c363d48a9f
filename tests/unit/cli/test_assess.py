"""``tandem assess``: one case (JSON or a note), batch JSONL, bad input, and no Django."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tandem.cli.assess import assess
from tests.unit.domain.formulation.conftest import spec_example


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "formulation"
V1 = ["--ruleset", "tandem-default/1"]


def test_version_1_is_reproduced_byte_for_byte(tmp_path: Path) -> None:
    """ruleset-v2.md: --ruleset tandem-default/1 gives v1's output byte for byte. The
    golden file was written by the version-1 engine (before rule set 2) from the 81
    hand-worked vignettes."""
    out = tmp_path / "out.jsonl"
    cases = str(GOLDEN / "vignette-cases.jsonl")
    result = CliRunner().invoke(assess, ["--input", cases, "--output", str(out), *V1])
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == (GOLDEN / "tandem-default-1.jsonl").read_bytes()


def test_version_2_is_the_default_and_writes_formulation_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        assess, [str(_write(tmp_path / "c.json", spec_example())), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert (output["schema"], output["ruleset"]) == ("tandem.formulation/2", "tandem-default/2")
    assert all(i["evidence_level"] for i in output["plan"]["interventions"])


def test_version_1_refuses_a_case_2_naming_the_rule_set(tmp_path: Path) -> None:
    case = {**spec_example(), "schema": "tandem.case/2"}
    result = CliRunner().invoke(assess, [str(_write(tmp_path / "c.json", case)), *V1])
    assert result.exit_code == 2
    assert "$.schema: tandem-default/1 reads tandem.case/1 only" in result.stderr


def test_json_output_is_the_spec_example_formulation(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        assess, [str(_write(tmp_path / "c.json", spec_example())), "--json", *V1]
    )
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["schema"] == "tandem.formulation/1"
    assert output["ruleset"] == "tandem-default/1"
    assert (output["placement"]["level"], output["placement"]["rule"]) == ("php", "P3")
    assert output["placement"]["reasons"] == ["an earlier iop brought no response"]
    assert output["diagnosis_codes"] == ["F14.20", "F33.9"]
    assert [i["id"] for i in output["plan"]["interventions"]] == [
        "cbt_use", "contingency_management", "relapse_prevention", "psychiatric_care",
        "behavioral_activation", "safety_plan", "overdose_prevention",
    ]  # fmt: skip
    assert output["scores"]["phq9"] == {
        "instrument": "phq9", "total": 10, "band": "moderate", "positive": True,
        "flags": [], "subscores": {},
    }  # fmt: skip
    assert output["scores"]["cssrs"]["band"] == "low"


def test_summary_reads_as_a_note(tmp_path: Path) -> None:
    result = CliRunner().invoke(assess, [str(_write(tmp_path / "c.json", spec_example())), *V1])
    assert result.exit_code == 0
    text = result.stdout
    assert "Onset order: Depression first." in text
    assert "Codes to confirm: F14.20, F33.9." in text
    assert (
        "Level of care: Partial hospitalization (PHP) (rule P3; offered here): an earlier iop "
        "brought no response." in text
    )
    assert "  - Contingency management [stimulant use]: " in text
    assert "Scores: PHQ-9 10 (moderate), positive; C-SSRS screener low, positive." in text
    assert "_" not in text.split("Rules:")[0]  # labels, not ids, before the provenance
    assert "not a validated instrument" in text
    assert "{" not in text


def test_bad_case_exits_2_with_one_line_naming_the_path(tmp_path: Path) -> None:
    case = spec_example()
    case["stimulant"]["last_use"] = "2026-13-01"
    result = CliRunner().invoke(assess, [str(_write(tmp_path / "c.json", case)), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "tandem assess: $.stimulant.last_use: 2026-13-01 is not a valid date (YYYY-MM-DD)\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON (line 1, column 2)"), ("[1]", "$: a case is a JSON object")],
)
def test_unreadable_case_exits_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(assess, [str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(assess, [str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert "cannot be read" in result.stderr


def test_batch_writes_one_line_per_input_line_in_order(tmp_path: Path) -> None:
    good = spec_example()
    unknown = spec_example()
    unknown["stimulant"]["dose"] = 3
    later = spec_example()
    later["stimulant"]["days_used_past_30"] = 0
    lines = [json.dumps(good), json.dumps(unknown), "{oops", json.dumps(later), json.dumps(good)]
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = CliRunner().invoke(assess, ["--input", str(source), "--output", str(target)])
    assert result.exit_code == 0
    assert "3 of 5 cases had errors" in result.stderr
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(out) == 5
    assert out[0]["placement"]["level"] == "php"
    assert out[1] == {"error": "$.stimulant.dose: unknown field (allowed: substance, use_periods, "
                      "last_use, days_used_past_30, dsm_criteria_past_12_months, "
                      "prescribed_under_supervision, route, uses_alone, opioid_co_use, "
                      "overdose_past_12_months)"}  # fmt: skip
    assert out[2]["error"].startswith("$: not valid JSON")
    assert out[3]["error"].startswith("$.stimulant.days_used_past_30: 0 disagrees with last_use")
    assert out[4] == out[0]


def test_batch_with_unreadable_input_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        assess, ["--input", str(tmp_path / "none.jsonl"), "--output", str(tmp_path / "o.jsonl")]
    )
    assert result.exit_code == 2


def test_input_without_output_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(assess, ["--input", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 2
    assert "--input and --output go together" in result.stderr


def test_assess_does_not_import_django(tmp_path: Path) -> None:
    case = _write(tmp_path / "c.json", spec_example())
    program = (
        "import sys\n"
        "from tandem.cli import main\n"
        f"main(['assess', {str(case)!r}, '--json'], standalone_mode=False)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["placement"]["rule"] == "P3"


def test_an_emergency_opens_the_note(tmp_path: Path) -> None:
    case = spec_example()
    case["instruments"]["cssrs"] = [1, 1, 1, 1, 0, 0]
    result = CliRunner().invoke(assess, [str(_write(tmp_path / "c.json", case))])
    lines = result.stdout.splitlines()
    assert lines[1] == "EMERGENCY EVALUATION NEEDED NOW: suicide risk is high."
    assert "Action: give crisis resources: call or text 988" in result.stdout
