"""Forecasting layer: the DuckDB warehouse (bottom of the stack), features, models, backtests and explanations.

Nothing here imports ``tools``, ``agent`` or ``ui``: the data flows one way, from ``data/`` upwards.
"""
