"""Which came first, and whether each depressive episode is independent of use.

ruleset-v1.md s3 (onset order), s4 (each episode) and s5 (current depression); the
DSM-5-TR grounds are facts.md s3.4 (criterion C: symptoms preceded use, or persisted
about a month after use stopped) and s3.5 (PRISM: onset before use or in abstinence).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from tandem.domain.formulation.case import Case, DepressiveEpisode
from tandem.domain.formulation.dates import shown

INDEPENDENT = ("independent_preceded_use", "independent_in_abstinence", "independent_persisted")


@dataclass(frozen=True)
class Finding:
    """A rule that fired and a sentence a clinician can read (facts named in it)."""

    rule: str
    text: str

    def line(self) -> str:
        return f"{self.rule}: {self.text}"


@dataclass(frozen=True)
class UseSpan:
    """A closed interval of use, in midpoint days (ruleset-v1.md s4), and how to name it."""

    start: date
    end: date
    label: str


@dataclass(frozen=True)
class EpisodeFinding:
    """An episode's classification, the rule that gave it, why, and the days it used."""

    episode: DepressiveEpisode
    classification: str
    rule: str
    reason: str
    facts: Mapping[str, object] = field(default_factory=dict)


def onset_order(case: Case, window_days: int) -> tuple[str, Finding]:
    """ruleset-v1.md s3, partial dates as intervals of the days they could mean."""
    if not case.depressive_episodes:
        return "no_depression", Finding("O1", "no depressive episode is recorded")
    if not case.stimulant.use_periods:
        text = "depressive episodes are recorded but no period of regular use"
        return "undetermined", Finding("O2", text)
    d = case.depressive_episodes[0].onset
    u = case.stimulant.use_periods[0].start
    first = f"the first depressive episode (onset {d.text})"
    use = f"the first period of regular use (start {u.text})"
    if (u.earliest - d.latest).days >= window_days:
        return "depression_first", Finding("O3", f"{first} began at least {window_days} days "
                                                 f"before {use}")  # fmt: skip
    if (d.earliest - u.latest).days >= window_days:
        return "use_first", Finding("O4", f"{use} began at least {window_days} days before {first}")
    text = (
        f"{first} and {use} began within {window_days} days of each other, or the dates are "
        "too imprecise to order them"
    )
    return "tangled", Finding("O5", text)


def use_spans(case: Case) -> list[UseSpan]:
    """Use periods as closed midpoint intervals; an ongoing one ends at last use (or today).

    When every period is closed and ``last_use`` is later than the last end, ``last_use``
    counts as one more one-day period (ruleset-v1.md s4).
    """
    last_use = case.stimulant.last_use
    spans = []
    for number, period in enumerate(case.stimulant.use_periods, start=1):
        end = period.end.midpoint if period.end else (last_use or case.assessed_on)
        until = period.end.text if period.end else "ongoing"
        label = f"use period {number} ({period.start.text} to {until})"
        spans.append(UseSpan(period.start.midpoint, end, label))
    closed = bool(spans) and case.stimulant.use_periods[-1].end is not None
    if closed and last_use is not None and last_use > spans[-1].end:
        spans.append(UseSpan(last_use, last_use, f"the last use on {last_use.isoformat()}"))
    return spans


def classify_episodes(case: Case, abstinence_days: int) -> tuple[EpisodeFinding, ...]:
    """Each episode's classification; the first rule of ruleset-v1.md s4 that applies wins."""
    if not case.stimulant.use_periods:
        reason = "no period of regular use is recorded, so regular use has not begun"
        return tuple(
            EpisodeFinding(e, "independent_preceded_use", "E0", reason, {"use_periods": 0})
            for e in case.depressive_episodes
        )
    spans = use_spans(case)
    return tuple(_classify(case, e, spans, abstinence_days) for e in case.depressive_episodes)


