"""The instrument definitions, grouped by what they measure. Data only: no scoring code."""
