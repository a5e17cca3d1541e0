"""What the benchmark scripts share: the facts about the machine they ran on."""

from __future__ import annotations

import os
import platform
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
