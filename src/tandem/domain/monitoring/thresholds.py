"""Every configurable figure of the monitoring core, with its source.

Where a figure is the program's own choice (not from a cited source), the comment says
``program``. ``facts.md`` marks (V) verified and (V2) verified only through a secondary
source; both marks are repeated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class CycleThresholds:
    """The crash-cycle figures of ``monitoring.md`` s2 (all the spec's own definitions)."""

    min_checkins: int = 28  # s2: "at least 28 check-ins needed"
    use_free_days_before_baseline: int = 3  # s2: no use that day and the 3 days before
    local_half_width: int = 14  # s2: baseline days within 14 days either side
    min_local_days: int = 3  # s2: at least 3 such days, else baseline_mood
    crash_after_days: int = 3  # s2: the days 1-3 after a use day
    low_day_drop: float = 2.0  # s2 chase: mood <= local baseline - 2
    dip_drop: float = 3.0  # s2 early markers: mood <= local baseline - 3
    deepening_per_days: int = 28  # s2: slope in points per 28 days
    deepening_flag_below: float = -0.5  # s2: below -0.5 is flagged
    min_deepening_days: int = 3  # s2: at least 3 baseline days
    block_days: int = 14  # s2: early markers per 14-day block
    recovery_run_days: int = 28  # s2: latest run of >= 28 days without use
    screen_lookback_days: int = 2  # s2: a positive screen on the day or the next 2 days
    persistent_phq9: int = 10  # s2: PHQ-9 >= 10 after 28 days abstinent
    persistent_mood: float = 4.0  # s2: or mood on days 22-28 <= 4
    # ruleset-v2.md s7: nights under 6 hours count as short (program, beside the adult
    # recommendation of 7 hours or more, facts.md s12.2 row 5).
    short_sleep_below_hours: float = 6.0


@dataclass(frozen=True)
class ReliableChange:
    """A reliable-change threshold in points for one instrument, with its source."""

    points: int
    source: str


# facts.md s7 and s2.1/s2.3/s2.5; facts.md s11 item 11 says the IAPT rules are (V2).
DEFAULT_RELIABLE_CHANGE: Final = MappingProxyType(
    {
        "phq9": ReliableChange(6, "facts.md s2.1/s7: IAPT reliable improvement >= 6 (V2)"),
        "gad7": ReliableChange(4, "facts.md s2.3/s7: IAPT reliable improvement >= 4 (V2)"),
        "pcl5": ReliableChange(15, "facts.md s2.5/s7: Marx et al. 2022, RCI >= 15 (V)"),
    }
)


@dataclass(frozen=True)
class MbcThresholds:
    """Measurement-based care (``monitoring.md`` s3); sources in facts.md s2.1, s6, s7."""

    # facts.md s2.1 and s6.1/s6.2: response = >= 50% reduction from baseline (V).
    response_percent: float = 50.0
    # facts.md s2.1 and s6.1: remission = PHQ-9 < 5 (V).
    remission_below: int = 5
    # facts.md s6.1: CMS159 index score > 9, i.e. >= 10 (V); monitoring.md s3.
    min_phq9_baseline: int = 10
    # monitoring.md s3: 42 days after baseline, less than 20% below baseline (program).
    not_on_track_after_days: int = 42
    not_on_track_percent: float = 20.0
    reliable_change: MappingProxyType[str, ReliableChange] = field(
        default_factory=lambda: DEFAULT_RELIABLE_CHANGE
    )


# Who receives each alert (and the emergency_evaluation suggestion), by role on the care
# team. ruleset-v2.md s7 names suicide_risk, emergency_evaluation and overdose_risk (all
# program); the other kinds keep v1's single role (program: monitoring.md s5 asks for a
# role but names none). "on_call" is the on-call clinician; routing, fallback and
# escalation are the app's.
DEFAULT_RECIPIENTS: Final = MappingProxyType(
    {
        "suicide_risk": ("therapist", "prescriber"),
        "emergency_evaluation": ("prescriber", "on_call"),
        "overdose_risk": ("therapist", "prescriber"),
        "deterioration": ("therapist",),
        "early_sobriety_depression": ("therapist",),
        "persistent_depression": ("prescriber",),
        "lapse": ("therapist",),
        "missed_checkins": ("peer_specialist",),
        "not_on_track": ("therapist",),
        # Issue 11 (program): two unexcused group absences in 14 days; outreach, as for
        # missed check-ins.
        "missed_groups": ("peer_specialist",),
    }
)


@dataclass(frozen=True)
class AlertSettings:
    """The alert figures of ``monitoring.md`` s5 and the stepping rules of s6."""

    quiet_days_for_new_episode: int = 14  # s5: false for at least 14 days
    # ruleset-v2.md s7: suicide_risk again on a signal day 7 or more days after the
    # latest suicide_risk alert (program).
    suicide_realert_days: int = 7
    # ruleset-v2.md s7: a C-SSRS is current for 30 days or until the next (program: no
    # published validity period, facts.md s12.2).
    cssrs_current_days: int = 30
    # ruleset-v2.md s7: a high from recent behaviour alone (Q6 within 3 months) suggests
    # an emergency evaluation on the first such screen in 90 days (program).
    behaviour_repeat_days: int = 90
    # ruleset-v2.md s7: overdose_risk again only after 14 days without such a screen.
    overdose_quiet_days: int = 14
    abstinent_from_days: int = 7  # s5: 7 to 84 days inclusive (program's window)
    abstinent_to_days: int = 84
    early_sobriety_phq9: int = 10  # s5: PHQ-9 >= 10
    negatives_before_lapse: int = 2  # s5: positive after 2 or more negatives in a row
    use_free_days_before_lapse: int = 7  # s5: use after 7 or more days without use
    missed_days: int = 3  # s5: 3 days in a row without a check-in
    step_up_window_days: int = 14  # ruleset-v2.md s7: last 14 days
    step_up_positive_screens: int = 2  # s7: 2 or more positive screen days
    # s7: positive screens count for step up once the first screen is 28 or more days
    # old (program: a level needs some weeks to act; use at the start is expected).
    step_up_first_screen_age_days: int = 28
    step_down_window_days: int = 28  # s6: last 28 days
    step_down_min_screens: int = 4  # s6: at least 4 screens, all negative
    recipients: MappingProxyType[str, tuple[str, ...]] = field(
        default_factory=lambda: DEFAULT_RECIPIENTS
    )


@dataclass(frozen=True)
class MonitoringSettings:
    """All settings of the monitoring core; the defaults are ``monitoring.md``'s."""

    cycle: CycleThresholds = field(default_factory=CycleThresholds)
    mbc: MbcThresholds = field(default_factory=MbcThresholds)
    alerts: AlertSettings = field(default_factory=AlertSettings)
