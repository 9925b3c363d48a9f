"""TLFB abstinence outcomes (monitoring.md s4): golden timelines worked on paper, and a
Hypothesis comparison with a day-by-day reading of the spec text."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.domain.errors import InvalidOption
from tandem.domain.monitoring.abstinence import (
    DEFAULT_UDS_CUTOFF_NG_ML,
    SUBJECT_BLOCK,
    Calendar,
    LapseRule,
    Mode,
    OutcomeRequest,
    Visits,
    abstinence_outcomes,
    build_calendar,
    verify_biochemically,
)

V0 = 740_000  # an ordinal day (2026 or so); day d of a timeline is V0 + d
ITT, RO = Mode.INTENT_TO_TREAT, Mode.RESPONDERS_ONLY


def calendar(*timelines: str) -> Calendar:
    """One string per subject; char d is day d after visit 0: 0 abstinent, 1 use, . unreported."""
    subject, day, amount = [], [], []
    for s, text in enumerate(timelines):
        for d, char in enumerate(text):
            if char != ".":
                subject.append(s)
                day.append(V0 + d)
                amount.append(float(char))
    return build_calendar(
        np.array(subject, np.int64), np.array(day, np.int64), np.array(amount), len(timelines)
    )


def visits(n: int, protocol: dict[str, int] | None = None, **days: list[int | None]) -> Visits:
    """``v0=[0, None]`` etc.: day of each visit per subject (None = not recorded)."""
    recorded = {}
    for name, per_subject in days.items():
        label = name.removeprefix("v")
        present = np.array([d is not None for d in per_subject])
        day = np.array([V0 + (d or 0) for d in per_subject], np.int64)
        recorded[label] = (day, present)
    assert all(len(v) == n for v in days.values())
    return Visits(recorded=recorded, protocol_days=protocol or {"1": 2, "2": 10})


def outcome(cal: Calendar, vis: Visits, column: str, **request: object) -> list[float | None]:
    defaults: dict[str, object] = {"at": ("2",), "pp_days": (7,)}
    result = abstinence_outcomes(cal, vis, OutcomeRequest(**(defaults | request)))  # type: ignore[arg-type]
    return [None if math.isnan(v) else v for v in result[column].tolist()]


# --- point prevalence: [v - k, v), the visit day itself excluded -------------------------


def test_point_prevalence_window_excludes_the_visit_day_and_ends_k_days_back() -> None:
    cal = calendar("00010000000", "00100000000", "00000000001")
    vis = visits(3, v0=[0, 0, 0], v2=[10, 10, 10])
    # window of pp7 at day 10 is days 3..9: use on day 3 counts, day 2 and day 10 do not
    assert outcome(cal, vis, "pp7_v2") == [0.0, 1.0, 1.0]


def test_point_prevalence_for_several_lengths() -> None:
    cal = calendar("00001000000")
    vis = visits(1, v0=[0], v2=[10])
    assert outcome(cal, vis, "pp7_v2", pp_days=(7, 5)) == [0.0]
    assert outcome(cal, vis, "pp5_v2", pp_days=(7, 5)) == [1.0]  # days 5..9


# --- continuous and prolonged ------------------------------------------------------------


def test_continuous_runs_from_the_start_visit_up_to_the_end_visit() -> None:
    cal = calendar("01000000000", "00100000000")
    vis = visits(2, v0=[0, 0], v1=[2, 2], v2=[10, 10])
    # [2, 10): use on day 1 is before the start, use on day 2 is inside
    assert outcome(cal, vis, "cont_v1_v2") == [1.0, 0.0]


def test_prolonged_ignores_use_in_the_grace_period() -> None:
    cal = calendar("0100000000000", "0010000000000")
    vis = visits(2, v0=[0, 0], v1=[0, 0], v2=[12, 12])
    # quit day 0, grace 2: window [2, 12)
    assert outcome(cal, vis, "prolonged_v1_v2", grace_days=2) == [1.0, 0.0]


def test_prolonged_days_rule_allows_fewer_than_k_use_days() -> None:
    cal = calendar("000010000000", "000010100000")
    vis = visits(2, v0=[0, 0], v1=[0, 0], v2=[12, 12])
    lapse = LapseRule.parse("days:2")
    assert outcome(cal, vis, "prolonged_v1_v2", grace_days=2, lapse=lapse) == [1.0, 0.0]


def test_prolonged_run_rule_needs_k_consecutive_use_days_inside_the_window() -> None:
    cal = calendar("000010100000", "000011000000", "011100000000")
    vis = visits(3, v0=[0, 0, 0], v1=[0, 0, 0], v2=[12, 12, 12])
    run2, run3 = LapseRule.parse("run:2"), LapseRule.parse("run:3")
    assert outcome(cal, vis, "prolonged_v1_v2", grace_days=2, lapse=run2) == [1.0, 0.0, 0.0]
    # subject 3's run of three starts on day 1, inside the grace period: only 2 days count
    assert outcome(cal, vis, "prolonged_v1_v2", grace_days=2, lapse=run3) == [1.0, 1.0, 1.0]


def test_lapse_rule_text() -> None:
    assert LapseRule.parse("none") == LapseRule("none")
    assert LapseRule.parse("run:7") == LapseRule("run", 7)
    assert str(LapseRule.parse("days:3")) == "days:3"
    for bad in ("days:0", "run:", "weeks:2", "days:-1", ""):
        with pytest.raises(InvalidOption, match="lapse"):
            LapseRule.parse(bad)


# --- missing data: intent-to-treat and responders only ------------------------------------


def test_unreported_day_between_reports_is_use_under_itt_and_empty_under_ro() -> None:
    cal = calendar("00000.0000")
    vis = visits(1, v0=[0], v2=[10])
    assert outcome(cal, vis, "pp7_v2", mode=ITT) == [0.0]
    assert outcome(cal, vis, "pp7_v2", mode=RO) == [None]
    assert outcome(cal, vis, "pp4_v2", pp_days=(4,), mode=ITT) == [1.0]  # days 6..9
    assert outcome(cal, vis, "pp4_v2", pp_days=(4,), mode=RO) == [1.0]


def test_window_reaching_past_the_reported_days() -> None:
    cal = calendar("0000000000")  # days 0..9 reported, the visit is on day 12
    vis = visits(1, v0=[0], v2=[12])
    assert outcome(cal, vis, "pp7_v2", mode=ITT) == [0.0]
    assert outcome(cal, vis, "pp7_v2", mode=RO) == [None]
    assert outcome(cal, vis, "pp2_v2", pp_days=(2,), mode=ITT) == [0.0]  # days 10, 11


def test_empty_window_is_zero_under_itt_and_empty_under_ro() -> None:
    cal = calendar("0000000000000000")
    vis = visits(1, v0=[0], v1=[0], v2=[10])
    # grace 14 from day 0 starts after the end visit (day 10)
    assert outcome(cal, vis, "prolonged_v1_v2", grace_days=14, mode=ITT) == [0.0]
    assert outcome(cal, vis, "prolonged_v1_v2", grace_days=14, mode=RO) == [None]


def test_subject_with_no_visit_0_gets_a_row_of_empty_cells() -> None:
    cal = calendar("0000000000010", "0000000000010")
    vis = visits(2, v0=[0, None], v1=[2, 2], v2=[10, 10])
    result = abstinence_outcomes(cal, vis, OutcomeRequest(at=("2",)))
    assert all(math.isnan(column[1]) for column in result.values())
    assert result["pp7_v2"][0] == 1.0
    assert result["pda"][0] == pytest.approx(100 * 12 / 13)


def test_missing_visit_date_is_imputed_under_itt_only() -> None:
    cal = calendar("000000000000", "000000000000")
    vis = visits(2, protocol={"1": 2, "2": 10}, v0=[0, 0], v2=[10, None])
    assert outcome(cal, vis, "pp7_v2", mode=ITT) == [1.0, 1.0]  # v2 = day 0 + 10
    assert outcome(cal, vis, "pp7_v2", mode=RO) == [1.0, None]
    # v1 recorded for nobody: ITT takes day 2, RO has no start
    assert outcome(cal, vis, "cont_v1_v2", mode=ITT) == [1.0, 1.0]
    assert outcome(cal, vis, "cont_v1_v2", mode=RO) == [None, None]


def test_missing_protocol_day_under_itt_is_refused() -> None:
    cal = calendar("0000")
    vis = visits(1, protocol={"1": 2}, v0=[0])
    with pytest.raises(InvalidOption, match="visit '2'"):
        outcome(cal, vis, "pp7_v2")


# --- biochemical verification ------------------------------------------------------------


def _verified(cal: Calendar, day: int, ng_ml: float) -> Calendar:
    return verify_biochemically(
        cal, np.array([0]), np.array([V0 + day]), np.array([ng_ml]), DEFAULT_UDS_CUTOFF_NG_ML
    )


def test_urine_above_cutoff_turns_days_t_minus_2_to_t_into_use() -> None:
    cal = _verified(calendar("0000000000"), day=5, ng_ml=400)
    assert cal.use[0].tolist() == [False] * 3 + [True] * 3 + [False] * 4
    vis = visits(1, v0=[0], v2=[10])
    assert outcome(cal, vis, "pp4_v2", pp_days=(4,)) == [1.0]  # days 6..9
    assert outcome(cal, vis, "pp5_v2", pp_days=(5,)) == [0.0]  # day 5 is now use


def test_urine_at_the_cutoff_is_not_above_it() -> None:
    cal = _verified(calendar("0000000000"), day=5, ng_ml=300)
    assert not cal.use.any()


def test_urine_does_not_invent_a_report_for_an_unreported_day() -> None:
    cal = _verified(calendar("0000.00000"), day=5, ng_ml=1000)
    assert cal.reported[0].tolist() == [True] * 4 + [False] + [True] * 5
    assert cal.use[0].tolist() == [False] * 3 + [True, False, True] + [False] * 4


# --- descriptive outcomes -------------------------------------------------------------


def test_percent_days_abstinent_counts_reported_days_only() -> None:
    cal = calendar("0110..0001")  # 8 reported, 3 use
    vis = visits(1, v0=[0], v2=[10])
    assert outcome(cal, vis, "pda") == [pytest.approx(62.5)]


def test_days_to_first_use_counts_from_the_cont_from_visit() -> None:
    cal = calendar("01000100000", "01000000000", "00100000000")
    vis = visits(3, v0=[0, 0, 0], v1=[2, 2, 2], v2=[10, 10, 10])
    assert outcome(cal, vis, "days_to_first_use") == [3.0, None, 0.0]


def test_longest_abstinent_run_is_broken_by_use_and_by_unreported_days() -> None:
    cal = calendar("0001000.00", "....")
    vis = visits(2, v0=[0, 0], v2=[10, 10])
    assert outcome(cal, vis, "longest_abstinent_run") == [3.0, None]


def test_columns_follow_the_documented_layout() -> None:
    request = OutcomeRequest(at=("2", "3"), pp_days=(7, 28), cont_from="1", prolonged_from="1")
    assert request.columns() == [
        "pp7_v2", "pp28_v2", "cont_v1_v2", "prolonged_v1_v2",
        "pp7_v3", "pp28_v3", "cont_v1_v3", "prolonged_v1_v3",
        "pda", "days_to_first_use", "longest_abstinent_run",
    ]  # fmt: skip


# --- Hypothesis: the vectorised grid equals a day-by-day reading of s4 --------------------


def reference(
    timeline: str, start: int, end: int, mode: Mode, lapse: LapseRule, anchored: bool
) -> float | None:
    """monitoring.md s4 read literally, one day at a time."""
    if not anchored:
        return None
    if start >= end:
        return 0.0 if mode is ITT else None
    reported = [i for i, c in enumerate(timeline) if c != "."]
    values = []
    for d in range(start, end):
        if 0 <= d < len(timeline) and timeline[d] != ".":
            values.append(timeline[d] == "1")
        elif mode is ITT and reported and reported[0] < d < reported[-1]:
            values.append(True)
        else:
            return 0.0 if mode is ITT else None
    if lapse.kind == "days":
        return float(sum(values) < lapse.k)
    if lapse.kind == "run":
        runs, longest = 0, 0
        for used in values:
            runs = runs + 1 if used else 0
            longest = max(longest, runs)
        return float(longest < lapse.k)
    return float(not any(values))


timelines = st.text(alphabet="01.", min_size=0, max_size=20)
subject_cases = st.tuples(timelines, st.integers(-3, 22), st.integers(-3, 22), st.booleans())
lapses = st.sampled_from(["none", "days:1", "days:2", "days:3", "run:1", "run:2", "run:3"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(subject_cases, min_size=1, max_size=6),
    st.sampled_from([ITT, RO]),
    lapses,
    st.integers(0, 5),
)
def test_grid_matches_the_day_by_day_reading(
    subjects: list[tuple[str, int, int, bool]], mode: Mode, lapse_text: str, grace: int
) -> None:
    texts = [s[0] for s in subjects]
    cal = calendar(*texts)
    n = len(subjects)
    vis = visits(
        n,
        protocol={"1": 0, "2": 0},
        v0=[0 if s[3] else None for s in subjects],
        v1=[s[1] for s in subjects],
        v2=[s[2] for s in subjects],
    )
    lapse = LapseRule.parse(lapse_text)
    request = OutcomeRequest(at=("2",), pp_days=(3,), grace_days=grace, lapse=lapse, mode=mode)
    result = abstinence_outcomes(cal, vis, request)
    for i, (text, a, v, anchored) in enumerate(subjects):
        got = {k: (None if math.isnan(result[k][i]) else result[k][i]) for k in result}
        none = LapseRule("none")
        assert got["pp3_v2"] == reference(text, v - 3, v, mode, none, anchored)
        assert got["cont_v1_v2"] == reference(text, a, v, mode, none, anchored)
        assert got["prolonged_v1_v2"] == reference(text, a + grace, v, mode, lapse, anchored)


@settings(max_examples=100, deadline=None)
@given(st.lists(timelines, min_size=1, max_size=6), st.sampled_from([ITT, RO]))
def test_outcomes_are_always_0_1_or_empty(texts: list[str], mode: Mode) -> None:
    cal = calendar(*texts)
    n = len(texts)
    vis = visits(n, v0=[0] * n, v1=[2] * n, v2=[10] * n)
    request = OutcomeRequest(at=("1", "2"), pp_days=(1, 7), mode=mode, grace_days=1)
    result = abstinence_outcomes(cal, vis, request)
    for name, column in result.items():
        if name.startswith(("pp", "cont", "prolonged")):
            assert set(np.unique(column[~np.isnan(column)]).tolist()) <= {0.0, 1.0}
        elif name == "pda":
            assert ((column[~np.isnan(column)] >= 0) & (column[~np.isnan(column)] <= 100)).all()


def test_a_caseload_larger_than_one_block_gives_each_subject_its_own_answer() -> None:
    patterns = ["0000000000", "0001000000", "00000.0000", "0000000001"]
    n = SUBJECT_BLOCK + 5000  # two blocks
    cal = calendar(*(patterns[i % 4] for i in range(n)))
    vis = visits(n, v0=[0] * n, v1=[2] * n, v2=[10] * n)
    result = abstinence_outcomes(cal, vis, OutcomeRequest(at=("2",), pp_days=(7,)))
    single = abstinence_outcomes(
        calendar(*patterns),
        visits(4, v0=[0] * 4, v1=[2] * 4, v2=[10] * 4),
        OutcomeRequest(at=("2",), pp_days=(7,)),
    )
    for name, column in result.items():
        expected = np.tile(single[name], n // 4 + 1)[:n]
        assert np.array_equal(column, expected, equal_nan=True), name
