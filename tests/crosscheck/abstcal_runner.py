"""Run abstcal 0.9 with the settings that match ``tandem tlfb`` (monitoring.md s4).

Runs ONLY inside .venv-abstcal (``make abstcal-env``); it is not part of Tandem and
Tandem never imports it. Takes the same options as ``tandem tlfb`` and writes the same
columns (pp, cont, prolonged; abstcal has no pda, days to first use or longest run).

How each Tandem rule is expressed with abstcal's own API (read from its source):
- use day: ``TLFBData(abst_cutoff=0)``: amount > 0;
- ITT visit dates: ``VisitData.impute_data(impute={visit: protocol day}, anchor_visit=0)``;
  RO keeps recorded dates only (abstcal drops imputed ones in ``mode="ro"``);
- ITT unreported days between the first and last reported day count as use:
  ``TLFBData.impute_data(impute=1, last_record_action=None, maximum_allowed_gap_days=big)``
  (imputed amount 1 > 0; abstcal drops imputed days again in ``mode="ro"``);
- urine days t-2..t: ``interpolate_biochemical_data(half_life_in_days=1,
  maximum_days_to_interpolate=2)`` on the urine data (cut-off 300), then
  ``check_duplicates("max")`` so that a day reached from two urines is kept once with its
  highest value, then ``impute_data(biochemical_data=...)`` turns reported abstinence
  into use on those days;
- lapse ``none`` -> ``False``; ``days:K`` -> ``"K days"``; ``run:K`` -> ``"K-1 days/K days"``
  (abstcal: more than K-1 use days in a rolling K-day window = K consecutive use days);
- one end visit per call: in ``mode="ro"`` abstcal appends a value only for the end
  visits a subject has, so several end visits in one call would shift columns.

``--mode`` and ``--lapse`` take comma-separated lists as ``tandem tlfb`` does: with more
than one, every combination is computed in this one run (the data are read and imputed
once) and each column is prefixed ``<mode>_<lapse>_`` (``days:2`` -> ``days2``).
"""

from __future__ import annotations

import argparse
import warnings

import pandas as pd
from abstcal import AbstinenceCalculator, TLFBData, VisitData


def lapse_criterion(text: str) -> str | bool:
    if text == "none":
        return False
    kind, _, k = text.partition(":")
    return f"{k} days" if kind == "days" else f"{int(k) - 1} days/{k} days"


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--tlfb", "--visits", "--protocol-days", "--at", "--output"):
        parser.add_argument(name, required=True)
    parser.add_argument("--uds", default=None)
    parser.add_argument("--uds-cutoff", type=float, default=300.0)
    parser.add_argument("--pp", default="7,28")
    parser.add_argument("--cont-from", default="1")
    parser.add_argument("--prolonged-from", default="1")
    parser.add_argument("--grace", type=int, default=14)
    parser.add_argument("--lapse", default="none")
    parser.add_argument("--mode", default="itt")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # abstcal warns per subject with a missing date

    protocol = {int(v): int(d) for v, d in (p.split(":") for p in args.protocol_days.split(","))}
    visits = VisitData(args.visits)
    visits.impute_data(impute=protocol, anchor_visit=0)
    tlfb = TLFBData(args.tlfb, abst_cutoff=0)
    bio = None
    if args.uds:
        bio = TLFBData(args.uds, abst_cutoff=args.uds_cutoff)
        bio.interpolate_biochemical_data(half_life_in_days=1, maximum_days_to_interpolate=2)
        bio.check_duplicates(duplicate_kept="max")
    tlfb.impute_data(
        impute=1, last_record_action=None, maximum_allowed_gap_days=10**6, biochemical_data=bio
    )
    calculator = AbstinenceCalculator(tlfb, visits)
    modes, lapses = args.mode.split(","), args.lapse.split(",")
    prefixed = len(modes) > 1 or len(lapses) > 1
    columns = []
    for mode in modes:
        for lapse in lapses:
            prefix = f"{mode}_{lapse.replace(':', '')}_" if prefixed else ""
            columns += outcomes(calculator, args, mode, lapse, prefix)
    result = pd.concat(columns, axis=1)
    result.index.name = "id"
    result.astype("Int64").to_csv(args.output)


def outcomes(
    calculator: AbstinenceCalculator, args: argparse.Namespace, mode: str, lapse: str, prefix: str
) -> list[pd.DataFrame]:
    """pp, cont and prolonged for every end visit, under one mode and lapse rule."""
    a, q = int(args.cont_from), int(args.prolonged_from)
    columns = []
    for visit in (int(v) for v in args.at.split(",")):
        for k in (int(x) for x in args.pp.split(",")):
            df, _ = calculator.abstinence_pp(
                visit, k, abst_var_names=[f"{prefix}pp{k}_v{visit}"], mode=mode
            )
            columns.append(df)
        df, _ = calculator.abstinence_cont(
            a, visit, abst_var_names=[f"{prefix}cont_v{a}_v{visit}"], mode=mode
        )
        columns.append(df)
        df, _ = calculator.abstinence_prolonged(
            q, visit, lapse_criterion(lapse), grace_days=args.grace,
            abst_var_names=[f"{prefix}prolonged_v{q}_v{visit}"], mode=mode,
        )  # fmt: skip
        columns.append(df)
    return columns


if __name__ == "__main__":
    main()
