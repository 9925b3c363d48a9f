"""The PCL-5 cut-off is a program setting, 31-33 (instruments.md, pcl5 row; facts.md s2.5)."""

from __future__ import annotations

import pytest

from tandem.domain.errors import InvalidOption
from tandem.domain.instruments import PCL5_CUTOFF_RANGE, score

TOTAL_32 = [2] * 16 + [0] * 4


def test_the_default_cutoff_is_33() -> None:
    result = score("pcl5", TOTAL_32)
    assert (result.total, result.positive) == (32, False)
    assert score("pcl5", [2] * 16 + [1, 0, 0, 0]).positive is True  # 33


@pytest.mark.parametrize(("cutoff", "positive"), [(31, True), (32, True), (33, False)])
def test_a_program_cutoff_moves_the_positive_screen(cutoff: int, positive: bool) -> None:
    result = score("pcl5", TOTAL_32, pcl5_cutoff=cutoff)
    assert (result.total, result.positive) == (32, positive)


def test_only_31_to_33_are_allowed() -> None:
    assert PCL5_CUTOFF_RANGE == (31, 33)
    for cutoff in (30, 34):
        with pytest.raises(InvalidOption) as error:
            score("pcl5", TOTAL_32, pcl5_cutoff=cutoff)
        assert str(error.value) == (
            f"pcl5: cut-off {cutoff} is not a program setting between 31 and 33 "
            "(instruments.md; facts.md s2.5)"
        )


def test_the_cutoff_belongs_to_the_pcl5_alone() -> None:
    with pytest.raises(InvalidOption, match="phq9: a PCL-5 cut-off applies to pcl5 only"):
        score("phq9", [0] * 9, pcl5_cutoff=31)


def test_batch_scoring_takes_the_same_cutoff() -> None:
    from tandem.domain.instruments import score_batch
    from tandem.formats.batch import score_file

    rows = [TOTAL_32, [2] * 15 + [0] * 5]  # totals 32 and 30
    assert list(score_batch("pcl5", rows).positive) == [False, False]
    assert list(score_batch("pcl5", rows, pcl5_cutoff=31).positive) == [True, False]
    header = "id," + ",".join(f"i{n}" for n in range(1, 21)) + "\n"
    data = (header + "a," + ",".join(map(str, TOTAL_32)) + "\n").encode()
    output, rows_scored, invalid = score_file(data, "pcl5", pcl5_cutoff=32)
    assert (rows_scored, invalid) == (1, 0)
    assert output.decode().splitlines()[1] == "a,32,,true,provisional_ptsd,"
    with pytest.raises(InvalidOption, match="pcl5: cut-off 34 is not a program setting"):
        score_file(data, "pcl5", pcl5_cutoff=34)
