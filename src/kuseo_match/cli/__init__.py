"""The ``kuseo-match`` command: synthetic data, matching runs and their reports.

Subcommands
-----------
``demo``
    Synthetic Khon Kaen (740 officers, 1,174 households), matched, with every
    output written and a short summary printed.
``solve OFFICERS HOUSEHOLDS``
    Match your own tables (CSV in any encoding, or XLSX) and write the outputs.
``synth --province NAME``
    Write synthetic ``officers.csv`` and ``households.csv`` for a province.
``report DIR``
    Rebuild ``map.png`` and ``report.html`` from a folder of results.

A matching run writes, into its output folder, ``pairs.csv`` and
``unmatched.csv`` (every household is in one of them; the input tables' other
columns -- names, phones, villages -- come along, see
:func:`kuseo_match.io.with_details`), ``pairs.xlsx``,
``pairs.geojson``, ``summary.json``, ``map.png`` and ``report.html``, plus
the ``officers.csv`` and ``households.csv`` it matched (so ``report`` can
rebuild the pictures later).

Exit status
-----------
0 done; 1 done, but some households have no officer; 2 bad input (the
message says what to change); 3 the time limit stopped the optimality proof
(the pairs are valid but not proven best; this wins over 1).

Adding a command
----------------
Every subcommand is a :class:`Subcommand`: a name, a help line, a function
adding its options to an :class:`argparse.ArgumentParser` and a function
``run(args) -> int``.  A new capability (rematch, diagnose, ...) is one more
entry in :data:`SUBCOMMANDS` and one module here (``demo``, ``solve``,
``diagnose``, ``plan``, ``synth``, ``report``); options shared by the matching
commands live in :func:`add_match_options` (``command``), the input tables, their
options and their reading in ``inputs`` (``add_input_options``, ``input_files``),
writing the outputs in ``outputs``, the printed summary in ``summary``, progress
lines in ``progress``, the language in ``lang``, the parser in ``main``.

The command prints (results on stdout, errors on stderr); the library only
logs, to the ``kuseo_match`` logger, shown here at WARNING (``--verbose``:
DEBUG, including the INFO stage lines; ``--quiet``: errors only).  The library
logs in English; with ``--lang th`` the command shows a log line whose template is
in :data:`kuseo_match.cli.lang.LOG_TEMPLATES` in Thai, its values kept.
"""

from .command import ExitCode, Subcommand, add_match_options
from .main import SUBCOMMANDS, build_parser, main
from .outputs import OUTPUT_FILES
from .report import load_result

__all__ = [
    "OUTPUT_FILES",
    "SUBCOMMANDS",
    "ExitCode",
    "Subcommand",
    "add_match_options",
    "build_parser",
    "load_result",
    "main",
]
