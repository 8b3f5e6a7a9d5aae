"""Benchmark the stratification run end to end against a plain DuckDB scan and a pandas eFI + flags.

    uv run python benchmarks/stratify.py --people 100000 [--data DIR] [--key pseudonym] [--skip-pandas]

Generates the lake with `neighbourhood.synth.generate` unless DIR already holds one: keyed by NHS numbers up
to the 909,091 the test range holds and by pseudonyms beyond (or as `--key` says). Each measured piece, the
generation too, runs in its own child process so its peak RSS is its own. Prints `seconds:`,
`peak_rss_mib:`, `ratio_vs_scan:` and `speedup_vs_pandas:` lines (targets at 900k people: <= 60 s,
<= 4 GiB, <= 3x the scan, >= 10x faster than pandas).
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD_GENERATE = """
import datetime as dt, json, sys, time
import pandas  # pyarrow imports it on first use: start-up, not generation
from neighbourhood.synth.generate import generate_neighbourhood
started = time.perf_counter()
summary = generate_neighbourhood(sys.argv[1], people=int(sys.argv[2]), seed=int(sys.argv[3]),
                                 index_date=dt.date.fromisoformat(sys.argv[4]), key=sys.argv[5] or None)
print(json.dumps({"seconds": time.perf_counter() - started, "key": summary.key,
                  "rows": sum(summary.rows.values())}))
"""
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
        "--key",
        choices=("nhs_number", "pseudonym"),
        help="person key of a generated lake (default: NHS numbers up to 909,091 people, pseudonyms beyond)",
    )
    parser.add_argument(
        "--skip-pandas", action="store_true", help="the pandas baseline needs a lot of memory"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the run, the scan and the engine's eFI + flags (median)",
    )
    args = parser.parse_args()
    key_part = f"-{args.key}" if args.key else ""
    data_dir = (
        args.data or Path(tempfile.gettempdir()) / f"neighbourhood-bench-{args.people}-{args.seed}{key_part}"
    )
    if not (data_dir / "people.parquet").exists() and not (data_dir / "people").exists():
        from neighbourhood.synth.generate import DEFAULT_INDEX_DATE

        index_date = args.index_date or DEFAULT_INDEX_DATE
        generated, _, generation_peak = run_child(
            CHILD_GENERATE,
            str(data_dir),
            str(args.people),
            str(args.seed),
            index_date.isoformat(),
            args.key or "",
        )
        print(
            f"generated: {args.people:,} people keyed by {generated['key']}, {generated['rows']:,} rows, in "
            f"{generated['seconds']:.1f} s, peak RSS {generation_peak:.0f} MiB, at {data_dir}"
        )
    metadata = (
        json.loads((data_dir / "metadata.json").read_text()) if (data_dir / "metadata.json").exists() else {}
    )
    print(f"person_key: {metadata.get('person_key', 'nhs_number')}")
    index_date = args.index_date or dt.date.fromisoformat(str(metadata["index_date"])[:10])

    # run and scan alternate, so a slow spell of the machine falls on both; medians of the repeats
    runs, scans = [], []
    for _ in range(args.repeat):
        runs.append(run_child(CHILD_PIPELINE, str(data_dir), index_date.isoformat()))
        scans.append(run_child(CHILD_SCAN, events_glob(data_dir))[0]["seconds"])
    seconds = statistics.median(run["seconds"] for run, _, _ in runs)
    scan_seconds = statistics.median(scans)
    median_run = sorted(runs, key=lambda run: run[0]["seconds"])[len(runs) // 2][0]
    print(f"people: {median_run['people']:,}")
    print(f"stages: {json.dumps(median_run['timings'])}  (the median run)")
    print("runs_seconds: " + ", ".join(f"{run['seconds']:.2f}" for run, _, _ in runs))
    print("scans_seconds: " + ", ".join(f"{scan:.2f}" for scan in scans))
    print(f"seconds: {seconds:.2f}")  # the run itself, reading the lake to the register: median
    print(f"seconds_with_startup: {statistics.median(wall for _, wall, _ in runs):.2f}")  # and imports
    print(f"peak_rss_mib: {max(peak for _, _, peak in runs):.0f}")
    print(f"scan_seconds: {scan_seconds:.2f}")
    print(f"ratio_vs_scan: {seconds / scan_seconds:.2f}")
    if not args.skip_pandas:
        # like for like: the same eFI and Wokingham flags, from the same columns of the same lake, read from
        # Parquet each time
        ours = [run_child(CHILD_ENGINE_EFI_FLAGS, str(data_dir), index_date.isoformat())[0] for _ in runs]
        pandas, _, pandas_peak = run_child(CHILD_PANDAS, str(data_dir), index_date.isoformat())
        if ours[0]["people"] != pandas["people"]:
            sys.exit(
                f"engine and pandas disagree on who is counted: {ours[0]['people']} vs {pandas['people']}"
            )
        engine_seconds = statistics.median(run["seconds"] for run in ours)
        print(f"engine_efi_flags_seconds: {engine_seconds:.2f}")
        print(f"pandas_seconds: {pandas['seconds']:.2f}")
        print(f"pandas_peak_rss_mib: {pandas_peak:.0f}")
        print(f"speedup_vs_pandas: {pandas['seconds'] / engine_seconds:.1f}")


if __name__ == "__main__":
    main()
