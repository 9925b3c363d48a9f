"""Use disorder severity and ICD-10-CM codes (ruleset-v1.md s6).

Severity: DSM-5-TR stimulant use disorder, mild 2-3, moderate 4-5, severe 6+ of 11
criteria; tolerance (10) and withdrawal (11) are not counted when the stimulant is taken
only under medical supervision (facts.md s3.1). Codes: facts.md s4.1 (F14/F15, the
induced disorder carrying its use disorder in one code) and s4.2 (F32/F33).
"""

from __future__ import annotations

from tandem.domain.formulation.case import Case
from tandem.domain.formulation.ruleset import RuleSet
from tandem.domain.formulation.timeline import INDEPENDENT, EpisodeFinding, Finding

PHARMACOLOGICAL = frozenset({10, 11})  # tolerance, withdrawal (facts.md s3.1)
MDD_FOURTH = {"mild": "0", "moderate": "1", "severe": "2", "severe_psychotic": "3", None: "9"}


def use_disorder(case: Case, ruleset: RuleSet) -> tuple[int, str, Finding]:
    """Criteria count and severity (none, mild, moderate, severe)."""
    criteria = case.stimulant.dsm_criteria_past_12_months
    prescribed = case.stimulant.prescribed_under_supervision
    counted = criteria - PHARMACOLOGICAL if prescribed else criteria
    count = len(counted)
    if count >= ruleset.value("severity_severe"):
        severity = "severe"
    elif count >= ruleset.value("severity_moderate"):
        severity = "moderate"
    elif count >= ruleset.value("severity_mild"):
        severity = "mild"
    else:
        severity = "none"
    listed = ", ".join(str(c) for c in sorted(counted)) or "none"
    text = f"{count} of 11 criteria counted ({listed}): {severity}"
    if prescribed and criteria & PHARMACOLOGICAL:
        text += "; tolerance and withdrawal left out (prescribed under medical supervision)"
    return count, severity, Finding("U1", text)


def _letter_block(case: Case) -> str:
    return "F14" if case.stimulant.substance == "cocaine" else "F15"


def diagnosis_codes(
    case: Case, severity: str, current: str, episodes: tuple[EpisodeFinding, ...]
) -> tuple[tuple[str, ...], list[Finding]]:
    """The ICD-10-CM codes a clinician confirms, and the rules that produced them."""
    block = _letter_block(case)
    if current == "substance_induced_provisional":
        fifth = {"mild": "14", "moderate": "24", "severe": "24", "none": "94"}[severity]
        code = f"{block}.{fifth}"
        text = (
            f"{code}: stimulant-induced depressive disorder carrying the {severity} use disorder "
            "in one code; the use disorder is not coded separately"
        )
        return (code,), [Finding("K1", text)]
    codes: list[str] = []
    findings: list[Finding] = []
    if severity != "none":
        code = f"{block}.{'10' if severity == 'mild' else '20'}"
        codes.append(code)
        findings.append(Finding("K2", f"{code}: stimulant use disorder, {severity}"))
    if current == "independent":
        code, text = _mdd_code(case, episodes)
        codes.append(code)
        findings.append(Finding("K3", text))
    return tuple(codes), findings


def _mdd_code(case: Case, episodes: tuple[EpisodeFinding, ...]) -> tuple[str, str]:
    """F32 for exactly one independent episode (the current one counted), else F33."""
    count = sum(1 for f in episodes if f.classification in INDEPENDENT or f.episode.end is None)
    kind = "F32" if count == 1 else "F33"
    code = f"{kind}.{MDD_FOURTH[case.clinical.mdd_severity]}"
    text = (
        f"{code}: major depressive disorder, {'single episode' if count == 1 else 'recurrent'} "
        f"({count} independent episode{'s' if count != 1 else ''}, the current one counted; "
        f"severity {case.clinical.mdd_severity or 'not given'}). The two symptom-free months "
        "between episodes are not checked: the clinician confirms the code"
    )
    return code, text
