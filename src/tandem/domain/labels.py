"""Words for people: one human label for every id the domain emits (STYLE.md "Words for
people are defined once").

Pages, API documents, the CLI note and reports show these labels, never the ids. Pure:
no Django, no I/O. ``label(kind, value)`` is the one way in; an unknown id falls back to
its words with underscores as spaces, so a new id never shows as ``snake_case``, and the
unit tests check that every id the domain and the packaged rule sets emit has a label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# ruleset-v1.md s9 and ruleset-v2.md s6: the plan's interventions.
INTERVENTIONS: Final[Mapping[str, str]] = {
    "cbt_use": "Cognitive behavioural therapy for stimulant use",
    "contingency_management": "Contingency management",
    "relapse_prevention": "Relapse prevention",
    "use_disorder_assessment": "Stimulant use disorder assessment (DSM-5-TR criteria)",
    "psychiatric_care": "Psychiatric evaluation and care for depression",
    "behavioral_activation": "Behavioural activation",
    "safety_plan": "Suicide safety plan",
    "dbt_skills": "Dialectical behaviour therapy skills",
    "trauma_assessment": "Trauma assessment",
    "emdr": "EMDR (trauma-focused therapy)",
    "somatic_experiencing": "Somatic experiencing",
    "sleep_care": "Sleep care (CBT for insomnia)",
    "overdose_prevention": "Overdose prevention and naloxone",
    "opioid_and_infection_care": "Opioid use and infection care",
    "alcohol_care": "Alcohol use care",
    "withdrawal_assessment": "Alcohol withdrawal assessment",
    "depression_reassessment": "Depression reassessment after abstinence",
    "neurofeedback": "Neurofeedback",
    "breathwork": "Breathwork",
    "pemf": "Pulsed electromagnetic field therapy (PEMF)",
}

# ruleset-v1.md s4, ruleset-v2.md s2: each depressive episode's classification.
EPISODE_CLASSIFICATIONS: Final[Mapping[str, str]] = {
    "independent_preceded_use": "Independent: began before regular use",
    "independent_in_abstinence": "Independent: began during sustained abstinence",
    "independent_persisted": "Independent: persisted about a month after stopping",
    "substance_induced": "Substance-induced",
    "substance_induced_provisional": "Substance-induced, provisional",
    "order_unclear": "Order unclear: the dates cannot tell which came first",
}

# ruleset-v1.md s3: which began first.
ONSET_ORDERS: Final[Mapping[str, str]] = {
    "depression_first": "Depression first",
    "use_first": "Use first",
    "tangled": "Tangled: the onsets are too close or too unclear to order",
    "no_depression": "No depressive episode recorded",
    "undetermined": "Undetermined: no period of regular use recorded",
}

# ruleset-v1.md s5: the current depression.
CURRENT_DEPRESSION: Final[Mapping[str, str]] = {
    "independent": "Independent of use",
    "substance_induced_provisional": "Substance-induced, provisional (or the order is unclear)",
    "none": "No ongoing depressive episode",
}

# ruleset-v1.md s8, ruleset-v2.md s4, and the levels a program offers.
LEVELS: Final[Mapping[str, str]] = {
    "emergency": "Emergency evaluation",
    "adolescent_referral": "Referral to an adolescent program",
    "residential_referral": "Referral to residential care",
    "residential": "Residential care",
    "php": "Partial hospitalization (PHP)",
    "iop": "Intensive outpatient (IOP)",
    "outpatient": "Outpatient",
}

# The placement rules (ruleset-v1.md s8, ruleset-v2.md s4), by the level each gives.
PLACEMENT_RULES: Final[Mapping[str, str]] = {
    "P1": "Emergency rule",
    "P1a": "Adolescent rule",
    "P2": "Residential referral rule",
    "P3": "Partial hospitalization rule",
    "P4": "Intensive outpatient rule",
    "P5": "Outpatient rule",
}

# The formulation rules (ruleset-v1.md s3-s7, ruleset-v2.md s2-s3), by the prefix of
# their id: what each group decides.
RULE_GROUPS: Final[Mapping[str, str]] = {
    "O": "Which came first",
    "E": "Episode classification",
    "C": "Current depression",
    "U": "Use disorder severity",
    "K": "Diagnosis codes",
    "RS": "Suicide risk",
    "RO": "Overdose risk",
    "P": "Level of care",
}

SUICIDE_RISKS: Final[Mapping[str, str]] = {
    "high": "High",
    "moderate": "Moderate",
    "low": "Low",
    "none": "None found",
    "needs_assessment": "Needs assessment today",
    "not_screened": "Not screened",
}
OVERDOSE_RISKS: Final[Mapping[str, str]] = {
    "elevated": "Elevated",
    "standard": "Standard",
    "low": "Low",
}

# ruleset-v2.md s3: ``risk.flags``.
RISK_FLAGS: Final[Mapping[str, str]] = {
    "item9_positive": "PHQ-9 item 9 positive (thoughts of death or self-harm)",
    "qids_item12_positive": "QIDS-SR16 item 12 positive (thoughts of death or suicide)",
    "screens_disagree": "The suicide screens disagree: a clinician resolves it today",
}

# ruleset-v2.md s4: ``placement.review_flags`` (the flag's own text says what to do).
REVIEW_FLAGS: Final[Mapping[str, str]] = {
    "pregnancy": "Pregnancy",
    "mania_history": "Past mania or hypomania",
    "alcohol_withdrawal_risk": "Alcohol withdrawal risk",
    "opioid_co_use": "Opioid co-use or injection",
    "overdose_factors_not_asked": "Overdose risk factors not asked",
    "criteria_not_assessed": "Use disorder criteria not assessed",
    "last_use_unknown": "Last use unknown",
    "use_periods_incomplete": "Pattern of use not recorded",
    "screens_disagree": "Suicide screens disagree",
    "not_assessed": "Psychosis or medical stability not assessed",
}

# ruleset-v2.md s6: each intervention's ``evidence_level``.
EVIDENCE_LEVELS: Final[Mapping[str, str]] = {
    "strong": "Strong evidence",
    "moderate": "Moderate evidence",
    "limited": "Limited evidence",
    "insufficient": "Insufficient evidence",
    "not_rated": "Evidence not rated",
}

# ruleset-v2.md s5: the use disorder's severity.
SEVERITIES: Final[Mapping[str, str]] = {
    "not_assessed": "Not assessed",
    "none": "No use disorder",
    "mild": "Mild",
    "moderate": "Moderate",
    "severe": "Severe",
}

# domain/monitoring/alerts.py KINDS.
ALERT_KINDS: Final[Mapping[str, str]] = {
    "suicide_risk": "Suicide risk",
    "deterioration": "Mood getting worse",
    "early_sobriety_depression": "Depression in early abstinence",
    "persistent_depression": "Depression persisting in abstinence",
    "lapse": "Return to use",
    "missed_checkins": "Missed check-ins",
    "not_on_track": "Not on track",
    "overdose_risk": "Fentanyl or another opioid on a screen",
    "emergency_evaluation": "Emergency evaluation needed",
    "missed_groups": "Missed groups",
}
# domain/monitoring/groups.py: a group attendance.
ATTENDANCE_STATUSES: Final[Mapping[str, str]] = {
    "present": "Present",
    "late": "Late",
    "excused": "Excused absence",
    "unexcused": "Unexcused absence",
}
ALERT_SEVERITIES: Final[Mapping[str, str]] = {
    "urgent": "Urgent",
    "high": "High",
    "routine": "Routine",
}
# storage/models/alerts.py: an alert's state, why a person received it, what happened.
ALERT_STATES: Final[Mapping[str, str]] = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "resolved": "Resolved",
}
ALERT_RECIPIENT_REASONS: Final[Mapping[str, str]] = {
    "care_team": "On the care team",
    "intake_fallback": "Intake clinician (nobody on the care team holds the role)",
    "director_fallback": "Program director (nobody on the care team to send it to)",
    "on_call": "On call (raised while the clinic was closed)",
    "escalation": "Escalated (still open after the clinic's escalation time)",
}
ALERT_TRANSITIONS: Final[Mapping[str, str]] = {
    "raised": "Raised",
    "evidence_added": "More evidence added",
    "score_raised": "Score raised",
    "notified": "Recipients notified",
    "reopened": "Reopened",
    "acknowledged": "Acknowledged",
    "resolved": "Resolved",
    "escalated": "Escalated to on call and the director",
}
# Python's date.weekday(): Monday is 0 (opening hours, the on-call roster).
WEEKDAYS: Final[Mapping[str, str]] = {
    "0": "Monday",
    "1": "Tuesday",
    "2": "Wednesday",
    "3": "Thursday",
    "4": "Friday",
    "5": "Saturday",
    "6": "Sunday",
}
PORTAL_STATUSES: Final[Mapping[str, str]] = {
    "none": "Not invited",
    "invited": "Invited: sign-in code not used yet",
    "code_expired": "Invited: the sign-in code has expired",
    "enrolled": "Enrolled",
}

# The public self-check's result (domain/selfcheck.py).
SELFCHECK_PATTERNS: Final[Mapping[str, str]] = {
    "depression_first": "Low mood came first",
    "use_first": "Stimulant use came first",
    "tangled": "Both began around the same time, or not sure",
}
SELFCHECK_LINKS: Final[Mapping[str, str]] = {
    "likely": "Likely linked",
    "possible": "Possibly linked",
    "no_clear_sign": "No clear sign of a link",
}

# Plan targets and categories (ruleset-v1.md s9; DESIGN.md s2).
TARGETS: Final[Mapping[str, str]] = {
    "use": "stimulant use",
    "mood": "mood",
    "trauma": "trauma",
    "sleep": "sleep",
    "safety": "safety",
}
CATEGORIES: Final[Mapping[str, str]] = {
    "clinical": "Clinical or psychiatric",
    "somatic_neuro": "Somatic or neuro (adjunct)",
}

PLAN_STATUSES: Final[Mapping[str, str]] = {"draft": "Draft", "signed": "Signed"}
REFERRAL_STATUSES: Final[Mapping[str, str]] = {
    "new": "New",
    "contacted": "Contacted",
    "closed": "Closed",
}
CONTACT_METHODS: Final[Mapping[str, str]] = {"phone": "Phone", "email": "Email", "text": "Text"}
ROLES: Final[Mapping[str, str]] = {
    "intake": "Intake clinician",
    "therapist": "Therapist",
    "prescriber": "Psychiatric prescriber",
    "peer_specialist": "Peer specialist",
    "director": "Program director",
    "admin": "Clinic administrator",
}
SEXES: Final[Mapping[str, str]] = {
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "unknown": "Unknown",
}
DISCHARGE_REASONS: Final[Mapping[str, str]] = {
    "completed": "Completed treatment",
    "stepped_down": "Stepped down to another program",
    "referred_elsewhere": "Referred to another level or program",
    "left_against_advice": "Left against clinical advice",
    "lost_to_contact": "Lost to contact",
    "administrative": "Administrative discharge",
    "died": "Died",
    "other": "Other",
}

# Flags an instrument's scorer sets (domain/instruments/definitions).
SCORE_FLAGS: Final[Mapping[str, str]] = {
    "suicide_item_positive": "Suicide item positive",
    "major_depressive_syndrome": "Major depressive syndrome criteria met",
    "behavior_lifetime": "Suicidal behaviour at some time in life",
    "provisional_ptsd": "Provisional PTSD",
}

SUBSTANCES: Final[Mapping[str, str]] = {
    "cocaine": "Cocaine",
    "amphetamine_type": "Amphetamine-type stimulant",
    "other_stimulant": "Other stimulant",
}

# Drug screens (issue 11; domain/monitoring/panel.py and screening.py).
ANALYTES: Final[Mapping[str, str]] = {
    "cocaine": "Cocaine (benzoylecgonine)",
    "amphetamine": "Amphetamine",
    "methamphetamine": "Methamphetamine",
    "fentanyl": "Fentanyl",
    "opiates": "Opiates (morphine, codeine, heroin)",
    "oxycodone": "Oxycodone",
    "methadone": "Methadone",
    "buprenorphine": "Buprenorphine",
    "benzodiazepines": "Benzodiazepines",
}
SPECIMENS: Final[Mapping[str, str]] = {"urine": "Urine", "oral_fluid": "Oral fluid"}
SCREEN_KINDS: Final[Mapping[str, str]] = {"point_of_care": "Point of care", "lab": "Laboratory"}
SCREEN_STATUSES: Final[Mapping[str, str]] = {
    "result": "Result",
    "missed": "Missed (no specimen)",
    "invalid": "Invalid specimen",
}
SCREEN_READINGS: Final[Mapping[str, str]] = {
    "negative": "Stimulant-negative",
    "positive": "Stimulant-positive",
    "invalid": "Not stimulant-negative (own stimulant not tested, or invalid)",
    "missed": "Missed",
}
ANALYTE_RESULTS: Final[Mapping[str, str]] = {
    "negative": "Negative",
    "positive": "Positive",
    "not_tested": "Not tested",
}

# Contingency management (monitoring.md s7, ruleset-v2.md s7): the clinic's schedule kinds
# and why a ledger line earned nothing.
CM_KINDS: Final[Mapping[str, str]] = {
    "escalating": "Escalating vouchers",
    "prize": "Prize draws (fishbowl)",
}
CM_NOTES: Final[Mapping[str, str]] = {
    "same_day": "Same day as an earlier screen: that screen carries the day's reward",
    "not_eligible_this_week": "Beyond the screens that can earn this week",
    "outside_window": "After the incentive period ended",
}
# Each schedule option in the clinic's words, with where its default comes from
# (monitoring.md s7, ruleset-v2.md s7, facts.md s8 and s12.3 through the domain's
# constants in tandem.domain.monitoring.incentives). "The program's choice" marks a
# default the sources could not confirm.
CM_OPTIONS: Final[Mapping[str, tuple[str, str]]] = {
    "start_cents": (
        "First reward, and the reward after a reset",
        "$10.00: close to the California Recovery Incentives Program, which starts near "
        "$10 a negative test",
    ),
    "step_cents": (
        "Increase with each negative in a row",
        "$0.50: the program's choice (California's step could not be confirmed)",
    ),
    "max_per_screen_cents": (
        "Most for one screen",
        "$19.00: the program's choice, so that 36 negatives in a row stay under the cap",
    ),
    "recovery_after": (
        "Negatives in a row after a reset before the reward returns to where it was",
        "2: the program's choice",
    ),
    "bonus_every": (
        "Bonus after every this many negatives in a row (0: no bonus)",
        "0: no bonus",
    ),
    "bonus_cents": ("Bonus amount", "$0.00"),
    "draw_start": ("Draws for the first negative in a row", "1: the program's choice"),
    "draw_max": ("Most draws for one screen", "8: the program's choice"),
    "bowl": (
        "Prize bowl",
        "500 slips: 250 good job ($0), 209 small ($1), 40 large ($20), 1 jumbo ($100), a "
        "commonly quoted composition (the program's choice; not confirmed as a standard)",
    ),
    "cap_cents": (
        "Most a patient can earn in all (the cap)",
        "$599.00: the California Recovery Incentives Program's most over its 24 weeks",
    ),
    "window_days": (
        "Days from the first screen during which screens can earn",
        "168 days (24 weeks): the California program's incentive period",
    ),
    "eligible_per_week": (
        "Screens that can earn each week",
        "2@1-12,1@13-24: 36 in all over 24 weeks, as California's 36 tests; the split by "
        "week is the program's choice",
    ),
}

KINDS: Final[Mapping[str, Mapping[str, str]]] = {
    "analyte": ANALYTES,
    "analyte_result": ANALYTE_RESULTS,
    "specimen": SPECIMENS,
    "screen_kind": SCREEN_KINDS,
    "screen_status": SCREEN_STATUSES,
    "screen_reading": SCREEN_READINGS,
    "cm_kind": CM_KINDS,
    "cm_note": CM_NOTES,
    "score_flag": SCORE_FLAGS,
    "substance": SUBSTANCES,
    "intervention": INTERVENTIONS,
    "episode_classification": EPISODE_CLASSIFICATIONS,
    "onset_order": ONSET_ORDERS,
    "current_depression": CURRENT_DEPRESSION,
    "level": LEVELS,
    "placement_rule": PLACEMENT_RULES,
    "suicide_risk": SUICIDE_RISKS,
    "overdose_risk": OVERDOSE_RISKS,
    "risk_flag": RISK_FLAGS,
    "review_flag": REVIEW_FLAGS,
    "evidence_level": EVIDENCE_LEVELS,
    "severity": SEVERITIES,
    "alert_kind": ALERT_KINDS,
    "attendance": ATTENDANCE_STATUSES,
    "alert_severity": ALERT_SEVERITIES,
    "alert_state": ALERT_STATES,
    "alert_recipient_reason": ALERT_RECIPIENT_REASONS,
    "alert_transition": ALERT_TRANSITIONS,
    "weekday": WEEKDAYS,
    "portal_status": PORTAL_STATUSES,
    "selfcheck_pattern": SELFCHECK_PATTERNS,
    "selfcheck_link": SELFCHECK_LINKS,
    "target": TARGETS,
    "category": CATEGORIES,
    "plan_status": PLAN_STATUSES,
    "referral_status": REFERRAL_STATUSES,
    "contact_method": CONTACT_METHODS,
    "role": ROLES,
    "sex": SEXES,
    "discharge_reason": DISCHARGE_REASONS,
}

_RULE_ID = re.compile(r"^(RS|RO|[OECUKP])\d+[a-z]?$")


def dollars(cents: int) -> str:
    """Integer cents as dollars for a page ("$12.50", "-$1,000.00"); never a float."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def label(kind: str, value: object) -> str:
    """The human label of ``value`` (an id of ``kind``, one of ``KINDS`` or ``"rule"``).

    An unknown id reads as its words (``"some_new_id"`` -> ``"some new id"``); an empty
    value reads as an empty string. An unknown ``kind`` is a programming error (KeyError).
    """
    text = "" if value is None else str(value)
    if kind == "rule":
        return rule_label(text)
    if kind == "instrument":
        return instrument_label(text)
    table = KINDS[kind]
    return table.get(text) or text.replace("_", " ")