def _classify(
    case: Case, episode: DepressiveEpisode, spans: list[UseSpan], days: int
) -> EpisodeFinding:
    onset = episode.onset.midpoint
    end = episode.end.midpoint if episode.end else case.assessed_on
    facts: dict[str, object] = {"onset": onset.isoformat(), "end": end.isoformat()}
    began = f"onset {shown(episode.onset)}"
    if onset < spans[0].start:
        reason = f"{began} is before the first period of regular use began ({spans[0].label})"
        facts["first_use_start"] = spans[0].start.isoformat()
        return EpisodeFinding(episode, "independent_preceded_use", "E1", reason, facts)
    inside = [s for s in spans if s.start <= onset <= s.end]
    before = [s for s in spans if s.end < onset]
    if not inside and (onset - before[-1].end).days > days:
        reason = (
            f"{began} came {(onset - before[-1].end).days} days after {before[-1].label} ended, "
            f"more than {days} days, and inside no period of use"
        )
        facts["use_ended"] = before[-1].end.isoformat()
        return EpisodeFinding(episode, "independent_in_abstinence", "E2", reason, facts)
    persisted = _persisted_after(case, spans, onset, end, days)
    if persisted is not None:
        reason = (
            f"the episode ({began}) was present {days} days after {persisted.label} ended "
            f"({(persisted.end + timedelta(days=days)).isoformat()}), with no use in between"
        )
        facts["use_ended"] = persisted.end.isoformat()
        return EpisodeFinding(episode, "independent_persisted", "E3", reason, facts)
    during = f"{began} came during use or within {days} days of stopping"
    facts["abstinence_days"] = days
    if episode.end is not None:
        reason = f"{during}; the episode ended"
        return EpisodeFinding(episode, "substance_induced", "E4", reason, facts)
    reason = (
        f"{during}; the episode is ongoing, so whether it persists after {days} days of "
        "abstinence cannot be judged yet"
    )
    return EpisodeFinding(episode, "substance_induced_provisional", "E4", reason, facts)


def _provisional(finding: EpisodeFinding) -> str:
    """How C2 and C3 name the ongoing episode (v1's words for v1's classes)."""
    if finding.classification == "order_unclear":
        return "order_unclear (treated as substance_induced_provisional, ruleset-v2.md s2)"
    return "substance_induced_provisional"


def _persisted_after(
    case: Case, spans: list[UseSpan], onset: date, end: date, days: int
) -> UseSpan | None:
    """ruleset-v1.md s4 rule 3: o <= t_i + 28 <= e with no use in (t_i, t_i + 28]."""
    last_use = case.stimulant.last_use
    for span in spans:
        limit = span.end + timedelta(days=days)
        if not onset <= limit <= end:
            continue
        if any(span.end < other.start <= limit for other in spans):
            continue
        if last_use is not None and span.end < last_use <= limit:
            continue
        return span
    return None


def current_depression(
    case: Case, episodes: tuple[EpisodeFinding, ...], abstinence_days: int
) -> tuple[str, date | None, Finding]:
    """ruleset-v1.md s5: the ongoing episode's status and, when provisional, ``reassess_on``."""
    ongoing = [f for f in episodes if f.episode.end is None]
    if not ongoing:
        return "none", None, Finding("C0", "no depressive episode is ongoing")
    current = ongoing[-1]
    if current.classification in INDEPENDENT:
        text = f"the ongoing episode is {current.classification}"
        return "independent", None, Finding("C1", text)
    earlier = [f for f in episodes if f is not current and f.classification in INDEPENDENT]
    if earlier:
        text = (
            f"the ongoing episode is {_provisional(current)}, but an earlier episode "
            f"(onset {earlier[0].episode.onset.text}) is {earlier[0].classification}. DSM-5-TR's "
            "example of such evidence is a history of recurrent non-substance episodes; counting "
            "one earlier independent episode is the program's looser choice"
        )
        return "independent", None, Finding("C2", text)
    last_use = case.stimulant.last_use
    reassess_on = last_use + timedelta(days=abstinence_days) if last_use else None
    when = (
        f"reassess on {reassess_on.isoformat()}, {abstinence_days} days after the last use"
        if reassess_on
        else "the last day of use is unknown, so no reassessment date can be set"
    )
    text = f"the ongoing episode is {_provisional(current)}; {when}"
    return "substance_induced_provisional", reassess_on, Finding("C3", text)


# --- ruleset-v2.md s2: no false precision --------------------------------------------------

ORDER_UNCLEAR = "order_unclear"
# ruleset-v2.md s2: order_unclear is treated exactly as substance_induced_provisional.
PROVISIONAL = ("substance_induced_provisional", ORDER_UNCLEAR)


def classify_episodes_v2(
    case: Case, abstinence_days: int, episode_days: int, incomplete: bool
) -> tuple[EpisodeFinding, ...]:
    """Each episode's classification under ruleset-v2.md s2, first match wins.

    ``episode_days``: a major depressive episode lasts at least 2 weeks (facts.md s3.3 A);
    ``incomplete``: the review flag ``use_periods_incomplete`` (rules 3 and 4 then do not
    apply to an ongoing episode: the record of use is too thin to show independence).
    """
    if not case.stimulant.use_periods:
        return classify_episodes(case, abstinence_days)  # E0, as v1
    spans = use_spans(case)
    return tuple(
        _classify_v2(case, e, spans, abstinence_days, episode_days, incomplete)
        for e in case.depressive_episodes
    )


