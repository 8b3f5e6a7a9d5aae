"""What "the engines agree" means, for every test that runs the same lake on DuckDB and on Spark."""

import pandas as pd

EXACT_COLUMNS = (
    "efi_category",
    "efi_deficits",
    "wokingham_flag",
    "wokingham_reasons",
    "segment",
    "on_register",
    "register_reasons",
    "risk_factors",
    "age",
    "emergency_admissions_12m",
)
NUMERIC_COLUMNS = ("efi", "admission_risk", "cost_12m_gbp", "risk_percentile")


def assert_engines_agree(duck, spark) -> None:
    """The same people with the same eFI, flags, segments, register, reasons and scores (within 1e-9), and
    the same counts. Each argument has `people` and `counts`, as a StratificationResult does."""
    d, s = duck.people.set_index("nhs_number"), spark.people.set_index("nhs_number")
    assert list(d.index) == list(s.index)
    for column in EXACT_COLUMNS:
        pd.testing.assert_series_equal(d[column], s[column], check_dtype=False)
    for column in NUMERIC_COLUMNS:
        pd.testing.assert_series_equal(d[column], s[column], check_exact=False, rtol=0, atol=1e-9)
    assert duck.counts == spark.counts
