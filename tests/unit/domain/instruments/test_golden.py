"""Golden cases worked by hand from the sources, at every band boundary and cut-off.

Bands, cut-offs and rules: instruments.md, facts.md s2.1-s2.13. Each expected value
below was worked from those tables, not from the code.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tandem.domain.instruments import Score, score

Answers = list[int | str | None]


def filled(total: int, items: int, top: int) -> list[int]:
    """Answers that add up to ``total``: items filled to ``top`` from the first one."""
    answers: list[int] = []
    for _ in range(items):
        value = min(top, total)
        answers.append(value)
        total -= value
    assert total == 0
    return answers


def check(result: Score, total: int | None, band: str | None, positive: bool) -> None:
    assert (result.total, result.band, result.positive) == (total, band, positive)


# --- PHQ-9 (bands 0-4/5-9/10-14/15-19/20-27, positive >= 10: facts.md s2.1) ---------------

PHQ9_BOUNDARIES = [
    (0, "none_minimal", False),
    (4, "none_minimal", False),
    (5, "mild", False),
    (9, "mild", False),
    (10, "moderate", True),
    (14, "moderate", True),
    (15, "moderately_severe", True),
    (19, "moderately_severe", True),
    (20, "severe", True),
    (27, "severe", True),
]


@pytest.mark.parametrize(("total", "band", "positive"), PHQ9_BOUNDARIES)
def test_phq9_bands_and_cutoff(total: int, band: str, positive: bool) -> None:
    check(score("phq9", filled(total, 9, 3)), total, band, positive)


def test_phq9_example_of_the_contract() -> None:
    result = score("phq9", [1, 2, 0, 3, 1, 0, 2, 0, 1])
    assert result.as_dict() == {
        "instrument": "phq9",
        "total": 10,
        "band": "moderate",
        "positive": True,
        "flags": ["suicide_item_positive"],
        "subscores": {},
    }


@pytest.mark.parametrize("difficulty", [0, 3, "-", None])
def test_phq9_difficulty_item_is_never_added(difficulty: int | str | None) -> None:
    check(score("phq9", [1, 2, 0, 3, 1, 0, 2, 0, 1, difficulty]), 10, "moderate", True)


@pytest.mark.parametrize(
    ("answers", "syndrome"),
    [
        ([2, 2, 2, 2, 2, 0, 0, 0, 0], True),  # five items at >= 2 including items 1 and 2
        ([0, 2, 2, 2, 2, 2, 0, 0, 0], True),  # item 2 alone is enough of the pair
        ([0, 0, 2, 2, 2, 2, 2, 0, 0], False),  # five items but neither item 1 nor 2
        ([2, 0, 2, 2, 2, 0, 0, 0, 0], False),  # only four items count
        ([2, 0, 2, 2, 2, 0, 0, 0, 1], True),  # item 9 counts at >= 1 (instruments.md)
        ([2, 0, 2, 2, 1, 1, 1, 1, 1], False),  # items at 1 other than item 9 do not count
        ([1, 1, 1, 1, 1, 1, 1, 1, 1], False),
        ([3, 3, 3, 3, 3, 3, 3, 3, 0], True),
    ],
)
def test_phq9_major_depressive_syndrome(answers: Answers, syndrome: bool) -> None:
    assert ("major_depressive_syndrome" in score("phq9", answers).flags) is syndrome


@pytest.mark.parametrize(("item9", "flagged"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_suicide_item(item9: int, flagged: bool) -> None:
    result = score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, item9])
    assert ("suicide_item_positive" in result.flags) is flagged
    assert result.total == item9  # a flag never changes the total


def test_flags_are_sorted() -> None:
    assert score("phq9", [3] * 9).flags == ("major_depressive_syndrome", "suicide_item_positive")


# --- PHQ-2 (positive >= 3: facts.md s2.2) -------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "positive"),
    [
        ([0, 0], 0, False),
        ([2, 0], 2, False),
        ([1, 2], 3, True),
        ([3, 0], 3, True),
        ([3, 3], 6, True),
    ],
)
def test_phq2(answers: Answers, total: int, positive: bool) -> None:
    check(score("phq2", answers), total, None, positive)


# --- GAD-7 (bands 0-4/5-9/10-14/15-21, positive >= 10: facts.md s2.3) ---------------------


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_bands_and_cutoff(total: int, band: str, positive: bool) -> None:
    check(score("gad7", filled(total, 7, 3)), total, band, positive)
    check(score("gad7", [*filled(total, 7, 3), "-"]), total, band, positive)


# --- C-SSRS screener (risk tiers: facts.md s2.4, instruments.md) --------------------------


@pytest.mark.parametrize(
    ("answers", "tier", "flags"),
    [
        ([0, 0, "-", "-", "-", 0], "none", ()),
        ([0, 0, 0, 0, 0, 0], "none", ()),  # 0 stands for a skip when item 2 is 0
        ([1, 0, "-", "-", "-", 0], "low", ()),  # passive wish only
        ([0, 1, 0, 0, 0, 0], "low", ()),  # active thoughts, no method, intent or plan
        ([1, 1, 1, 0, 0, 0], "moderate", ()),  # method without intent
        ([0, 0, "-", "-", "-", 1], "moderate", ("behavior_lifetime",)),  # behaviour > 3 months
        ([1, 1, 0, 1, 0, 0], "high", ()),  # some intent
        ([1, 1, 0, 0, 1, 0], "high", ()),  # plan and intent
        ([0, 0, "-", "-", "-", 2], "high", ("behavior_lifetime",)),  # behaviour in 3 months
        ([1, 1, 1, 1, 1, 2], "high", ("behavior_lifetime",)),
        ([1, 1, 1, 0, 0, 1], "moderate", ("behavior_lifetime",)),
    ],
)
def test_cssrs_tiers(answers: Answers, tier: str, flags: tuple[str, ...]) -> None:
    result = score("cssrs", answers)
    assert (result.total, result.band, result.flags) == (None, tier, flags)
    assert result.positive is (tier != "none")


# --- PCL-5 (positive >= 33, clusters, provisional PTSD: facts.md s2.5) --------------------


@pytest.mark.parametrize(("total", "positive"), [(0, False), (32, False), (33, True), (80, True)])
def test_pcl5_cutoff(total: int, positive: bool) -> None:
    check(score("pcl5", filled(total, 20, 4)), total, None, positive)


def test_pcl5_cluster_subscores() -> None:
    answers = [1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4]
    result = score("pcl5", answers)
    assert result.subscores == {"B": 5, "C": 4, "D": 21, "E": 24}
    assert result.total == 54


def endorse(*items: int) -> Answers:
    """PCL-5 answers with ``items`` at 2 ("moderately") and every other item at 1."""
    return [2 if n in items else 1 for n in range(1, 21)]


@pytest.mark.parametrize(
    ("answers", "provisional"),
    [
        (endorse(1, 6, 8, 9, 15, 16), True),  # 1 B, 1 C, 2 D, 2 E: the minimum
        (endorse(6, 8, 9, 15, 16), False),  # no B item
        (endorse(1, 8, 9, 15, 16), False),  # no C item
        (endorse(1, 6, 8, 15, 16), False),  # one D item
        (endorse(1, 6, 8, 9, 15), False),  # one E item
        ([1] * 20, False),  # items at 1 are not endorsed
    ],
)
def test_pcl5_provisional_ptsd(answers: Answers, provisional: bool) -> None:
    result = score("pcl5", answers)
    assert ("provisional_ptsd" in result.flags) is provisional


def test_provisional_ptsd_does_not_need_the_cutoff() -> None:
    result = score("pcl5", [2 if n in (1, 6, 8, 9, 15, 16) else 0 for n in range(1, 21)])
    assert (result.total, result.positive, result.flags) == (12, False, ("provisional_ptsd",))


# --- AUDIT-C (men >= 4, women >= 3: facts.md s2.6) ----------------------------------------


@pytest.mark.parametrize(
    ("answers", "sex", "total", "positive"),
    [
        ([1, 1, 1], "male", 3, False),
        ([2, 1, 1], "male", 4, True),
        ([1, 1, 0], "female", 2, False),
        ([1, 1, 1], "female", 3, True),
        ([4, 4, 4], "female", 12, True),
        ([0, "-", "-"], "male", 0, False),  # never drinks: items 2-3 skipped score 0
        ([0, 0, 0], "female", 0, False),
    ],
)
def test_auditc_by_sex(answers: Answers, sex: str, total: int, positive: bool) -> None:
    check(score("auditc", answers, sex=sex), total, None, positive)


# --- DAST-10 (item 3 reversed; bands 0/1-2/3-5/6-8/9-10; positive >= 3: facts.md s2.7) ----


def dast(yes: int, item3: int = 1) -> Answers:
    """``yes`` items other than item 3 answered yes; item 3 answered ``item3``."""
    others = [1] * yes + [0] * (9 - yes)
    return [*others[:2], item3, *others[2:]]


@pytest.mark.parametrize(
    ("answers", "total", "band", "positive"),
    [
        (dast(0, item3=1), 0, "none", False),  # "yes, can stop" scores 0
        (dast(0, item3=0), 1, "low", False),  # item 3 answered no scores 1
        (dast(2, item3=1), 2, "low", False),
        (dast(2, item3=0), 3, "moderate", True),
        (dast(5, item3=1), 5, "moderate", True),
        (dast(6, item3=1), 6, "substantial", True),
        (dast(8, item3=1), 8, "substantial", True),
        (dast(9, item3=1), 9, "severe", True),  # all ten answered yes
        (dast(9, item3=0), 10, "severe", True),
        ([0] * 10, 1, "low", False),
    ],
)
def test_dast10(answers: Answers, total: int, band: str, positive: bool) -> None:
    check(score("dast10", answers), total, band, positive)


# --- SDS (cocaine >= 3; amphetamine > 4: facts.md s2.8) -----------------------------------


@pytest.mark.parametrize(
    ("answers", "substance", "total", "positive"),
    [
        ([1, 1, 0, 0, 0], None, 2, False),  # cocaine by default
        ([1, 1, 1, 0, 0], None, 3, True),
        ([1, 1, 1, 0, 0], "cocaine", 3, True),
        ([1, 1, 1, 1, 0], "amphetamine", 4, False),
        ([1, 1, 1, 1, 1], "amphetamine", 5, True),
        ([3, 3, 3, 3, 3], "amphetamine", 15, True),
    ],
)
def test_sds(answers: Answers, substance: str | None, total: int, positive: bool) -> None:
    check(score("sds", answers, substance=substance), total, None, positive)


# --- ASSIST (weights and bands: facts.md s2.11) -------------------------------------------


@pytest.mark.parametrize(
    ("answers", "substance", "total", "band"),
    [
        ([0, "-", "-", "-", 0, 0], None, 0, "low"),
        ([0, "-", "-", "-", 2, 0], None, 3, "low"),  # concern, not in the past 3 months
        ([0, 0, 0, 0, 1, 0], None, 6, "moderate"),  # concern in the past 3 months
        ([3, 0, 0, 0, 0, 0], "cocaine", 4, "moderate"),  # weekly use weighs 4
        ([1, 1, 1, 1, 0, 0], "amphetamine", 2 + 3 + 4 + 5, "moderate"),
        ([4, 4, 3, 1, 2, 0], None, 6 + 6 + 6 + 5 + 3, "moderate"),  # 26
        ([4, 4, 4, 1, 2, 0], None, 6 + 6 + 7 + 5 + 3, "high"),  # 27
        ([4, 4, 4, 4, 1, 1], None, 39, "high"),
        ([2, 1, 1, 0, 0, 0], "alcohol", 3 + 3 + 4, "low"),  # 10
        ([3, 1, 1, 0, 0, 0], "alcohol", 4 + 3 + 4, "moderate"),  # 11
        ([2, 1, 1, 0, 0, 0], "cocaine", 10, "moderate"),
        ([4, 4, 4, 1, 2, 0], "alcohol", 27, "high"),
    ],
)
def test_assist(answers: Answers, substance: str | None, total: int, band: str) -> None:
    check(score("assist", answers, substance=substance), total, band, band != "low")


# --- QIDS-SR16 (domain maxima; bands: facts.md s2.12; positive >= 11, program's choice) ---


def qids(
    sleep: Sequence[int] = (0, 0, 0, 0),
    appetite: Sequence[int] = (0, 0, 0, 0),
    psychomotor: Sequence[int] = (0, 0),
    single: Sequence[int] = (0,) * 6,
) -> Answers:
    """QIDS answers laid out by item: 1-4 sleep, 5, 6-9 appetite, 10-14, 15-16."""
    return [*sleep, single[0], *appetite, *single[1:], *psychomotor]


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        (qids(sleep=(3, 3, 3, 3)), 3),  # the highest of items 1-4, not their sum
        (qids(sleep=(1, 0, 2, 0)), 2),
        (qids(appetite=(2, 0, 1, 3)), 3),
        (qids(psychomotor=(1, 3)), 3),
        (qids(single=(1, 1, 1, 1, 1, 1)), 6),
        (qids((3, 3, 3, 3), (3, 3, 3, 3), (3, 3), (3,) * 6), 27),
        (qids(), 0),
    ],
)
def test_qids_domain_maxima(answers: Answers, total: int) -> None:
    assert score("qids_sr16", answers).total == total


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "none", False),
        (5, "none", False),
        (6, "mild", False),
        (10, "mild", False),
        (11, "moderate", True),
        (15, "moderate", True),
        (16, "severe", True),
        (20, "severe", True),
        (21, "very_severe", True),
        (27, "very_severe", True),
    ],
)
def test_qids_bands_and_cutoff(total: int, band: str, positive: bool) -> None:
    domains = filled(total, 9, 3)  # one value per domain: sleep, 5, appetite, 10-14, psycho
    answers = qids(
        sleep=(0, domains[0], 0, 0),
        single=(domains[1], *domains[3:8]),
        appetite=(0, 0, domains[2], 0),
        psychomotor=(domains[8], 0),
    )
    check(score("qids_sr16", answers), total, band, positive)


@pytest.mark.parametrize(("item12", "flagged"), [(0, False), (1, True), (3, True)])
def test_qids_suicide_item(item12: int, flagged: bool) -> None:
    answers = qids(single=(0, 0, 0, item12, 0, 0))
    assert answers[11] == item12
    assert ("suicide_item_positive" in score("qids_sr16", answers).flags) is flagged


# --- ISI (bands 0-7/8-14/15-21/22-28: facts.md s2.13; positive >= 15, program's choice) ---


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "none", False),
        (7, "none", False),
        (8, "subthreshold", False),
        (14, "subthreshold", False),
        (15, "moderate", True),
        (21, "moderate", True),
        (22, "severe", True),
        (28, "severe", True),
    ],
)
def test_isi_bands_and_cutoff(total: int, band: str, positive: bool) -> None:
    check(score("isi", filled(total, 7, 4)), total, band, positive)
