"""The certified solve as provinces get denser and larger, against one flow on its own
final candidates (a benchmark, not a test).

For each size, in a fresh process (peak memory is the process's maximum RSS):
the solve of ``km.match`` (validation, the rounds, the dual completion), its
rounds, pricing passes, candidate pairs and seconds by stage; then, in the same
process, one OR-Tools solve of its final candidate network (the *one-flow
floor*: what the answer costs once the candidates are known) and one LEMON
solve of it.  Sizes:

* synthetic Khon Kaen with 0.63 officers per household (``kk-N``), so that more
  households mean more officers per km2 (a country run gives each province
  about the density of 20,000 households here);
* ``kk-25648x16000``: TPMAP's count of poor households in Khon Kaen;
* ``kk-50000x25000``: as many slots as households, every officer full;
* ``kk-50000x740``: the programme's 740 officers and 50,000 households;
* ``th30``: the largest province of ``synthetic_country(1_000_000, 630_000,
  seed=1)`` (Nakhon Ratchasima, 48,512 households).

With ``--baseline PATH`` each size also runs on the checkout at PATH (for
example ``git worktree add /tmp/base a33cc48``), alternating with this one
(except the sizes of ``--skip-baseline``).

Reproduce with::

    .venv/bin/python benchmarks/bench_density.py

which prints markdown and updates ``benchmarks/RESULTS.md`` between
``<!-- bench_density:start -->`` and ``<!-- bench_density:end -->``.
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

COMMAND = ".venv/bin/python benchmarks/bench_density.py"

#: One run in a fresh process; prints a JSON line.
_RUN = r"""
import json, logging, resource, sys, time
import numpy as np
import kuseo_match as km
logging.getLogger("kuseo_match").setLevel(logging.ERROR)
size, floor = sys.argv[1], sys.argv[2] == "1"
if size == "th30":
    o, h = km.synthetic_country(households=1_000_000, officers=630_000, seed=1)
    o, h = o[o["province"] == "TH30"], h[h["province"] == "TH30"]
else:
    n, n_o = (int(x) for x in size.split("x"))
    o, h = km.synthetic_province(households=n, officers=n_o)
