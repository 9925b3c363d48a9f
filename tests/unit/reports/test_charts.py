"""Progress charts: inline-safe SVG, deterministic, tables equal to the data, gaps kept."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from tandem.domain.monitoring.progress import DailyEntry, Earning, Period, ScorePoint
from tandem.reports.charts import (
    BLUE,
    Chart,
    ChartText,
    CreditLabels,
    MoodCravingLabels,
    Phq9Labels,
    credit_chart,
    date_ticks,
    mood_craving_chart,
    phq9_chart,
    sleep_chart,
    translated,
)

START = date(2026, 1, 1)
WEEK = Period(START, START + timedelta(days=6))
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  # our own renderer's output, not untrusted input


def day(n: int) -> date:
    return START + timedelta(days=n)


# Days 3 and 4 have no check-in: a gap. Day 6 is a lone day after another gap (day 5).
ENTRIES = [
    DailyEntry(day(0), 5, 3, 7, False),
    DailyEntry(day(1), 3, 7, 5.5, True),
    DailyEntry(day(2), 4, 6, 6, False),
    DailyEntry(day(6), 7, 2, 8, False),
]
SCORES = [ScorePoint(day(0), 16), ScorePoint(day(3), 12), ScorePoint(day(6), 8)]
EARNED = [Earning(START - timedelta(days=3), 1000), Earning(day(2), 1050), Earning(day(5), 1100)]


def charts() -> list[Chart]:
    return [
        mood_craving_chart(ENTRIES, WEEK),
        sleep_chart(ENTRIES, WEEK),
        phq9_chart(SCORES, WEEK),
        credit_chart(EARNED, WEEK, cap_cents=59900),
    ]


@pytest.mark.parametrize("index", range(4))
def test_svg_is_inline_safe_xml(index: int) -> None:
    svg = charts()[index].svg
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert not svg.startswith("<?xml")
    assert "<!DOCTYPE" not in svg
    assert root.get("aria-hidden") == "true"
    assert root.get("focusable") == "false"
    assert root.get("role") is None  # the summary and the table carry the content
    assert root.get("width") == "100%"
    assert root.get("viewBox")
    tags = {e.tag for e in root.iter()}
    assert f"{SVG}script" not in tags
    assert f"{SVG}style" not in tags
    assert f"{SVG}foreignObject" not in tags
    for e in root.iter():
        assert "style" not in e.attrib  # the CSP (style-src 'self') would block it
        assert not any(name.startswith("on") for name in e.attrib)
        href = e.get("{http://www.w3.org/1999/xlink}href")
        assert href is None or href.startswith("#")
    assert "metadata" not in svg
    assert "<title" not in svg
    assert len(svg) < 40_000


def test_text_stays_text_in_dejavu_sans() -> None:
    root = parse(phq9_chart(SCORES, WEEK).svg)
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    assert all("DejaVu Sans" in (t.get("font-family") or "") for t in texts)
    assert {"minimal", "mild", "moderate", "moderately severe", "severe"} <= {t.text for t in texts}


def test_the_same_data_give_the_same_bytes() -> None:
    first = charts()
    mood_craving_chart(ENTRIES[:2], Period(START, day(30)))  # something else in between
    assert charts() == first


def test_ids_are_prefixed_per_chart_and_every_reference_resolves() -> None:
    seen: set[str] = set()
    for chart, prefix in zip(charts(), ("mood", "sleep", "phq9", "credit"), strict=True):
        ids = re.findall(r' id="([^"]+)"', chart.svg)
        assert all(i.startswith(prefix + "-") for i in ids)
        refs = set(re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', chart.svg))
        assert {a or b for a, b in refs} <= set(ids)
        assert not seen & set(ids)
        seen |= set(ids)


def test_mood_table_rows_equal_the_checkins_and_gaps_stay_gaps() -> None:
    chart = mood_craving_chart(ENTRIES, WEEK)
    assert chart.columns == ("Date", "Mood (0-10)", "Craving (0-10)", "Used")
    assert chart.rows == (
        (day(0), 5, 3, "No"), (day(1), 3, 7, "Yes"), (day(2), 4, 6, "No"), (day(6), 7, 2, "No"),
    )  # fmt: skip
    root = parse(chart.svg)
    mood_lines = [
        p.get("d", "") for p in root.iter(f"{SVG}path")
        if p.get("stroke") == BLUE.lower() and p.get("stroke-width") == "1.3"
    ]  # fmt: skip
    assert len(mood_lines) == 1
    # Days 0-2 are one run (a move and two segments); day 6 stands alone (a move, no
    # segment): nothing bridges days 3-5. The lone day is drawn as a dot instead.
    runs = [run.count("L") for run in mood_lines[0].split("M")[1:]]
    assert runs == [2, 0]
    dots = [u for u in root.iter(f"{SVG}use") if u.get("stroke") == BLUE.lower()]
    assert len(dots) == 2  # the lone day and the legend's key


def test_mood_summary_quotes_the_figures() -> None:
    chart = mood_craving_chart(ENTRIES, WEEK)
    assert chart.summary == (
        "Over 4 check-ins in these 7 days your mood averaged 4.8 and craving 4.5; 1 use days "
        "are marked."
    )


def test_sleep_table_and_summary() -> None:
    chart = sleep_chart(ENTRIES, WEEK)
    assert chart.rows == ((day(0), 7), (day(1), 5.5), (day(2), 6), (day(6), 8))
    assert "1 nights were under 6 hours" in chart.summary


def test_phq9_band_names_are_in_the_table_and_the_summary() -> None:
    chart = phq9_chart(SCORES, WEEK)
    assert chart.rows == (
        (day(0), 16, "moderately severe"), (day(3), 12, "moderate"), (day(6), 8, "mild"),
    )  # fmt: skip
    assert chart.summary == (
        "Your latest PHQ-9 score, 8, is in the mild range; the first of these 3 scores was "
        "16 (moderately severe)."
    )
    one = phq9_chart(SCORES[:1], WEEK)
    assert one.summary == "Your PHQ-9 score, 16, is in the moderately severe range."


def test_credit_is_cumulative_gift_card_credit_never_cash() -> None:
    chart = credit_chart(EARNED, WEEK, cap_cents=59900)
    assert chart.rows == (
        (day(2), Decimal("10.50"), Decimal("20.50")),
        (day(5), Decimal("11.00"), Decimal("31.50")),
    )
    assert chart.summary == (
        "You have earned $31.50 in gift card credit so far, $21.50 of it from 2 rewards in "
        "these 7 days."
    )
    words = " ".join([chart.title, chart.summary, *chart.columns, chart.svg]).lower()
    assert "gift card credit" in words
    assert "cash" not in words


def test_empty_periods_say_so_and_still_draw() -> None:
    empty = Period(day(100), day(120))
    for chart in (
        mood_craving_chart(ENTRIES, empty),
        sleep_chart(ENTRIES, empty),
        phq9_chart(SCORES, empty),
    ):
        assert chart.rows == ()
        assert "no" in chart.summary.lower()
        parse(chart.svg)
    assert credit_chart([], empty).summary == "No gift card credit has been earned yet."


def test_translated_words_and_number_style_reach_every_part() -> None:
    spanish = {"Mood (0-10)": "Ánimo (0-10)", "Use day": "Día de consumo", "Yes": "Sí"}
    text = ChartText(tick_date=lambda d: f"{d.day} ene", decimal_mark=",")
    labels = translated(MoodCravingLabels(), lambda s: spanish.get(s, s), text)
    chart = mood_craving_chart(ENTRIES, WEEK, labels)
    assert chart.columns[1] == "Ánimo (0-10)"
    assert chart.rows[1][3] == "Sí"
    assert "4,8" in chart.summary
    texts = {t.text for t in parse(chart.svg).iter(f"{SVG}text")}
    assert {"Ánimo (0-10)", "Día de consumo", "1 ene"} <= texts


def test_a_dollar_sign_in_a_label_is_text_not_mathtext() -> None:
    labels = CreditLabels(credit="$ so far, $ in total")
    texts = {t.text for t in parse(credit_chart(EARNED, WEEK, labels).svg).iter(f"{SVG}text")}
    assert "$ so far, $ in total" in texts


def test_band_names_follow_the_caller() -> None:
    labels = Phq9Labels(mild="leve")
    assert phq9_chart(SCORES, WEEK, labels).rows[2] == (day(6), 8, "leve")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (7, [day(0), day(2), day(4), day(6)]),
        (28, [day(0), day(7), day(14), day(21)]),
        (365, [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)]),
    ],
)
def test_date_ticks_are_few(days: int, expected: list[date]) -> None:
    assert date_ticks(Period(START, day(days - 1))) == expected


def test_clinician_summaries_speak_of_the_patient_not_to_them() -> None:
    from dataclasses import fields

    from tandem.reports.charts import (
        MoodCravingLabels,
        Phq9Labels,
        SleepLabels,
        for_clinicians,
    )

    for labels in (MoodCravingLabels(), SleepLabels(), Phq9Labels()):
        worded = for_clinicians(labels)
        for f in fields(worded):
            value = getattr(worded, f.name)
            if f.name.startswith("summary") and isinstance(value, str):
                assert "your" not in value.lower()
                assert " you " not in value.lower()
        # The placeholders stay those the chart fills in.
        assert set(_placeholders(worded.summary)) == set(_placeholders(labels.summary))


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]