def _classify_v2(
    case: Case,
    episode: DepressiveEpisode,
    spans: list[UseSpan],
    days: int,
    episode_days: int,
    incomplete: bool,
) -> EpisodeFinding:
    first = case.stimulant.use_periods[0].start
    onset = episode.onset
    facts: dict[str, object] = {
        "onset_latest": onset.latest.isoformat(),
        "first_use_start_earliest": first.earliest.isoformat(),
    }
    if onset.latest + timedelta(days=episode_days) <= first.earliest:
        reason = (
            f"onset {onset.text} (at the latest {onset.latest.isoformat()}) plus the "
            f"{episode_days} days of a depressive episode came on or before the earliest "
            f"possible start of the first period of use ({first.text}, at the earliest "
            f"{first.earliest.isoformat()})"
        )
        return EpisodeFinding(episode, "independent_preceded_use", "E1", reason, facts)
    if onset.earliest < first.latest:
        reason = (
            f"onset {onset.text} and the first period of use ({first.text}) began too close "
            f"together, or are dated too imprecisely, to tell which came first: treated as "
            "substance-induced (provisional) until the dates are clearer"
        )
        facts["first_use_start_latest"] = first.latest.isoformat()
        return EpisodeFinding(episode, ORDER_UNCLEAR, "E5", reason, facts)
    blocked = incomplete and episode.end is None
    if not blocked:
        found = _in_abstinence_v2(case, episode, spans, days) or _persisted_v2(
            case, episode, spans, days
        )
        if found is not None:
            return found
    return _induced(episode, days, blocked)


def _in_abstinence_v2(
    case: Case, episode: DepressiveEpisode, spans: list[UseSpan], days: int
) -> EpisodeFinding | None:
    """Rule 3: inside no use period, a period ended before the onset, and no use of any
    pattern (nor ``last_use``) in the ``days`` before it (ruleset-v2.md s2)."""
    onset = episode.onset.midpoint
    if any(s.start <= onset <= s.end for s in spans):
        return None
    before = [s for s in spans if s.end < onset]
    last_use = case.stimulant.last_use
    since = onset - timedelta(days=days)
    if not before or (onset - before[-1].end).days <= days:
        return None
    if last_use is not None and since <= last_use < onset:
        return None
    reason = (
        f"onset {shown(episode.onset)} came {(onset - before[-1].end).days} days after "
        f"{before[-1].label} ended, more than {days} days, inside no period of use and with "
        "no use in between"
    )
    facts = {"onset": onset.isoformat(), "use_ended": before[-1].end.isoformat()}
    return EpisodeFinding(episode, "independent_in_abstinence", "E2", reason, facts)


def _persisted_v2(
    case: Case, episode: DepressiveEpisode, spans: list[UseSpan], days: int
) -> EpisodeFinding | None:
    """Rule 4: as v1's rule 3 (binge periods count as use periods)."""
    onset = episode.onset.midpoint
    end = episode.end.midpoint if episode.end else case.assessed_on
    persisted = _persisted_after(case, spans, onset, end, days)
    if persisted is None:
        return None
    reason = (
        f"the episode (onset {shown(episode.onset)}) was present {days} days after "
        f"{persisted.label} ended ({(persisted.end + timedelta(days=days)).isoformat()}), "
        "with no use in between"
    )
    facts = {"onset": onset.isoformat(), "use_ended": persisted.end.isoformat()}
    return EpisodeFinding(episode, "independent_persisted", "E3", reason, facts)


def _induced(episode: DepressiveEpisode, days: int, blocked: bool) -> EpisodeFinding:
    """Rule 5: substance-induced (provisional while ongoing), as v1's rule 4."""
    during = f"onset {shown(episode.onset)} came during use or within {days} days of stopping"
    facts: dict[str, object] = {
        "onset": episode.onset.midpoint.isoformat(),
        "abstinence_days": days,
    }
    if episode.end is not None:
        return EpisodeFinding(
            episode, "substance_induced", "E4", f"{during}; the episode ended", facts
        )
    reason = (
        f"{during}; the episode is ongoing, so whether it persists after {days} days of "
        "abstinence cannot be judged yet"
    )
    if blocked:
        reason = (
            "the record of use is too thin to show this ongoing episode is independent "
            "(use_periods_incomplete: criteria are met but no period of use is recorded in "
            f"the past 12 months); {reason}"
        )
    return EpisodeFinding(episode, "substance_induced_provisional", "E4", reason, facts)
