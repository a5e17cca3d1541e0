"""Reading large and hostile input files: time and peak memory (a benchmark, not a test).

Each case in a fresh process (peak memory is the process's own high-water RSS,
``VmHWM``, imports included; Linux), on files written into a temporary folder first:

* a 200 MB CSV without the id column, refused by ``read_table`` from its header;
* a CSV of 650,000 households (the country's count), read;
* a workbook whose sheet declares 1,000,000 formatted rows around 3 data rows, read.

With ``--baseline PATH`` each case also runs on the checkout at PATH.

Reproduce with::

    .venv/bin/python benchmarks/bench_inputs.py --baseline PATH

which prints markdown and updates ``benchmarks/RESULTS.md`` between
``<!-- bench_inputs:start -->`` and ``<!-- bench_inputs:end -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine_line, publish

COMMAND = ".venv/bin/python benchmarks/bench_inputs.py"

#: One read in a fresh process; prints a JSON line.
_RUN = r"""
import json, sys, time
import kuseo_match as km
path, id_column = sys.argv[1], sys.argv[2]
t = time.perf_counter()
try:
    rows, outcome = len(km.read_table(path, id_column=id_column)), "read"
except km.ValidationError as exc:
    rows, outcome = 0, "refused: " + str(exc)[:80]
seconds = time.perf_counter() - t
# VmHWM: this process's own peak (ru_maxrss would carry the parent's over the fork)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1e6
print(json.dumps({"seconds": seconds, "rows": rows, "outcome": outcome, "peak_gb": peak}))
"""


def _files(folder: Path) -> dict[str, tuple[Path, str]]:
    """The three input files, written once."""
    headless = folder / "no_id.csv"
    line = b"code,agency,district,lat,lon," + b"x" * 70 + b"\n"
    headless.write_bytes(line * (200_000_000 // len(line)))
    import kuseo_match as km

    _, households = km.synthetic_province(households=650_000, officers=10, seed=0)
    country = km.io.write_csv(households, folder / "households.csv")
    book = folder / "formatted.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["officer_id", "agency", "district", "lat", "lon"])
    for i in range(3):
        ws.append([f"O{i}", "agriculture", "TH4001", 16.4, 102.8])
    wb.save(book)
    # declare a million formatted rows, as a sheet formatted down to its end does
    with zipfile.ZipFile(book) as source:
        members = {n: source.read(n) for n in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = members[sheet].decode()
    xml = re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:E1000000"', xml)
    empty = "".join(f'<row r="{r}" s="1" customFormat="1"/>' for r in range(5, 1_000_001))
    members[sheet] = xml.replace("</sheetData>", empty + "</sheetData>").encode()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return {
        "200 MB CSV without the id column": (headless, "officer_id"),
        "650,000 households (CSV)": (country, "household_id"),
        "workbook declaring 1,000,000 rows, 3 with data": (book, "officer_id"),
    }


def run(path: Path, id_column: str, checkout: str | None) -> dict:
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = str(Path(checkout) / "src")
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(path), id_column],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if out.returncode:
        return {"seconds": float("nan"), "rows": 0, "outcome": "crashed", "peak_gb": float("nan")}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="a checkout to compare against")
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")))
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case, (path, id_column) in _files(Path(tmp)).items():
            for label, checkout in (("this", None), ("baseline", args.baseline)):
                if label == "baseline" and not checkout:
                    continue
                r = run(path, id_column, checkout)
                rows.append(
                    f"| {case} | {label} | {r['seconds']:.2f} | {r['peak_gb']:.2f} | "
                    f"{r['rows']:,} | {r['outcome']} |"
                )
                print(rows[-1], file=sys.stderr)
    body = "\n".join(
        [
            "## Large and hostile inputs\n",
            "`km.read_table` on each file in a fresh process; peak RSS is the process's "
            "own high-water mark (VmHWM; imports included, about 0.12 GB).  Written by "
            f"`benchmarks/bench_inputs.py` (reproduce: `{COMMAND}"
            + (" --baseline PATH`, PATH a checkout of the baseline" if args.baseline else "`")
            + ").\n",
            "| file | code | seconds | peak RSS GB | rows | outcome |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            machine_line("numpy", "pandas", "openpyxl", "kuseo_match"),
        ]
    )
    publish(body, "bench_inputs", args.out)


if __name__ == "__main__":
    main()
