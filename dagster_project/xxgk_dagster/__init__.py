"""Dagster wiring for xxgk: thin assets over xxgk.pipeline, dbt models, GX checks."""
