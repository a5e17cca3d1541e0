"""Benchmark of :func:`kuseo_match.synth.synthetic_country` (not a pytest test).

Measures, for ``synthetic_country(households=1_000_000, officers=630_000)``:

* wall time in a fresh subprocess (cold: first call, including the reference
  loaders) and in this process (warm: best of ``--repeat`` calls);
* peak traced Python memory (:mod:`tracemalloc`, numpy buffers included);
* maximum resident set size of a fresh subprocess that only imports the
  package and makes the call (:func:`resource.getrusage`);
* a naive baseline, one Python loop iteration per household and officer, on a
  small sample, extrapolated linearly to the full size.

Prints a markdown table.  Reproduce with::

    .venv/bin/python benchmarks/bench_synth.py

Goal: at most 20 s and 2 GB for one million households.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from common import machine
from kuseo_match import synth
from kuseo_match.synth import synthetic_country

COMMAND = ".venv/bin/python benchmarks/bench_synth.py"

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from kuseo_match.synth import synthetic_country
t1 = time.perf_counter()
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
officers, households = synthetic_country(households={households}, officers={officers}, seed=0)
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert len(households) == {households} and len(officers) == {officers}
json.dump(dict(import_s=t1 - t0, call_s=t2 - t1, maxrss_kb=rss, import_maxrss_kb=rss_import),
          sys.stdout)
"""


def fresh_subprocess(households: int, officers: int) -> dict[str, float]:
    """Cold call in a new interpreter: its times and ``ru_maxrss`` (KiB on Linux)."""
    code = _CHILD.format(households=households, officers=officers)
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def warm_wall_time(households: int, officers: int, repeat: int) -> list[float]:
    """Wall times (s) of ``repeat`` calls in this process."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        synthetic_country(households=households, officers=officers, seed=0)
        times.append(time.perf_counter() - start)
    return times


def traced_peak(households: int, officers: int) -> int:
    """Peak bytes traced by :mod:`tracemalloc` during one call (result kept alive)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = synthetic_country(households=households, officers=officers, seed=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def naive_country(households: int, officers: int, seed: int = 0) -> tuple[pd.DataFrame, ...]:
    """The same model with one Python loop iteration per household and per officer.

    Only the per-district set-up (weights, exact apportionment) is shared with
    :mod:`kuseo_match.synth`; every row is drawn with scalar calls and built
    as a dict, the way a first version typically looks.
    """
    rng = np.random.default_rng(seed)
    codes = tuple(sorted(synth.reference.provinces()["province_code"]))
    plan = synth._plan(codes, True)
    zeros = np.zeros(len(plan.province_codes), int)
    per_province = synth._apportion(np.array([households]), plan.province_weight, zeros)
    per_district = synth._apportion(per_province, plan.weight, plan.group)
    polygons = {poly.index: poly for poly in plan.polygons}
    n_welfare = households - math.floor(households * synth.DEVELOPABLE_SHARE + 0.5)
    kinds = ["welfare"] * n_welfare + ["developable"] * (households - n_welfare)
    rng.shuffle(kinds)

    rows = []
    i = 0
    for d, count in enumerate(per_district):
        for _ in range(count):
            if d in polygons:
                poly = polygons[d]
                while True:
                    lon = rng.uniform(poly.low[0], poly.high[0])
                    lat = rng.uniform(poly.low[1], poly.high[1])
                    if poly.path.contains_point((lon, lat)):
                        break
            else:
                lat = plan.lat[d] + rng.normal() * plan.sigma_lat[d]
                lon = plan.lon[d] + rng.normal() * plan.sigma_lon[d]
            kind = kinds[i]
            row = {"household_id": f"HH{i + 1:06d}", "kind": kind, "district": plan.district[d]}
            row.update(lat=lat, lon=lon)
            any_need = False
            for j, need in enumerate(synth.NEEDS):
                p = min(1.0, plan.base_need[d, j] * synth.NEED_TILT[kind][need])
                flag = rng.random() < p
                row[f"need_{need}"] = flag
                any_need = any_need or flag
            if not any_need:
                row[f"need_{synth.TYPICAL_NEED[kind]}"] = True
            row["province"] = plan.province[d]
            rows.append(row)
            i += 1
    house = pd.DataFrame(rows)

    agencies = list(synth.AGENCY_WEIGHTS)
    weights = list(synth.AGENCY_WEIGHTS.values())
    staff = []
    officer_province = synth._apportion(np.array([officers]), plan.province_weight, zeros)
    officer_district = synth._apportion(officer_province, plan.weight, plan.group)
    k = 0
    for d, count in enumerate(officer_district):
        for _ in range(count):
            lat = plan.lat[d] + rng.normal() * synth.OFFICE_SPREAD_KM / synth.KM_PER_DEGREE
            lon = plan.lon[d] + rng.normal() * synth.OFFICE_SPREAD_KM / synth.KM_PER_DEGREE
            staff.append(
                {
                    "officer_id": f"OF{k + 1:05d}",
                    "agency": agencies[rng.choice(len(agencies), p=weights)],
                    "district": plan.district[d],
                    "lat": lat,
                    "lon": lon,
                    "capacity": synth.OFFICER_CAPACITY,
                    "province": plan.province[d],
                }
            )
            k += 1
    return pd.DataFrame(staff), house


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--officers", type=int, default=630_000)
    parser.add_argument("--repeat", type=int, default=3, help="warm calls in this process")
    parser.add_argument("--naive-households", type=int, default=20_000)
    args = parser.parse_args(argv)
    n, m = args.households, args.officers

    cold = fresh_subprocess(n, m)
    warm = warm_wall_time(n, m, args.repeat)
    peak = traced_peak(n, m)

    sample = args.naive_households
    sample_officers = round(sample * m / n)
    start = time.perf_counter()
    naive_country(sample, sample_officers)
    naive_s = time.perf_counter() - start
    start = time.perf_counter()
    synthetic_country(households=sample, officers=sample_officers, seed=0)
    vector_sample_s = time.perf_counter() - start
    naive_full_s = naive_s * n / sample

    facts = machine("numpy", "pandas")
    gib = 1024**3
    lines = [
        f"### synthetic_country(households={n:,}, officers={m:,})",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall time, fresh process (first call) | {cold['call_s']:.2f} s |",
        f"| import kuseo_match.synth, fresh process | {cold['import_s']:.2f} s |",
        f"| wall time, warm (best of {args.repeat}) | {min(warm):.2f} s |",
        f"| wall times, warm (all) | {', '.join(f'{t:.2f}' for t in warm)} s |",
        f"| tracemalloc peak during the call | {peak / 2**20:,.0f} MiB ({peak / gib:.2f} GiB) |",
        f"| max RSS of the fresh process | {cold['maxrss_kb'] / 2**10:,.0f} MiB "
        f"({cold['maxrss_kb'] * 1024 / gib:.2f} GiB) |",
        f"| max RSS after import only | {cold['import_maxrss_kb'] / 2**10:,.0f} MiB |",
        f"| naive loop, {sample:,} households + {sample_officers:,} officers | {naive_s:.2f} s |",
        f"| vectorised, same sample | {vector_sample_s:.3f} s |",
        f"| naive loop extrapolated to {n:,} households | {naive_full_s:.0f} s |",
        f"| speed-up (naive extrapolated / warm vectorised) | {naive_full_s / min(warm):.0f}x |",
        f"| goal (<= 20 s, <= 2 GiB) | "
        f"{'met' if cold['call_s'] <= 20 and cold['maxrss_kb'] * 1024 <= 2 * gib else 'NOT met'} |",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
        f"Reproduce: `{COMMAND}`",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
