"""The size of report.html and the time to write it (a benchmark, not a test).

Synthetic Khon Kaen (1,174 households) and a synthetic country of 100,000
households (``same_province``, above ``AGGREGATE_HOUSEHOLDS``: districts instead
of households): each matched once, then the map (``write_map``) and the report
(``write_report``) written ``--repeat`` times in the same process; the table
gives the median seconds and the file sizes.

Reproduce with::

    .venv/bin/python benchmarks/bench_report.py

which prints markdown and updates ``benchmarks/RESULTS.md`` between
``<!-- bench_report:start -->`` and ``<!-- bench_report:end -->``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import kuseo_match as km
from kuseo_match import report

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line, publish

COMMAND = ".venv/bin/python benchmarks/bench_report.py"


def _case(name: str, officers, households, policy, repeat: int, folder: Path) -> str:
    result = km.match(officers, households, policy)
    png = folder / f"{name}.png"
    html = folder / f"{name}.html"
    map_s, page_s = [], []
    for _ in range(repeat):
        clock = time.perf_counter()
        report.write_map(result, officers, households, png)
        map_s.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        report.write_report(result, officers, households, html, map_png=png.read_bytes())
        page_s.append(time.perf_counter() - clock)
    return (
        f"| {name} | {len(households):,} | {statistics.median(map_s):.2f} | "
        f"{statistics.median(page_s):.2f} | {html.stat().st_size / 1e6:.2f} | "
        f"{png.stat().st_size / 1e6:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        o, h = km.synthetic_province(seed=0)
        rows.append(_case("Khon Kaen", o, h, km.Policy(), args.repeat, folder))
        n = args.households
        o, h = km.synthetic_country(households=n, officers=n * 63 // 100, seed=1)
        rows.append(_case("country", o, h, km.Policy(same_province=True), args.repeat, folder))
    body = "\n".join(
        [
            "## The report",
            "",
            f"`{COMMAND}` ({machine_line('bokeh', 'matplotlib')}); median of "
            f"{args.repeat} writes in one process.",
            "",
            "| run | households | map.png s | report.html s | report.html MB | map.png MB |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Above {report.AGGREGATE_HOUSEHOLDS:,} households the map and the report show "
            "districts instead of households and the per-district lists are left out.",
        ]
    )
    publish(body, "bench_report", args.out)


if __name__ == "__main__":
    main()
