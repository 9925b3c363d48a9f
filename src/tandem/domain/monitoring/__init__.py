"""Monitoring analytics over a whole caseload at once (``monitoring.md``).

Part A, the monitoring core, lives in these modules:

- ``rows``: the rows of check-ins, instruments (every instrument of the library) and
  screens, and the intake facts, checked against their contract (instrument items
  through the instrument library, ``tandem.domain.instruments``);
- ``series``: the rows laid out as dense patients x days NumPy grids (NaN where a day is
  missing);
- ``cycle``: the crash cycle (surge, crash, chase, deepening), ``monitoring.md`` s2;
- ``markers``: the early markers per 14-day block and their trend, s2;
- ``recovery``: mood after 28 days without use and ``persistent_low``, s2;
- ``mbc``: measurement-based care for PHQ-9, GAD-7 and PCL-5, s3;
- ``alerts``: the alerts of s5, raised once per episode (``suicide_risk`` and
  ``overdose_risk`` by ruleset-v2.md s7's own rules);
- ``suicide``: suicide signals, the re-raising rules, C-SSRS currency and the emergency
  evaluation of ruleset-v2.md s7;
- ``panel``: a screen's analytes (stimulants for CM, opioids for ``overdose_risk``);
- ``stepping``: the suggestions (emergency evaluation, step up, step down);
- ``thresholds``: every configurable figure with its source;
- ``analysis``: one call that runs all of it, in bounded chunks of patients;
- ``report``: the per-patient result as plain JSON-ready values (cells from ``cells``).
- ``shifting``: the portal's "what is shifting" panel from the early markers;
- ``progress``: the progress page's figures (chart data, summaries, days since use).

Everything is vectorised over patients and days; nothing reads files or the clock
(the caller passes ``today``). The figures describe a person's own pattern for the
clinician and the patient to talk about; they are not a diagnosis.
"""
