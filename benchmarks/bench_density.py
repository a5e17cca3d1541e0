"""``km.match`` as officers get denser, as shipped and with two of its parts
turned back (a benchmark, not a test): the fixed pool of ``4 * candidate_k``
that the pool growing with density replaced (``SolveOptions(pool_max=4)``),
and every round solved afresh by OR-Tools instead of re-optimising the last
flow when few pairs join (``SolveOptions(repair=0.0)``; see
:mod:`kuseo_match.solve.repair`).

Each size is a synthetic Khon Kaen with 0.63 officers per household, so more
households mean more officers per km2 (a whole-country run gives each province
about the density of 20,000 households here).  Each run is a fresh process
(peak memory is the process's maximum RSS); the variants alternate.

Reproduce with::

    .venv/bin/python benchmarks/bench_density.py

which prints markdown and updates ``benchmarks/RESULTS.md`` between
``<!-- bench_density:start -->`` and ``<!-- bench_density:end -->``.
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

COMMAND = ".venv/bin/python benchmarks/bench_density.py"

#: One run in a fresh process; prints a JSON line.
_RUN = """
import json, logging, resource, sys, time
import kuseo_match as km
logging.getLogger("kuseo_match").setLevel(logging.ERROR)
n, variant = int(sys.argv[1]), sys.argv[2]
options = {
    "shipped": km.SolveOptions(),
    "fixed": km.SolveOptions(pool_max=4),  # the pool never grows past 4 * candidate_k
    "afresh": km.SolveOptions(repair=0.0),  # never re-optimise a flow
}[variant]
o, h = km.synthetic_province(households=n, officers=round(n * 0.63))
t = time.perf_counter()
r = km.match(o, h, options=options)
s = r.stats
print(json.dumps({"seconds": time.perf_counter() - t, "rounds": s["rounds"],
    "pairs": s["candidate_pairs"], "stages": s["seconds_by_stage"], "objective": r.objective,
    "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


#: Variant key -> its name in the table.
VARIANTS = {
    "shipped": "as shipped",
    "fixed": "fixed pool of 4 * candidate_k",
    "afresh": "every round solved afresh",
}


def run(n: int, variant: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(n), variant], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1174,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument("--out", default="benchmarks/RESULTS.md", help="'-' to only print")
    args = parser.parse_args(argv)
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {', '.join(sorted(unknown))}; known: {', '.join(VARIANTS)}")
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        runs: dict[str, list[dict]] = {v: [] for v in args.variants.split(",")}
        for _ in range(args.repeat):
            for variant in runs:
                runs[variant].append(run(n, variant))
                print(n, variant, runs[variant][-1], file=sys.stderr, flush=True)
        first = next(iter(runs.values()))[0]["objective"]
        for variant, rs in runs.items():
            assert abs(rs[0]["objective"] - first) <= 1e-6 * first, "a variant changed the optimum"
            t = statistics.median(r["seconds"] for r in rs)
            last = rs[-1]
            rows.append(
                f"| {n:,} | {round(n * 0.63):,} | {VARIANTS[variant]} | {t:.2f} | {last['rounds']} "
                f"| {last['pairs']:,} | {last['stages']['candidates']:.2f} "
                f"| {last['stages']['flow']:.2f} | {last['stages']['certificate']:.2f} "
                f"| {last['stages']['potentials']:.2f} | {last['stages']['beyond_pool']:.2f} "
                f"| {max(r['rss_gb'] for r in rs):.2f} |"
            )
    body = "\n".join(
        [
            "## Denser provinces\n",
            "`km.match` on synthetic Khon Kaen with more households (0.63 officers each): as "
            "shipped, with the fixed pool that the pool growing with officer density replaced, "
            "and with every round solved afresh by OR-Tools (no re-optimising of the last flow); "
            f"median of {args.repeat} fresh process(es) per cell, variants alternating, the same "
            f"objective every way. Written by `benchmarks/bench_density.py` (reproduce: "
            f"`{COMMAND}`).\n",
            "| households | officers | variant | seconds | rounds | candidate pairs "
            "| candidates s | flow s | certificate s | potentials s "
            "| beyond the pool s | peak RSS GB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            'Stages (last run, `result.stats["seconds_by_stage"]`): candidates, flow '
            "(OR-Tools solves and re-optimised flows, with the shifts of the potentials inside "
            "them) and certificate partition the solver's time. Two parts of the certificate are "
            "shown on their own: the potentials (the Bellman-Ford passes after each fresh solve) "
            "and the search beyond the pool; the rest of it prices the pool and checks "
            "augmenting paths.",
            "",
            machine_line("numpy", "scipy", "ortools", "kuseo_match"),
        ]
    )
    publish(body, "bench_density", args.out)


if __name__ == "__main__":
    main()
