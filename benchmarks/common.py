"""What the benchmark scripts share: the facts about the machine they ran on."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path


def machine(*packages: str) -> dict[str, str]:
    """CPU, cores and versions of Python and of the given packages.

    Examples
    --------
    >>> sorted(machine("numpy"))[:3]
    ['cpu', 'nproc', 'numpy']
    """
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    facts = {
        "nproc": f"{usable} usable of {os.cpu_count()}",
        "cpu": model,
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    for name in packages:
        try:
            facts[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            facts[name] = "not installed"
    return facts


def replace_block(path: Path, name: str, body: str) -> None:
    """Put ``body`` between ``<!-- name:start -->`` and ``<!-- name:end -->`` in the
    markdown file ``path`` (appended when the markers are not there yet)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    if start in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
    else:
        head, tail = text.rstrip("\n") + "\n\n", "\n"
    path.write_text(f"{head}{start}\n{body}\n{end}{tail}", encoding="utf-8")


def machine_line(*packages: str) -> str:
    """``machine: ...; <UTC time>.``, the closing line of a results block.

    Examples
    --------
    >>> machine_line("numpy").startswith("machine: nproc ")
    True
    """
    facts = "; ".join(f"{k} {v}" for k, v in machine(*packages).items())
    return f"machine: {facts}; {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}."


def publish(body: str, name: str, out: str) -> None:
    """Print a results block and, unless ``out`` is ``"-"``, put it in the markdown
    file ``out`` between its markers (:func:`replace_block`)."""
    print(body)
    if out != "-":
        replace_block(Path(out), name, body)
        print(f"updated {out}", file=sys.stderr)
