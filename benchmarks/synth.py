"""Benchmark `neighbourhood synth`: time, rate and peak memory per size, against a Parquet-write baseline.

    uv run python benchmarks/synth.py                      # 100,000 and 900,000 people
    uv run python benchmarks/synth.py --people 20000      # any sizes; beyond 909,091 keyed by pseudonyms
    uv run python benchmarks/synth.py --people 200000 --key pseudonym  # a pseudonymised lake at any size
    uv run python benchmarks/synth.py --model-check 50000 # can a model on earlier data approach the truth?

Each size runs in its own child process (so its peak RSS is its own, read with os.wait4). The baseline,
in the same run, writes the same number of rows of random data (an NHS-number-like string, a date, a code
string and a float per row) to Parquet with pyarrow in the same chunking; `ratio_vs_write_baseline` is
generator seconds / baseline seconds, a figure that travels between machines better than seconds do.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 20260401


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 900_000])
    parser.add_argument(
        "--model-check", type=int, metavar="PEOPLE", help="run the model check at this size instead"
    )
    parser.add_argument(
        "--key",
        choices=("nhs_number", "pseudonym"),
        help="person key (default: NHS numbers up to 909,091 people, the test range; pseudonyms beyond)",
    )
    parser.add_argument("--child", nargs=3, metavar=("MODE", "COUNT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, count, out = args.child
        print(
            json.dumps(
                _generate(int(count), Path(out), args.key)
                if mode == "generate"
                else _baseline(int(count), Path(out))
            )
        )
        return
    if args.model_check:
        _model_check(args.model_check)
        return
    for people in args.people:
        with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
            generated, generated_rss = _run_child("generate", people, Path(tmp) / "lake", args.key)
            baseline, _ = _run_child("baseline", generated["rows"], Path(tmp) / "baseline")
        seconds = generated["seconds"]
        print(f"people: {people}")
        print(f"person_key: {generated['key']}")
        print(f"seconds: {seconds:.1f}")
        print(f"people_per_second: {people / seconds:.0f}")
        print(f"peak_rss_mib: {generated_rss:.0f}")
        print(f"rows_written: {generated['rows']}")
        print(f"baseline_seconds: {baseline['seconds']:.1f}")
        print(f"ratio_vs_write_baseline: {seconds / baseline['seconds']:.2f}")
        print(flush=True)


def _run_child(mode: str, count: int, out: Path, key: str | None = None) -> tuple[dict, float]:
    key_option = ["--key", key] if key else []
    process = subprocess.Popen(
        [sys.executable, __file__, *key_option, "--child", mode, str(count), str(out)],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{mode} child for {count:,} failed with exit code {process.returncode}")
    return json.loads(output), usage.ru_maxrss / 1024  # Linux reports KiB


def _generate(people: int, out: Path, key: str | None) -> dict:
    # pyarrow imports pandas on first use; count that as start-up (it is slow where bytecode is not cached).
    import pandas  # noqa: F401

    from neighbourhood.synth.generate import generate_neighbourhood

    started = time.perf_counter()
    summary = generate_neighbourhood(out, people=people, seed=SEED, key=key)
    return {"seconds": time.perf_counter() - started, "rows": sum(summary.rows.values()), "key": summary.key}


def _baseline(rows: int, out: Path) -> dict:
    import numpy as np
    import pandas  # noqa: F401  (as in _generate)
    import pyarrow as pa
    import pyarrow.parquet as pq

    from neighbourhood.synth.generate import CHUNK_SIZE

    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True)
    per_part = CHUNK_SIZE * 10  # about the rows one chunk of people produces
    # Like the generator's output: per part, a chunk's worth of distinct people and a few hundred codes.
    ids = pa.array(rng.integers(9_990_000_000, 9_999_999_999, CHUNK_SIZE).astype("U10"))
    codes = pa.array(rng.integers(100_000, 1_000_000_000, 500).astype("U10"))
    started = time.perf_counter()
    for part, start in enumerate(range(0, rows, per_part)):
        n = min(per_part, rows - start)
        table = pa.table(
            {
                "id": ids.take(pa.array(rng.integers(0, len(ids), n))),
                "date": pa.array(rng.integers(19_000, 21_000, n).astype(np.int32), type=pa.date32()),
                "code": codes.take(pa.array(rng.integers(0, len(codes), n))),
                "value": pa.array(rng.random(n)),
            }
        )
        pq.write_table(table, out / f"part-{part:05d}.parquet")
    return {"seconds": time.perf_counter() - started}


FEATURES_SQL = """
with p as (
    select nhs_number, date_diff('day', date_of_birth, $cut) / 365.25 as age, (sex = 'female')::int as female,
        imd_decile
    from people where date_of_death is null or date_of_death >= $cut),
conditions as (
    select nhs_number, count(distinct ltc."group") as n_conditions,
        max((ltc."group" = 'COPD')::int) as copd, max((ltc."group" = 'Heart failure')::int) as hf,
        max((ltc."group" = 'Diabetes')::int) as diabetes,
        max((ltc."group" = 'Chronic kidney disease')::int) as ckd,
        max((ltc."group" = 'Dementia')::int) as dementia, max((ltc."group" = 'Cancer')::int) as cancer,
        max((ltc."group" = 'Serious mental illness')::int) as smi
    from events join ltc on events.snomed_code = ltc.code where date < $cut group by 1),
