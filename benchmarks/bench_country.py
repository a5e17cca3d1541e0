"""The whole country in parts (a benchmark, not a test).

1. ``synthetic_country(1_000_000, 630_000, seed=1)`` with ``same_province``:
   the parts one after another in the process (``executor=None``), in 2 local
   processes (``executor=2``) and on a Dask ``LocalCluster`` of 2 worker
   processes; wall seconds and the peak resident memory of the whole process
   tree (the run and every worker, sampled every 0.2 s), each run in a fresh
   process.  Also 2 local processes under a memory budget for the parts in
   flight (``SolveOptions(parts_memory_gb=...)``, ``--memory``, default 2.2 GB:
   with the parent's tables, about the 3 GB goal of issue 20).  From the
   parts' own seconds, the critical path of 16 workers (the parts dealt
   largest first to the least loaded worker).
2. 100,000 households without ``same_province``: one certified solve against
   the provinces solved first as a warm start (``warm_parts=True``, 2 processes),
   the same pairs and objective checked.

Reproduce with::

    .venv/bin/python benchmarks/bench_country.py

(``--households``/``--officers`` for a smaller country, ``--skip`` to leave out
runs) which prints markdown and updates ``benchmarks/RESULTS.md`` between
``<!-- bench_country:start -->`` and ``<!-- bench_country:end -->``.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line, publish

COMMAND = ".venv/bin/python benchmarks/bench_country.py"

#: One run in a fresh process; prints a JSON line.
_RUN = r"""
import json, logging, sys, time, pickle
logging.disable(logging.WARNING)
import kuseo_match as km
households, officers, how = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
memory = float(how.split("mem")[1]) if "mem" in how else None
o, h = km.synthetic_country(households=households, officers=officers, seed=1)
policy = km.Policy(same_province=True) if how.startswith("province") else km.Policy()
options = km.SolveOptions(warm_parts=how.endswith("warm"), part_households=(
    None if how == "whole" else 20_000), parts_memory_gb=memory)
client = cluster = None
executor = None
if how.endswith("2") or how.endswith("warm") or "2mem" in how:
    executor = 2
if how.endswith("dask"):
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    executor = client.get_executor()
clock = time.perf_counter()
def say(text):
    print(f"{time.perf_counter() - clock:7.1f} s  {text}", file=sys.stderr, flush=True)
r = km.match(o, h, policy, options=options, executor=executor, progress=say)
seconds = time.perf_counter() - clock
if client is not None:
    client.close(); cluster.close()
parts = r.parts
out = {
    "seconds": seconds,
    "status": r.status,
    "objective": r.objective,
    "paired": len(r.pairs),
    "parts": 0 if parts is None else len(parts),
    "part_seconds": [] if parts is None else parts["seconds"].tolist(),
    "part_households": [] if parts is None else parts["households"].tolist(),
    "repair_changed": r.stats.get("repair_changed"),
}
if len(sys.argv) > 4:
    r.pairs[["household_id", "officer_id"]].to_pickle(sys.argv[4])