def instrument_label(instrument_id: str) -> str:
    """An instrument's short name from its registry entry ("phq9" -> "PHQ-9")."""
    from tandem.domain.instruments.registry import REGISTRY

    instrument = REGISTRY.get(instrument_id)
    if instrument is None:
        return instrument_id.replace("_", " ")
    short = re.findall(r"\(([^()]+)\)", instrument.name)
    return short[-1] if short else instrument.name


# Neutral topic labels for items whose wording the licence does not let Tandem ship (the
# C-SSRS screener: the clinic reads Columbia's wording, unaltered, from its own copy).
ITEM_TOPICS: Final[Mapping[str, Mapping[int, str]]] = {
    "cssrs": {
        1: "Wish to be dead (past month)",
        2: "Non-specific active suicidal thoughts (past month)",
        3: "Active suicidal thoughts with a method (past month)",
        4: "Active suicidal thoughts with some intent to act (past month)",
        5: "Active suicidal thoughts with a plan and intent (past month)",
        6: "Suicidal behaviour (ever; and whether within the past 3 months)",
    },
}


def item_topic(instrument_id: str, number: int) -> str:
    """What a licensed item asks about, in neutral words (its wording is read from the
    clinic's licensed copy, as the page says)."""
    topic = ITEM_TOPICS.get(instrument_id, {}).get(number)
    return topic or "Read the question from your clinic's licensed copy"