deficits as (
    select nhs_number, count(distinct efi."group") as n_deficits
    from events join efi on events.snomed_code = efi.code where date < $cut group by 1),
findings as (
    select nhs_number,
        sum((snomed_code in (select code from falls) and date >= $cut - interval 365 day)::int) as falls,
        max((snomed_code in (select code from lives_alone))::int) as lives_alone,
        max((snomed_code = '160689007')::int) as housebound
    from events where date < $cut group by 1),
care as (
    select distinct nhs_number, 1 as social_care from social_care
    where activity = 'service' and start_date < $cut and (end_date is null or end_date >= $cut)),
hospital as (
    select nhs_number,
        sum((admission_method = 'emergency' and start_date >= $cut - interval 365 day)::int) as emergency_1y,
        sum((admission_method = 'emergency')::int) as emergency_2y,
        sum((setting = 'ae' and start_date >= $cut - interval 365 day)::int) as ae_1y,
        sum((setting = 'ae')::int) as ae_2y,
        sum(case when admission_method = 'emergency' then date_diff('day', start_date, end_date) else 0 end)
            as bed_days_2y
    from hospital_activity where start_date < $cut and start_date >= $cut - interval 730 day group by 1),
medicines as (
    select nhs_number, count(distinct name) as repeat_medicines from medications
    where is_repeat and start_date < $cut and (end_date is null or end_date > $cut) group by 1),
outcome as (
    select distinct nhs_number, 1 as admitted from hospital_activity
    where admission_method = 'emergency' and start_date >= $cut and start_date < $cut + interval 365 day)
select * from p
    left join conditions using (nhs_number) left join deficits using (nhs_number)
    left join findings using (nhs_number) left join care using (nhs_number)
    left join hospital using (nhs_number) left join medicines using (nhs_number)
    left join outcome using (nhs_number)
order by nhs_number
"""


def _model_check(people: int) -> None:
    """Train a logistic regression on the year before the index date (features from before index - 12
    months), score people at the index date, and compare its AUROC for follow-up emergency admissions with
    the truth's."""
    import duckdb
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from neighbourhood.synth.generate import DEFAULT_INDEX_DATE, generate_neighbourhood
    from neighbourhood.terminology import load_codelist

    def codes(rows) -> pd.DataFrame:
        return pd.DataFrame([{"group": row.group, "code": row.code} for row in rows])

    with tempfile.TemporaryDirectory(prefix="synth-model-check-") as tmp:
        lake = Path(tmp) / "lake"
        generate_neighbourhood(lake, people=people, seed=SEED)
        con = duckdb.connect()
        for table in ("people", "events", "medications", "hospital_activity", "social_care", "truth"):
            con.read_parquet(str(lake / table / "*.parquet")).create_view(table)
        con.register("ltc", codes(load_codelist("long_term_conditions").rows))
        con.register("efi", codes(load_codelist("efi_deficits").rows))
        falls = load_codelist("efi_deficits").codes_for("Falls") - {"49808004", "501661000000103"}
        con.register("falls", pd.DataFrame({"code": sorted(falls)}))
        con.register(
            "lives_alone",
            pd.DataFrame({"code": sorted(load_codelist("observations").codes_for("lives_alone"))}),
        )
        cut_train = DEFAULT_INDEX_DATE.replace(year=DEFAULT_INDEX_DATE.year - 1)
        train = con.execute(FEATURES_SQL, {"cut": cut_train}).df().fillna(0)
        test = con.execute(FEATURES_SQL, {"cut": DEFAULT_INDEX_DATE}).df().fillna(0)
        truth = con.execute("select nhs_number, p_emergency_admission_12m from truth").df()
    for frame in (train, test):
        frame["age_over_40"] = np.maximum(frame.age - 40, 0)
        frame["under_5"] = (frame.age < 5).astype(int)
        for column in ("emergency_1y", "emergency_2y", "ae_1y", "ae_2y", "bed_days_2y"):
            frame[column] = np.log1p(frame[column])
    features = [c for c in train.columns if c not in ("nhs_number", "admitted")]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2_000))
    model.fit(train[features], train.admitted)
    test = test.merge(truth, on="nhs_number")
    model_auroc = roc_auc_score(test.admitted, model.predict_proba(test[features])[:, 1])
    truth_auroc = roc_auc_score(test.admitted, test.p_emergency_admission_12m)
    adults = test.age >= 18
    print(f"people: {people}")
    print(f"adults_admitted_in_follow_up: {test.admitted[adults].mean():.4f}")
    print(f"truth_auroc: {truth_auroc:.3f}")
    print(f"model_auroc: {model_auroc:.3f}")
    print(f"model_vs_truth: {model_auroc / truth_auroc:.3f}")


if __name__ == "__main__":
    main()