from kuseo_match.candidates import GeoCostModel, Problem
from kuseo_match.schema import validate_tables
from kuseo_match.solve import Matching, SolveOptions, engine, solve
policy = km.Policy()
t0 = time.perf_counter()
problem = Problem.from_validated(*validate_tables(o, h, default_capacity=policy.capacity))
model = GeoCostModel(problem, policy, SolveOptions())
t1 = time.perf_counter()
out = solve(model, k=policy.candidate_k)
seconds = time.perf_counter() - t0
result = {"seconds": seconds, "validation": t1 - t0, "rounds": out.rounds,
    "passes": getattr(out, "passes", getattr(out, "repaired", 0)),
    "pairs": out.candidate_pairs, "stages": out.seconds, "certified": bool(out.certified),
    "objective": float(model.costs(out.o, out.h).cost.sum()), "paired": len(out.o),
    "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}
if floor and getattr(out, "candidates", None) is not None:
    o_, h_, c_ = out.candidates
    network = Matching(n_officers=problem.n_officers, n_households=problem.n_households).network(
        problem.capacity, o_, h_, c_)
    for name in ("ortools", "lemon"):
        t = time.perf_counter()
        engine(name).solve(network, maximize=True)
        result["floor_" + name] = time.perf_counter() - t
print(json.dumps(result))
"""

SIZES = {
    "kk-1174": "1174x740",
    "kk-5000": "5000x3150",
    "kk-10000": "10000x6300",
    "kk-20000": "20000x12600",
    "kk-25648x16000": "25648x16000",
    "kk-50000x740": "50000x740",
    "th30": "th30",
    "kk-50000x25000": "50000x25000",
}


def run(size: str, checkout: str | None) -> dict:
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = str(Path(checkout) / "src")
    out = subprocess.run(
        [sys.executable, "-c", _RUN, SIZES[size], "0" if checkout else "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1][:200]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _row(size: str, label: str, rs: list[dict]) -> str:
    if "error" in rs[0]:
        return f"| {size} | {label} | failed: {rs[0]['error']} |" + " |" * 12
    t = [r["seconds"] for r in rs]
    last = rs[-1]
    st = last["stages"]
    spread = f"{min(t):.2f}-{max(t):.2f}" if len(t) > 1 else "-"
    floor = last.get("floor_ortools")
    ratio = f"{statistics.median(t) / floor:.1f}x" if floor else "-"
    return (
        f"| {size} | {label} | {statistics.median(t):.2f} | {spread} | {last['rounds']} "
        f"| {last['passes']} | {last['pairs']:,} | {st.get('candidates', 0):.2f} "
        f"| {st.get('flow', 0):.2f} | {st.get('potentials', 0):.2f} "
        f"| {st.get('certificate', 0):.2f} | {st.get('beyond_pool', 0):.2f} "
        f"| {'-' if floor is None else f'{floor:.2f}'} | {ratio} "
        f"| {max(r['rss_gb'] for r in rs):.2f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs of sizes up to 20,000")
    parser.add_argument("--baseline", default=None, help="a checkout of an earlier commit")
    parser.add_argument(
        "--skip-baseline",
        default="kk-50000x25000",
        help="sizes the baseline does not run (comma-separated; a33cc48 never finished "
        "50,000 x 25,000)",
    )
    parser.add_argument("--out", default="benchmarks/RESULTS.md", help="'-' to only print")
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",")
    unknown = set(sizes) - set(SIZES)
    if unknown:
        parser.error(f"unknown sizes {', '.join(sorted(unknown))}; known: {', '.join(SIZES)}")
    rows, medians = [], {}
    for size in sizes:
        small = size in ("kk-1174", "kk-5000", "kk-10000", "kk-20000")
        repeat = args.repeat if small else 1
        runs: dict[str, list[dict]] = {"this": []}
        if args.baseline and size not in args.skip_baseline.split(","):
            runs["baseline"] = []
        for _ in range(repeat):
            for label in runs:
                runs[label].append(run(size, args.baseline if label == "baseline" else None))
                print(size, label, runs[label][-1], file=sys.stderr, flush=True)
        for label, rs in runs.items():
            rows.append(_row(size, label, rs))
            if "error" not in rs[0]:
                medians[(size, label)] = statistics.median(r["seconds"] for r in rs)
        this, base = runs["this"], runs.get("baseline")
        if base and "error" not in base[0] and "error" not in this[0]:
            same = abs(this[0]["objective"] - base[0]["objective"]) <= 1e-6 * this[0]["objective"]
            assert same, f"{size}: the objective differs from the baseline's"
    notes = []
    if ("kk-20000", "this") in medians and ("kk-5000", "this") in medians:
        ratio = medians[("kk-20000", "this")] / medians[("kk-5000", "this")]
        notes.append(f"- 20,000 / 5,000 households: {ratio:.1f}x (goal <= 12x).")
    body = "\n".join(
        [
            "## Denser and larger provinces\n",
            "The certified solve (validation, rounds, dual completion) on synthetic Khon "
            "Kaen of growing size, and on the largest synthetic province; one fresh process "
            "per run (peak RSS is the whole process's), median and range of "
            f"{args.repeat} runs up to 20,000 households, one run above.  `floor` is one "
            "OR-Tools solve of the run's own final candidate network, timed in the same "
            "process; `x floor` is the solve's seconds over it.  Written by "
            f"`benchmarks/bench_density.py` (reproduce: `{COMMAND}"
            + (" --baseline PATH`, PATH a checkout of the baseline" if args.baseline else "`")
            + ").\n",
            "| size | code | seconds | range | rounds | passes | candidate pairs "
            "| candidates s | flow s | potentials s | certificate s | beyond the pool s "
            "| floor s | x floor | peak RSS GB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            *notes,
            "",
            machine_line("numpy", "scipy", "ortools", "pylmcf", "kuseo_match"),
        ]
    )
    publish(body, "bench_density", args.out)


if __name__ == "__main__":
    main()
