"""The solve paths of synthetic Khon Kaen, this checkout against a baseline checkout
(a benchmark, not a test).

Each path in one process per checkout, the checkouts alternating: ``km.match``
(plain), the bottleneck objective, ``km.rematch`` a year later (the scenario of
``bench_living.py``), with ``churn_cost = 10``, and ``km.diagnose`` on the
README's Ubolratana case (Khon Kaen without Ubolratana's officers,
``max_distance_km = 25``).  Each process warms up once, then times each path
``--repeat`` times; the table gives the median over every run of the checkout
and the ratio of the baseline's median to this one's.

Reproduce with::

    git worktree add /tmp/base <commit>
    .venv/bin/python benchmarks/bench_paths.py --baseline /tmp/base

which prints markdown and updates ``benchmarks/RESULTS.md`` between
``<!-- bench_paths:start -->`` and ``<!-- bench_paths:end -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line, publish

COMMAND = ".venv/bin/python benchmarks/bench_paths.py --baseline PATH"
PATHS = ("match", "bottleneck", "rematch", "rematch, churn_cost = 10", "diagnose")

#: One process: every path, ``repeat`` times each; prints a JSON line.
_RUN = r"""
import json, logging, statistics, sys, time
logging.disable(logging.WARNING)
sys.path.insert(0, sys.argv[2])
import kuseo_match as km
from bench_living import a_year
repeat = int(sys.argv[1])
o, h = km.synthetic_province("Khon Kaen", seed=0)
first = km.match(o, h)
o2, h2 = a_year(o, h)
gone = o[o["district"] != "TH4008"]
short = km.Policy(max_distance_km=25)
paths = {
    "match": lambda: km.match(o, h),
    "bottleneck": lambda: km.match(o, h, km.Policy(objective="bottleneck")),
    "rematch": lambda: km.rematch(first.pairs, o2, h2),
    "rematch, churn_cost = 10": lambda: km.rematch(first.pairs, o2, h2, km.Policy(churn_cost=10)),
    "diagnose": lambda: km.diagnose(gone, h, short),
}
out = {}
for name, run in paths.items():
    run()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = run()
        times.append(time.perf_counter() - t)
    result = r.result if name == "diagnose" else r
    out[name] = {"times": times, "objective": result.objective}
print(json.dumps(out))
"""


def run(checkout: str | None, repeat: int) -> dict:
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = str(Path(checkout) / "src")
    here = str(Path(__file__).resolve().parent)
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(repeat), here],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    if out.returncode:
        raise SystemExit(out.stderr.strip()[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _commit(checkout: str) -> str:
    """The short commit of a checkout (its path when git cannot tell)."""
    found = subprocess.run(
        ["git", "-C", checkout, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return found.stdout.strip() or checkout


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a checkout to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="processes per checkout")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per process")
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")))
    args = parser.parse_args(argv)
    times: dict[str, dict[str, list[float]]] = {"this": {}, "baseline": {}}
    objective: dict[str, dict[str, float]] = {"this": {}, "baseline": {}}
    for i in range(args.rounds):
        for label, checkout in (("this", None), ("baseline", args.baseline)):
            found = run(checkout, args.repeat)
            for name in PATHS:
                times[label].setdefault(name, []).extend(found[name]["times"])
                objective[label][name] = found[name]["objective"]
            print(f"round {i + 1} {label} done", file=sys.stderr)
    rows = []
    for name in PATHS:
        this, base = (statistics.median(times[k][name]) for k in ("this", "baseline"))
        same = abs(objective["this"][name] - objective["baseline"][name]) <= 1e-6 * max(
            1.0, abs(objective["baseline"][name])
        )
        rows.append(
            f"| {name} | {this:.3f} ({min(times['this'][name]):.3f}-"
            f"{max(times['this'][name]):.3f}) | {base:.3f} ({min(times['baseline'][name]):.3f}-"
            f"{max(times['baseline'][name]):.3f}) | {base / this:.2f}x | "
            f"{'same' if same else 'DIFFERENT'} |"
        )
    n = args.rounds * args.repeat
    body = "\n".join(
        [
            "## Solve paths\n",
            f"Synthetic Khon Kaen, each path {n} times per checkout ({args.rounds} processes "
            f"alternating with the baseline, {args.repeat} timed runs each after a warm-up); "
            "median (min-max) seconds; ratio = baseline median / this median; objective: "
            "this run's against the baseline's.  Written by `benchmarks/bench_paths.py` "
            f"(reproduce: `{COMMAND}`, PATH a checkout of the baseline).\n",
            "| path | this s | baseline s | ratio | objective |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"baseline: {_commit(args.baseline)}; this: {_commit('.')}",
            "",
            machine_line("numpy", "scipy", "ortools", "pylmcf", "kuseo_match"),
        ]
    )
    publish(body, "bench_paths", args.out)


if __name__ == "__main__":
    main()