def band_label(instrument_id: str, key: object) -> str:
    """A score band as its instrument names it ("none_minimal" -> the PHQ-9's own label);
    a risk tier as a suicide-risk label."""
    from tandem.domain.instruments.registry import REGISTRY

    text = "" if key is None else str(key)
    instrument = REGISTRY.get(instrument_id)
    bands = getattr(instrument, "bands", None)
    if bands is not None and not hasattr(bands, "tiers"):
        for table in bands:
            for band in getattr(table, "bands", ()):
                if band.key == text:
                    return str(band.label)
    return SUICIDE_RISKS.get(text) or text.replace("_", " ")


def rule_label(rule_id: str) -> str:
    """A formulation or placement rule as words: what it decides (``"P1"`` -> "Emergency
    rule", ``"RS6"`` -> "Suicide risk"); unknown ids read as "Rule set finding"."""
    if rule_id in PLACEMENT_RULES:
        return PLACEMENT_RULES[rule_id]
    match = _RULE_ID.match(rule_id)
    if match is None:
        return "Rule set finding"
    return RULE_GROUPS[match.group(1)]


# Citations to the project's own documents ("(facts.md s8.1)", "ruleset-v1.md s9; ")
# are provenance for reviewers, not words for a clinical screen.
_CITATION = re.compile(
    r"\s*\((?:see )?(?:[a-z0-9-]+\.md|instruments\.md)[^()]*\)"
    r"|\s*;?\s*(?:see )?[a-z0-9-]+\.md(?:\s+s[\d.]+(?:,\s*s?[\d.]+)*)?"
)
_DEVELOPER_NOTES = (
    re.compile(r"\s*Not summarised in facts\.md[^.]*\.?", re.IGNORECASE),
    re.compile(r"\s*\(program\)"),
)


