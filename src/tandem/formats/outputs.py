"""The outputs of ``tandem analyze`` and ``tandem cm`` (CSV and JSON), and writing any
output file whole or not at all (``tandem tlfb``'s outcomes are written by
``tandem.formats.timeline``, ``tandem score``'s by ``tandem.formats.batch``).

``written`` is how every command's ``--output`` file is written: beside the target under
a hidden name, renamed over it only when complete, so a failed run leaves no partial file
(RULES.md: nothing is half-saved). The CLI turns its ``OSError`` into one line.

Text cells that come from the input (ids, prize names) are formula-safe
(``tandem.formats.text``); numbers, dates and fixed words are written as they are.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from tandem.formats.text import formula_safe, quoted

if TYPE_CHECKING:  # tandem score imports this module: keep its start-up light
    from tandem.domain.monitoring.incentives import Ledger, LedgerEntry


@contextmanager
def written(path: Path) -> Iterator[BinaryIO]:
    """The file to write ``path``'s bytes to; renamed to ``path`` when the block ends
    (``OSError`` when it cannot be written; nothing is left behind either way)."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with aside.open("wb") as file:
            yield file
        os.replace(aside, path)
    except BaseException:
        aside.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- tandem analyze --output

SCORED = ("phq9", "gad7", "pcl5")
# The other instruments of the library with a total (ruleset-v2.md s7: every instrument
# is read); the flat row gives each one's latest score.
OTHER_TOTALS = ("phq2", "auditc", "dast10", "sds", "assist", "qids_sr16", "isi")
COURSE_FIELDS = (
    "baseline",
    "baseline_date",
    "latest",
    "latest_date",
    "change",
    "percent_change",
    "reliable_improvement",
    "reliable_deterioration",
)
FLAT_COLUMNS: tuple[str, ...] = (
    "patient_id",
    "insufficient_data",
    "insufficient_data_reason",
    "checkins",
    "baseline_mood",
    "surge",
    "crash",
    "crash_days",
    "chase_after_low",
    "chase_after_other",
    "chase_ratio",
    "chase_n_low",
    "chase_n_other",
    "deepening",
    "deepening_flag",
    "blocks",
    "crash_dips_per_block",
    "sleep_sd_per_block",
    "mean_craving_per_block",
    "mean_sleep_hours_per_block",
    "short_sleep_nights_per_block",
    "signs_of_progress",
    "recovery_run_start",
    "recovery_run_end",
    "recovery_days_without_use",
    "recovery_mood_days_1_7",
    "recovery_mood_days_22_28",
    "recovery_phq9",
    "persistent_low",
    *(f"{name}_{field}" for name in SCORED for field in COURSE_FIELDS),
    "phq9_response",
    "phq9_remission",
    "phq9_not_on_track",
    "phq9_latest_item9",
    "phq9_item9_unknown",
    *(f"{name}_latest" for name in OTHER_TOTALS),
    "qids_sr16_latest_item12",
    "cssrs_current_tier",
    "cssrs_current_date",
    "alerts",
    "alert_kinds",
    "latest_alert_date",
    "suggestion",
)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True or value is False:
        return int(value)
    return value


def flat_row(patient_id: str, result: dict[str, Any]) -> list[Any]:
    """One patient's result as the ``FLAT_COLUMNS`` row."""
    cycle, trend, rec = result["cycle"], result["early_markers_trend"], result["recovery"]
    chase = cycle.get("chase", {})
    row: dict[str, Any] = {
        "patient_id": formula_safe(patient_id),  # a text cell from the input (issue 9)
        "insufficient_data": bool(cycle.get("insufficient_data", False)),
        "insufficient_data_reason": cycle.get("reason"),
        **{k: cycle.get(k) for k in ("checkins", "baseline_mood", "surge", "crash")},
        **{k: cycle.get(k) for k in ("crash_days", "deepening", "deepening_flag")},
        **{f"chase_{k}": chase.get(k) for k in ("after_low", "after_other", "ratio")},
        **{f"chase_{k}": chase.get(k) for k in ("n_low", "n_other")},
        "blocks": trend.get("blocks", 0),
        **{k: trend.get(k) for k in ("crash_dips_per_block", "sleep_sd_per_block")},
        **{
            k: trend.get(k)
            for k in (
                "mean_craving_per_block",
                "mean_sleep_hours_per_block",
                "short_sleep_nights_per_block",
            )
        },
        "signs_of_progress": ";".join(trend.get("signs_of_progress", [])),
        "recovery_run_start": rec.get("run_start"),
        "recovery_run_end": rec.get("run_end"),
        "recovery_days_without_use": rec.get("days_without_use"),
        "recovery_mood_days_1_7": rec.get("mood_days_1_7"),
        "recovery_mood_days_22_28": rec.get("mood_days_22_28"),
        "recovery_phq9": rec.get("phq9"),
        "persistent_low": rec.get("persistent_low"),
    }
    for name in SCORED:
        course = result["mbc"][name] or {}
        row.update({f"{name}_{f}": course.get(f) for f in COURSE_FIELDS})
    phq9 = result["mbc"]["phq9"] or {}
    row.update({f"phq9_{k}": phq9.get(k) for k in ("response", "remission", "not_on_track")})
    row["phq9_latest_item9"] = phq9.get("latest_item9")  # empty: not given (unknown)
    row["phq9_item9_unknown"] = phq9.get("item9_unknown")
    for name in OTHER_TOTALS:
        row[f"{name}_latest"] = (result["mbc"].get(name) or {}).get("latest")
    row["qids_sr16_latest_item12"] = (result["mbc"].get("qids_sr16") or {}).get("latest_item12")
    cssrs = result.get("cssrs_current") or {}
    row["cssrs_current_tier"] = cssrs.get("tier")
    row["cssrs_current_date"] = cssrs.get("date")
    alerts = result["alerts"]
    row["alerts"] = len(alerts)
    row["alert_kinds"] = ";".join(f"{a['kind']}@{a['date']}" for a in alerts)
    row["latest_alert_date"] = max((a["date"] for a in alerts), default=None)
    row["suggestion"] = (result["suggestion"] or {}).get("kind")
    return [_cell(row[c]) for c in FLAT_COLUMNS]