print(json.dumps(out))
"""


def _tree_rss(pid: int) -> tuple[int, int]:
    """Resident bytes of a process and all its descendants, and of the process
    alone (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * page
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total, rss.get(pid, 0)


def run(households: int, officers: int, how: str, pairs: str | None = None) -> dict:
    """One run in a fresh process; its JSON and the peak memory of its process tree."""
    args = [sys.executable, "-c", _RUN, str(households), str(officers), how]
    if pairs:
        args.append(pairs)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    peak = [0, 0]  # the whole tree, the run's own process

    def sample() -> None:
        while proc.poll() is None:
            tree, own = _tree_rss(proc.pid)
            peak[0], peak[1] = max(peak[0], tree), max(peak[1], own)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{how}: exit status {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_gb"], result["parent_gb"] = peak[0] / 1e9, peak[1] / 1e9
    print(
        f"{how}: {result['seconds']:.1f} s, {result['peak_gb']:.2f} GB "
        f"(parent {result['parent_gb']:.2f} GB)",
        file=sys.stderr,
    )
    return result


def critical_path(seconds: list[float], workers: int) -> float:
    """Wall time of the parts dealt largest first to the least loaded of ``workers``."""
    loads = [0.0] * workers
    for s in sorted(seconds, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + s)
    return max(loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--officers", type=int, default=630_000)
    parser.add_argument("--small", type=int, default=100_000, help="households of part 2")
    parser.add_argument("--skip", default="", help="runs to leave out: 1,2,mem,dask,whole,warm")
    parser.add_argument(
        "--memory", type=float, default=2.2, help="parts_memory_gb of the 'mem' run (GB)"
    )
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")))
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    n, m = args.households, args.officers
    rows, parts = [], None
    budget = f"province2mem{args.memory:g}"
    for how, label in (
        ("province2", "2 local processes"),
        (budget, f"2 local processes, `parts_memory_gb={args.memory:g}`"),
        ("provincedask", "Dask LocalCluster, 2 worker processes"),
        ("province", "1 (the parts one after another, in process)"),
    ):
        key = {"province2": "2", budget: "mem", "provincedask": "dask", "province": "1"}[how]
        if key in skip:
            continue
        r = run(n, m, how)
        parts = parts or r
        rows.append(
            f"| {label} | {r['seconds']:.0f} | {r['peak_gb']:.2f} | {r['parent_gb']:.2f} | "
            f"{r['parts']} | "
            f"{r['status']} | {r['objective']:.6g} |"
        )
    lines = [
        f"`{COMMAND}` ({machine_line('pandas', 'ortools', 'pylmcf', 'distributed')})",
        "",
        f"**{n:,} households, {m:,} officers, `same_province`** (each run in a fresh "
        "process; memory: the peak of the run and its workers together)",
        "",
        "| workers | wall s | peak GB | the parent's own peak GB | parts | status | objective |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    if parts is not None and parts["part_seconds"]:
        sec = parts["part_seconds"]
        size = parts["part_households"]
        top = max(range(len(sec)), key=lambda i: sec[i])
        lines += [
            "",
            f"Parts' own seconds: sum {sum(sec):.0f}, largest {sec[top]:.0f} "
            f"({size[top]:,} households); critical path with 16 workers "
            f"{critical_path(sec, 16):.0f} s, with 2 workers {critical_path(sec, 2):.0f} s.",
        ]
    if not {"whole", "warm"} & skip:
        whole = run(args.small, args.small * 63 // 100, "whole", "/tmp/bench_country_whole.pkl")
        warm = run(args.small, args.small * 63 // 100, "warm", "/tmp/bench_country_warm.pkl")
        import pandas as pd

        a = pd.read_pickle("/tmp/bench_country_whole.pkl")
        b = pd.read_pickle("/tmp/bench_country_warm.pkl")
        same = a.reset_index(drop=True).equals(b.reset_index(drop=True))
        lines += [
            "",
            f"**{args.small:,} households without `same_province`**",
            "",
            "| run | wall s | peak GB | objective | pairs changed by the certified solve |",
            "|---|---|---|---|---|",
            f"| one certified solve | {whole['seconds']:.1f} | {whole['peak_gb']:.2f} | "
            f"{whole['objective']:.9g} | - |",
            f"| provinces first (2 processes), then the certified solve | "
            f"{warm['seconds']:.1f} | {warm['peak_gb']:.2f} | {warm['objective']:.9g} | "
            f"{warm['repair_changed']:,} |",
            "",
            f"Same pairs: {'yes' if same else 'no'}; warm start / one solve: "
            f"{warm['seconds'] / whole['seconds']:.2f}x the time.",
        ]
    publish("\n".join(lines), "bench_country", args.out)


if __name__ == "__main__":
    main()