# Level ids inside rule text ("an earlier iop brought no response").
_LEVEL_WORDS = {"iop": "intensive outpatient", "php": "partial hospitalization"}
_LEVEL_WORD = re.compile(r"\b(?:iop|php)\b")


_SNAKE_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _id_as_words(match: re.Match[str]) -> str:
    """An id inside rule text, as its label in lower case (or its words)."""
    token = match.group(0)
    for table in (EPISODE_CLASSIFICATIONS, CURRENT_DEPRESSION, INTERVENTIONS, LEVELS,
                  SUICIDE_RISKS, SEVERITIES, REVIEW_FLAGS, RISK_FLAGS):  # fmt: skip
        if token in table:
            return table[token][0].lower() + table[token][1:]
    return token.replace("_", " ")


def clinical_text(text: object) -> str:
    """A rule set's sentence as a clinician reads it: citations to the project's own
    documents and notes for its developers removed (the full text stays in the rule set
    and the formulation record)."""
    cleaned = str(text or "")
    for pattern in _DEVELOPER_NOTES:
        cleaned = pattern.sub("", cleaned)
    cleaned = _CITATION.sub("", cleaned)
    cleaned = re.sub(r"\s*[;,]\s*\)", ")", cleaned)
    cleaned = re.sub(r"\(\s*[;,]?\s*\)", "", cleaned)
    cleaned = _LEVEL_WORD.sub(lambda m: _LEVEL_WORDS[m.group(0)], cleaned)
    cleaned = _SNAKE_ID.sub(_id_as_words, cleaned)
    cleaned = re.sub(r"\s+([,.;:])", r"\1", cleaned)
    return re.sub(r"\s{2,}", " ", cleaned).strip()


def yes_no(value: object) -> str:
    """A stored True/False/None as words (never "True" or "None" on a page)."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "not recorded"