def write_flat(results: dict[str, Any], out: BinaryIO) -> None:
    """The flat CSV of ``tandem analyze --output``: ``FLAT_COLUMNS``, a row per patient
    sorted by id (the ``csv`` module's quoting and CRLF line ends), UTF-8."""
    rows = [flat_row(pid, results[pid]) for pid in sorted(results)]
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow(FLAT_COLUMNS)
        writer.writerows(rows)
    finally:
        text.detach()  # flushes; ``out`` stays open for its owner


def write_json(results: dict[str, str], out: BinaryIO) -> None:
    """The JSON of ``tandem analyze``: one object keyed by patient id (sorted), each value
    the patient's result as JSON text, written patient by patient (no giant string)."""
    out.write(b"{")
    for i, pid in enumerate(sorted(results)):
        out.write(f"{',' if i else ''}{json.dumps(pid)}:{results[pid]}".encode())
    out.write(b"}\n")
    out.flush()


# ---------------------------------------------------------------- tandem cm --output

CSV_HEADER = (
    "patient_id,date,result,earned,draws,prizes,note,week,day_result,"
    "cap_reached_on,max_still_possible"
)


def dollars(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def ledgers_csv(ledgers: dict[str, Ledger]) -> str:
    """``CSV_HEADER``; prizes as ``name:value[:not awarded]``; the ledger's
    ``cap_reached_on`` and ``max_still_possible`` on the patient's last row only.

    Only the patient id and the prizes (names from ``--bowl``) can hold a comma or a quote;
    the other cells are dates, numbers and fixed words, written as they are."""
    lines = [CSV_HEADER]
    for patient, ledger in ledgers.items():
        who = quoted(patient)
        for number, entry in enumerate(ledger.entries, start=1):
            prizes = ";".join(
                f"{p.name}:{dollars(p.value_cents)}" + ("" if p.awarded else ":not awarded")
                for p in entry.prizes
            )
            cells = [who, entry.date.isoformat(), entry.result.value]
            cells += [dollars(entry.earned_cents), str(entry.draws), quoted(prizes)]
            cells += [entry.note.value if entry.note else "", str(entry.week)]
            cells += [entry.day_result.value if entry.day_result else ""]
            last = number == len(ledger.entries)
            reached = ledger.cap_reached_on.isoformat() if ledger.cap_reached_on else ""
            cells += [reached, dollars(ledger.max_still_possible_cents)] if last else ["", ""]
            lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _entry_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "date": entry.date.isoformat(),
        "result": entry.result.value,
        "earned": dollars(entry.earned_cents),
        "draws": entry.draws,
        "prizes": [
            {"prize": p.name, "value": dollars(p.value_cents), "awarded": p.awarded}
            for p in entry.prizes
        ],
        "note": entry.note.value if entry.note else None,
        "week": entry.week,
        "day_result": entry.day_result.value if entry.day_result else None,
    }


def ledgers_json(ledgers: dict[str, Ledger]) -> str:
    """One object keyed by patient id: ``total``, ``cap_reached_on``, ``max_still_possible``
    (as of the last screen) and ``ledger`` (monitoring.md s8, ruleset-v2.md s7)."""
    out = {
        patient: {
            "total": dollars(ledger.total_cents),
            "cap_reached_on": ledger.cap_reached_on.isoformat() if ledger.cap_reached_on else None,
            "max_still_possible": dollars(ledger.max_still_possible_cents),
            "ledger": [_entry_json(entry) for entry in ledger.entries],
        }
        for patient, ledger in ledgers.items()
    }
    return json.dumps(out, indent=2) + "\n"
