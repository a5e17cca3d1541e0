"""The language of the ``kuseo-match`` command: its help and its messages.

The English text is the message id and the fallback; other languages come from
the gettext catalogue ``locale/LANG/LC_MESSAGES/kuseo_match.mo`` (compiled from
the ``.po`` beside it with ``pybabel compile -d src/kuseo_match/locale -D
kuseo_match``).  :func:`set_language` chooses the language for what follows (the
command sets it from ``--lang`` for one run, see :func:`using`), :func:`_`
translates a text, :func:`translated` a message whose template is in
:data:`TEMPLATES` (a library error, an argparse error) or in
:data:`LOG_TEMPLATES` (a library log line, a solver's progress step, which the
command's log handler translates as it prints them), with its values kept.  The
library itself stays English: only the command's printing translates.

Examples
--------
>>> with using("th"):
...     print(_("options"))
ตัวเลือก
>>> print(_("options"))
options
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "LOCALE_DIR",
    "LOG_TEMPLATES",
    "ROWS",
    "TEMPLATES",
    "_",
    "default_language",
    "language",
    "set_language",
    "translated",
    "using",
]

#: The gettext domain: ``locale/*/LC_MESSAGES/kuseo_match.mo``.
DOMAIN = "kuseo_match"
#: The folder of the catalogues, shipped with the package.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: The languages of ``--lang``; English needs no catalogue.
LANGUAGES = ("th", "en")

_state: dict[str, str] = {"language": "en"}


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])


def set_language(lang: str) -> None:
    """Translate what follows into ``lang`` (``"th"`` or ``"en"``).

    Raises
    ------
    ValueError
        For a language other than those of :data:`LANGUAGES`.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    _catalogue(lang)  # a missing catalogue fails here, not at the first message
    _state["language"] = lang


