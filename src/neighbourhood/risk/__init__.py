"""Case finding analytics: eFI, admission risk, Wokingham flags, pyramid of need, proactive care register.

Pure Python + Ibis over the Parquet lake (DuckDB by default, PySpark at national scale). Nothing here imports
Django or the web layer: the `casefinding` capability calls `run_stratification` and stores what it returns.
"""

import os

# LightGBM's OpenMP threads spin while they wait for each other (OpenMP's default). Where the cores are shared
# with other work, a partner thread taken off its core turns each of a training run's thousands of waits into
# a time slice: training on 180,000 people took 20-28 s spinning and 2.4 s waiting passively on a busy 2-core
# machine (2.4 s against 2.7 s when it was quieter). The model is the same bit for bit. Set before anything
# here loads the OpenMP runtime (lightgbm, scikit-learn), and never over the operator's own setting.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
