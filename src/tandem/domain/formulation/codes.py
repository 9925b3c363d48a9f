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
    criteria = case.stimulant.dsm_criteria_past_12_months or frozenset()  # case/1: never None
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


# --- ruleset-v2.md s5 ------------------------------------------------------------------------

REMISSION_FIFTH = {"mild": "11", "moderate": "21", "severe": "21"}  # facts.md s4.1, s12.2
INDUCED_FIFTH = {"mild": "14", "moderate": "24", "severe": "24", "none": "94"}  # facts.md s4.1


def use_disorder_v2(case: Case, ruleset: RuleSet) -> tuple[int | None, str, Finding]:
    """As v1, but criteria not assessed (null) give severity ``not_assessed``, never none."""
    if case.stimulant.dsm_criteria_past_12_months is None:
        text = (
            "the DSM-5-TR criteria were not assessed: severity not_assessed (not read as "
            "'no disorder'); complete the criteria"
        )
        return None, "not_assessed", Finding("U2", text)
    return use_disorder(case, ruleset)


def diagnosis_codes_v2(
    case: Case, severity: str, current: str, episodes: tuple[EpisodeFinding, ...]
) -> tuple[tuple[str, ...], list[Finding]]:
    """ruleset-v2.md s5: remission codes, no use-disorder code when not assessed (unless
    in remission), no MDD code with a history of mania; an induced depression still
    carries the use disorder in one code and wins."""
    block = _letter_block(case)
    remission = case.stimulant.remission
    if current == "substance_induced_provisional":
        return _induced_code_v2(case, block, severity)
    codes: list[str] = []
    findings: list[Finding] = []
    if remission is not None:
        code = f"{block}.{REMISSION_FIFTH[remission.severity]}"
        codes.append(code)
        findings.append(
            Finding("K4", _remission_text(code, remission.specifier, remission.severity))
        )
    elif severity in ("mild", "moderate", "severe"):
        code = f"{block}.{'10' if severity == 'mild' else '20'}"
        codes.append(code)
        findings.append(Finding("K2", f"{code}: stimulant use disorder, {severity}"))
    if current == "independent":
        if case.clinical.mania_history is True:
            text = (
                "no F32/F33 code: a past manic or hypomanic episode is recorded, and major "
                "depressive disorder excludes lifetime mania (facts.md s3.3 E); screen for "
                "bipolar disorder"
            )
            findings.append(Finding("K5", text))
        else:
            code, text = _mdd_code(case, episodes)
            codes.append(code)
            findings.append(Finding("K3", text))
    return tuple(codes), findings


def _remission_text(code: str, specifier: str, severity: str) -> str:
    text = f"{code}: stimulant use disorder, {severity}, in {specifier} remission"
    if code == "F15.11":
        text += " (F15.11 for a mild disorder in remission is UNVERIFIED, facts.md s12.2)"
    return text


def _induced_code_v2(
    case: Case, block: str, severity: str
) -> tuple[tuple[str, ...], list[Finding]]:
    """K1: the active criteria's severity; else the remission's; criteria not assessed and
    no remission give no code (the fifth character would be a guess)."""
    remission = case.stimulant.remission
    if severity in ("mild", "moderate", "severe"):
        carried = severity
    elif remission is not None:
        carried = remission.severity
    elif severity == "none":
        carried = "none"
    else:
        text = (
            "no code yet: the stimulant-induced depressive disorder's code carries the use "
            "disorder, and the criteria were not assessed"
        )
        return (), [Finding("K1", text)]
    code = f"{block}.{INDUCED_FIFTH[carried]}"
    text = (
        f"{code}: stimulant-induced depressive disorder carrying the {carried} use disorder "
        "in one code; the use disorder is not coded separately"
    )
    return (code,), [Finding("K1", text)]