def language() -> str:
    """The language :func:`_` translates into now."""
    return _state["language"]


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Translate into ``lang`` inside the ``with`` block; the language before it
    comes back after it."""
    before = language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def _(message: str) -> str:
    """``message`` in the current language (itself when the catalogue lacks it)."""
    return _catalogue(language()).gettext(message)


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """``"th"`` when the locale's language is Thai (the first of ``LC_ALL``,
    ``LC_MESSAGES`` and ``LANG`` that is set starts with ``th``), else ``"en"``.

    Examples
    --------
    >>> default_language({"LANG": "th_TH.UTF-8"})
    'th'
    >>> default_language({"LC_ALL": "C.UTF-8", "LANG": "th_TH.UTF-8"})
    'en'
    """
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "th" if value.lower().startswith("th") else "en"
    return "en"


#: Message templates translated with their values kept: ``{name}`` stands for a
#: value (a path, a column, a list) copied as it is.  The first template that
#: matches the whole message wins, so a longer one comes before its prefix.
TEMPLATES: tuple[str, ...] = (
    # the library's errors (ValidationError's message, after its location)
    "no such file: {path}; check the path",
    "no such file: {path}",
    "missing column(s) {missing}; found {found}",
    "missing column(s) {missing}; a fit table needs {needed}",
    "unknown setting; did you mean {close}? Known: {known}",
    "unknown setting; Known: {known}",
    "give --workers or --scheduler, not both",
    "must be a whole number >= 1",
    "must be a number > 0",
    # argparse's errors
    "the following arguments are required: {arguments}",
    "unrecognized arguments: {arguments}",
    "argument {argument}: invalid choice: {value} (choose from {choices})",
    "argument {argument}: invalid {kind} value: {value}",
    "argument {argument}: expected one argument",
)


#: The library's log lines (its warnings, and the INFO lines plain progress
#: shows) and its solvers' progress steps, translated as the command prints them
#: (:func:`kuseo_match.cli.progress.command_logging`), by the rules of
#: :data:`TEMPLATES`.
LOG_TEMPLATES: tuple[str, ...] = (
    # reading the tables (io)
    "{file}: {count} empty row(s) skipped (row {rows})",
    "{file}: {count} hidden row(s) read as usual (row {rows}); unhide them in Excel to check them",
    "{file}: the header is row {row} (the rows above it are skipped)",
    "{file}: the header is row {row} (rows above it skipped)",
    # checking them (schema)
    "{table}: column {column}: {count} value(s) changed: digits other than 0-9 were read "
    "as 0-9 and invisible characters (zero-width spaces, soft hyphens, byte-order marks "
    "...) were removed; the first, {where}: {before} -> {after}",
    "{table}: column {column}: {count} value(s) changed: digits other than 0-9 were read "
    "as 0-9; the first, {where}: {before} -> {after}",
    "{table}: column {column}: {count} value(s) changed: invisible characters (zero-width "
    "spaces, soft hyphens, byte-order marks ...) were removed; the first, {where}: "
    "{before} -> {after}",
    "{table}: column {column}: {count} value(s) written with thousands separators were "
    "read as numbers, the first {value} as {number} in {where}",
    "{table}: {count} column header(s) had invisible characters (zero-width spaces, soft "
    "hyphens, byte-order marks ...), removed; the first: {before} -> {after}",
    "{table}: column {column}: {count} value(s) written with a decimal comma were read as "
    "decimal degrees, the first {value} as {number} in {where}",
    "{table}: {groups} group(s) of households are identical in every column but "
    "household_id ({count} households; registered twice?); the first: {rows}. They are "
    "kept; remove the extra registrations if they are one household",
    "{table}: column 'province': {count} value(s) name no province and do not help to "
    "tell districts apart: {values}",
    "no district of the officers table occurs in the households table (officers: "
    "{officers}; households: {households}), so every pair pays cross_district_penalty; "
    "write the districts the same way in both tables (codes such as TH4002, or names)",
    "{table}: {count} district label(s) are neither a code nor a name of a Thai district "
    "and are used as they are: {labels}",
    "{table}: {count} implausible position(s) kept (coordinate_check='warn'): {positions}",
    # the rules and the solve (instance, quotas, solve, answer, parts, rematch)
    "validating {count} officers",
    "validating {count} households",
    "checking districts",
    "checking positions",
    "{count} agency is not in the fit table and gets the neutral fit {fit}: {agencies}",
    "{count} agencies are not in the fit table and get the neutral fit {fit}: {agencies}",
    "quota #{number} {label}: agency {agency} is in neither the fit table nor the "
    "officers table; it selects no officer",
    "{households} households: {pairs} candidate pairs in the first round, {nearest} "
    "nearest officers priced per household; expect about {gb} GB at the peak",
    "round {round}: {pairs} candidate pairs, {added} added",
    "the solve may need about {need} GB and this machine has {total} GB: split the run "
    "(by province or district) or lower SolveOptions(pool_max=...)",
    "the costs span too wide a range for exact integer arithmetic (cost scale {scale}): "
    "the pairing is optimal for costs rounded to 1/{scale} and its objective {objective} "
    "is within {tolerance} of the optimum; give whole-number costs, or rescale them so "
    "that the largest is not millions of times the smallest that matters",
    "part {done}/{parts} ({provinces}, {households} households): optimal in {seconds} s; "
    "about {left} left",
    "part {done}/{parts} ({provinces}, {households} households): stopped in {seconds} s; "
    "about {left} left",
    "the whole run, from the parts' prices",
    "a worker process ended while solving; {count} part(s) submitted again",
    "part {part} failed ({error}); submitted again",
    "{count} household(s) re-paired farther than the longest pair of a fresh pairing "
    "({km} km): {households}; a churn_cost lets kept pairs move instead",
    # the outputs (cli, io)
    "not written: {name}: {households} households, above {limit} "
    "(kuseo_match.report.AGGREGATE_HOUSEHOLDS); run again with {option} to write it "
    "(the pairs are in {pairs})",
    "not written: {name}: {households} households, above {limit} "
    "(kuseo_match.report.AGGREGATE_HOUSEHOLDS); run again with {option} to write it",
    "no map.png: {error}",
    "{file}: column {column} mixes text with other values ({kind}); written as text",
    "removed {path}: an earlier run's, which this run does not replace",
    "removing {path}, left by a run that stopped",
    "{folder}: finishing the moves of a run that stopped while moving its files",
    # report DIR
    "summary.json says the run used a custom fit table, which it does not store; the "
    "report shows the shipped one (pass --policy to use yours)",
    "{count} households of households.csv are in neither pairs.csv nor unmatched.csv",
)

#: How a log line names a row (``row 5 (id 'H-1')``): the value of a template's
#: ``{where}`` is translated by these, the other values are copied as they are.
ROWS: tuple[str, ...] = ("row {row} (id {id})", "row {row}")


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    """``template`` as a regular expression: a ``{name}`` matches any text, and
    the same value where it comes again."""
    parts = re.split(r"\{(\w+)\}", template)
    regex, seen = [], set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex.append(re.escape(part))
        elif part in seen:
            regex.append(f"(?P={part})")
        else:
            seen.add(part)
            regex.append(f"(?P<{part}>.+?)")
    return re.compile("".join(regex), re.DOTALL)


def translated(message: str, templates: tuple[str, ...] = TEMPLATES) -> str:
    """``message`` in the current language when one of ``templates`` matches
    all of it (its values copied into the translation; a ``{where}`` translated
    by :data:`ROWS`), else ``message``.

    Examples
    --------
    >>> with using("th"):
    ...     print(translated("no such file: x.csv"))
    ...     print(translated("h.csv: 2 empty row(s) skipped (row 3, 9)", LOG_TEMPLATES))
    ไม่พบไฟล์: x.csv
    h.csv: ข้ามแถวว่าง 2 แถว (แถว 3, 9)
    >>> translated("no such file: x.csv")
    'no such file: x.csv'
    """
    if language() == "en":
        return message
    for template in templates:
        found = _pattern(template).fullmatch(message)
        if found:
            values = found.groupdict()
            if "where" in values:
                values["where"] = translated(values["where"], ROWS)
            return _(template).format(**values)
    return message
