"""``km.match`` when households far outnumber officers' slots (a benchmark, not a test).

Two cells on the same 740 officers (``km.synthetic_province()``, 1,480 slots):

* **Khon Kaen size**: its own 1,174 households;
* **crowded**: 50,000 households of ``km.synthetic_province(households=50000,
  officers=740)`` (its officers are dropped; households are ``HH...``, officers
  ``OF...``, and the run checks that no id is in both tables).

Each run is a fresh process (peak memory is the process's maximum RSS, imports
and input generation included) that times ``km.match`` after a tiny warm-up
match (30 officers, 40 households), so first-call costs (lazy imports, caches)
do not inflate the Khon Kaen baseline; the two cells alternate, ``--repeat`` rounds,
and the table gives medians with the min-max spread.  The ratio is the crowded
median over the Khon Kaen median of the same run.  Goals (issue 11): the crowded
cell at most 1 GB peak and at most 10x the Khon Kaen cell.

Reproduce with::

    .venv/bin/python benchmarks/bench_crowded.py

which prints markdown and updates ``benchmarks/RESULTS.md`` between
``<!-- bench_crowded:start -->`` and ``<!-- bench_crowded:end -->``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line, publish

COMMAND = ".venv/bin/python benchmarks/bench_crowded.py"
#: Households in the crowded cell (officers stay Khon Kaen's 740).
CROWDED = 50_000
#: Goals of the crowded cell: peak RSS (GB) and time over the Khon Kaen cell.
GOAL_GB, GOAL_RATIO = 1.0, 10.0

#: One run in a fresh process; prints a JSON line.
_RUN = """
import json, logging, resource, sys, time
import kuseo_match as km
logging.getLogger("kuseo_match").setLevel(logging.ERROR)
n = int(sys.argv[1])
officers, households = km.synthetic_province()
if n != len(households):
    households = km.synthetic_province(households=n, officers=len(officers))[1]
clash = set(officers["officer_id"]) & set(households["household_id"])
if clash:
    raise SystemExit(f"ids in both tables: {sorted(clash)[:5]}")
km.match(*km.synthetic_province(officers=30, households=40))  # warm imports and caches
t = time.perf_counter()
r = km.match(officers, households)
seconds = time.perf_counter() - t
s = r.stats
print(json.dumps({"seconds": seconds, "officers": len(officers), "households": len(households),
    "slots": int(officers["capacity"].sum()), "rounds": s["rounds"],
    "pairs": s["candidate_pairs"], "stages": s["seconds_by_stage"], "status": r.status,
    "objective": r.objective, "paired": len(r.pairs),
    "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def run(households: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(households)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def spread(values: list[float], fmt: str) -> str:
    """``median (min-max)`` of ``values``."""
    return (
        f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"
        if len(values) > 1
        else f"{values[0]:{fmt}}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the two cells (median)")
    parser.add_argument("--out", default="benchmarks/RESULTS.md", help="'-' to only print")
    args = parser.parse_args(argv)
    cells = {"khon_kaen": 1174, "crowded": CROWDED}
    runs: dict[str, list[dict]] = {c: [] for c in cells}
    for r in range(args.repeat):
        for cell, n in cells.items():
            runs[cell].append(run(n))
            print(f"round {r + 1}/{args.repeat} {cell}:", runs[cell][-1], file=sys.stderr)
    med = {c: statistics.median(x["seconds"] for x in rs) for c, rs in runs.items()}
    ratio = med["crowded"] / med["khon_kaen"]
    peak = max(x["rss_gb"] for x in runs["crowded"])
    rows, notes = [], []
    for cell, rs in runs.items():
        last = rs[-1]
        same = all(abs(x["objective"] - last["objective"]) <= 1e-9 * last["objective"] for x in rs)
        rows.append(
            f"| {last['households']:,} | {last['officers']:,} ({last['slots']:,} slots) "
            f"| {spread([x['seconds'] for x in rs], '.3f')} | {med[cell] / med['khon_kaen']:.1f}x "
            f"| {last['rounds']} | {last['pairs']:,} | {last['status']} | {last['paired']:,} "
            f"| {last['objective']:,.6f}{'' if same else ' (differs between runs)'} "
            f"| {spread([x['rss_gb'] for x in rs], '.2f')} |"
        )
        stages = {k: statistics.median(x["stages"].get(k, 0.0) for x in rs) for k in last["stages"]}
        notes.append(
            f"- {last['households']:,} households, stage medians: "
            + ", ".join(f"{k} {v:.3f} s" for k, v in stages.items())
            + "."
        )

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    body = "\n".join(
        [
            "## Households outnumbering slots\n",
            "`km.match` with Khon Kaen's 740 officers (`km.synthetic_province()`) and its own "
            f"1,174 households, then {CROWDED:,} households "
            f"(`km.synthetic_province(households={CROWDED}, officers=740)`, its officers "
            f"dropped); median (min-max) of {args.repeat} fresh process(es) per cell, the cells "
            "alternating, each timed after a tiny warm-up match; ratio = median over the Khon "
            "Kaen median of the same run; peak RSS is the process's maximum (imports and "
            "input included). Written by "
            f"`benchmarks/bench_crowded.py` (reproduce: `{COMMAND}`).\n",
            "| households | officers | seconds | ratio vs Khon Kaen | rounds | candidate pairs "
            "| status | paired | objective | peak RSS GB |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"- goals for {CROWDED:,} households: peak <= {GOAL_GB:g} GB, measured {peak:.2f} GB: "
            f"**{met(peak <= GOAL_GB)}**; at most {GOAL_RATIO:g}x the Khon Kaen run, measured "
            f"{ratio:.1f}x: **{met(ratio <= GOAL_RATIO)}**.",
            *notes,
            "",
            machine_line("numpy", "scipy", "ortools", "kuseo_match"),
        ]
    )
    publish(body, "bench_crowded", args.out)


if __name__ == "__main__":
    main()
