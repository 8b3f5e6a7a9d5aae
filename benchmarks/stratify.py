"""Benchmark the stratification run end to end against a plain DuckDB scan and a pandas eFI + flags.

    uv run python benchmarks/stratify.py --people 100000 [--data DIR] [--skip-pandas]

Generates the lake with `neighbourhood.synth.generate` unless DIR already holds one. Each measured piece runs
in its own child process so its peak RSS is its own. Prints `seconds:`, `peak_rss_mib:`, `ratio_vs_scan:` and
`speedup_vs_pandas:` lines (targets at 900k people: <= 60 s, <= 4 GiB, <= 3x the scan, >= 10x faster than
pandas).
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD_PIPELINE = """
import datetime as dt, json, sys, time
from neighbourhood.risk.pipeline import run_stratification
started = time.perf_counter()
result = run_stratification(sys.argv[1], index_date=dt.date.fromisoformat(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - started, "timings": result.timings,
                  "people": len(result.people)}))
"""
CHILD_SCAN = """
import json, sys, time, duckdb
started = time.perf_counter()
rows = duckdb.sql(
    f"select nhs_number, count(distinct snomed_code) from read_parquet('{sys.argv[1]}') group by 1"
).fetchall()
print(json.dumps({"seconds": time.perf_counter() - started, "rows": len(rows)}))
"""
CHILD_ENGINE_EFI_FLAGS = """
import datetime as dt, json, sys, time
from neighbourhood.risk import efi, flags
from neighbourhood.risk.features import case_finding_events_kept, efi_and_flag_inputs, to_frame
from neighbourhood.risk.lake import connect, read_lake
started = time.perf_counter()
index_date = dt.date.fromisoformat(sys.argv[2])
with case_finding_events_kept(read_lake(connect("duckdb"), sys.argv[1]), index_date) as lake:
    people = to_frame(efi_and_flag_inputs(lake, index_date))
efi.add_scores(people)
people["wokingham_flag"], people["wokingham_reasons"] = flags.wokingham(people, flags.WokinghamThresholds())
print(json.dumps({"seconds": time.perf_counter() - started, "people": len(people)}))
"""
CHILD_PANDAS = """
import datetime as dt, json, sys, time
from neighbourhood.risk.reference import efi_and_flags
started = time.perf_counter()
table = efi_and_flags(sys.argv[1], dt.date.fromisoformat(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - started, "people": len(table)}))
"""


def run_child(code: str, *args: str) -> tuple[dict, float, float]:
    """(the child's JSON line, its wall seconds, its own peak RSS in MiB, read with os.wait4)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as errors:  # a file, so a chatty child never blocks on a pipe
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=errors, text=True
        )
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"child failed:\n{errors.read()[-4000:]}")
    return json.loads(output.strip().splitlines()[-1]), wall, usage.ru_maxrss / 1024  # Linux: KiB


def events_glob(data_dir: Path) -> str:
    single = data_dir / "events.parquet"
    return str(single) if single.exists() else str(data_dir / "events" / "*.parquet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--data", type=Path, help="reuse (or create) the lake in this folder")
    parser.add_argument("--index-date", type=dt.date.fromisoformat)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--skip-pandas", action="store_true", help="the pandas baseline needs a lot of memory"
    )
    args = parser.parse_args()
    data_dir = args.data or Path(tempfile.gettempdir()) / f"neighbourhood-bench-{args.people}-{args.seed}"
    if not (data_dir / "people.parquet").exists() and not (data_dir / "people").exists():
        from neighbourhood.synth.generate import DEFAULT_INDEX_DATE, generate_neighbourhood

        started = time.perf_counter()
        generate_neighbourhood(
            data_dir, people=args.people, seed=args.seed, index_date=args.index_date or DEFAULT_INDEX_DATE
        )
        print(f"generated: {args.people:,} people in {time.perf_counter() - started:.1f} s at {data_dir}")
    metadata = (
        json.loads((data_dir / "metadata.json").read_text()) if (data_dir / "metadata.json").exists() else {}
    )
    index_date = args.index_date or dt.date.fromisoformat(str(metadata["index_date"])[:10])

    pipeline, seconds, peak_mib = run_child(CHILD_PIPELINE, str(data_dir), index_date.isoformat())
    scan, _, _ = run_child(CHILD_SCAN, events_glob(data_dir))
    print(f"people: {pipeline['people']:,}")
    print(f"stages: {json.dumps(pipeline['timings'])}")
    print(f"seconds: {pipeline['seconds']:.2f}")  # the run itself: reading the lake to the register
    print(f"seconds_with_startup: {seconds:.2f}")  # and the interpreter starting and importing
    print(f"peak_rss_mib: {peak_mib:.0f}")
    print(f"scan_seconds: {scan['seconds']:.2f}")
    print(f"ratio_vs_scan: {pipeline['seconds'] / scan['seconds']:.2f}")
    if not args.skip_pandas:
        # like for like: the same eFI and Wokingham flags, from the same columns of the same lake, read from
        # Parquet each time
        ours, _, _ = run_child(CHILD_ENGINE_EFI_FLAGS, str(data_dir), index_date.isoformat())
        pandas, _, pandas_peak = run_child(CHILD_PANDAS, str(data_dir), index_date.isoformat())
        if ours["people"] != pandas["people"]:
            sys.exit(f"engine and pandas disagree on who is counted: {ours['people']} vs {pandas['people']}")
        print(f"engine_efi_flags_seconds: {ours['seconds']:.2f}")
        print(f"pandas_seconds: {pandas['seconds']:.2f}")
        print(f"pandas_peak_rss_mib: {pandas_peak:.0f}")
        print(f"speedup_vs_pandas: {pandas['seconds'] / ours['seconds']:.1f}")


if __name__ == "__main__":
    main()
