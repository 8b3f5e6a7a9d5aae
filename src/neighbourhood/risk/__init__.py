"""Case finding analytics: eFI, admission risk, Wokingham flags, pyramid of need, proactive care register.

Pure Python + Ibis over the Parquet lake (DuckDB by default, PySpark at national scale). Nothing here imports
Django or the web layer: the `casefinding` capability calls `run_stratification` and stores what it returns.
"""
