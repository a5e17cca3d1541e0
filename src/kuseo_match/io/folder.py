"""An output folder that holds one whole run or the one before it, never a mix.

A run writes every file into a staging folder beside its outputs
(``.kuseo-staging-<pid>``), then moves them into place at the end; a run that
stops before that (an error, Ctrl-C, a kill) leaves the earlier run's files
untouched, and the next run into the folder removes its staging folder.  The
moves are listed first in a journal (``.kuseo-journal.json``): a run killed
while moving (a few milliseconds) leaves the journal, and the next command on
the folder finishes the moves before it does anything else.  Ctrl-C and
SIGTERM wait for the moves to end.  A lock (``.kuseo-lock``, held with
``flock`` while the run lasts and removed at its end) refuses a second run
into the same folder.

:data:`OUTPUTS` lists every file a run may write, with what it holds and which
commands write it: it drives the writing, the removal of an earlier run's files
that this run does not replace, the command's help and the README's table.  A
table (a ``.csv`` name there) may be written in another of :data:`TABLE_FORMATS`
instead (``pairs.parquet``: :func:`in_format`); a run removes an earlier run's
table in either format, so a folder never holds two formats of one table.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..errors import ValidationError
from .formats import PathLike

__all__ = [
    "OUTPUTS",
    "TABLE_FORMATS",
    "Output",
    "OutputFolder",
    "in_format",
    "outputs_of",
    "recover",
]

logger = logging.getLogger("kuseo_match.io")

LOCK_NAME = ".kuseo-lock"
JOURNAL_NAME = ".kuseo-journal.json"
STAGING_PREFIX = ".kuseo-staging-"


@dataclass(frozen=True)
class Output:
    """One file a run may write into its output folder.

    Attributes
    ----------
    name : str
        The file name.
    what : str
        What it holds, one sentence (the README table and the help).
    runs : tuple of str
        The commands that write it: ``"match"`` (``demo``, ``solve``),
        ``"rematch"``, ``"report"``, ``"synth"``, ``"plan"``.
    """

    name: str
    what: str
    runs: tuple[str, ...]


_MATCH = ("match", "rematch")
#: Every file a run may write, in the order a matching run writes them.
OUTPUTS: tuple[Output, ...] = (
    Output(
        "officers.csv",
        "the officers table that was matched (an input file is never written over)",
        (*_MATCH, "synth"),
    ),
    Output(
        "households.csv",
        "the households table that was matched (an input file is never written over)",
        (*_MATCH, "synth"),
    ),
    Output(
        "pairs.csv",
        "one row per pair: ids, cost, distance, fit, both districts with their names, and "
        "your tables' other columns",
        _MATCH,
    ),
    Output(
        "unmatched.csv",
        "the households without an officer and why, with your table's other columns",
        _MATCH,
    ),
    Output(
        "officer_load.csv",
        "each officer's capacity, load and price (what one more slot would save at most)",
        _MATCH,
    ),
    Output(
        "pairs.xlsx",
        "summary, pairs, unmatched and one sheet per district, as text (above 20,000 "
        "households the pair and district sheets only with --pair-sheets)",
        _MATCH,
    ),
    Output(
        "pairs.geojson",
        "households, officers and pair lines for QGIS or web maps (above 20,000 households "
        "only with --geojson)",
        _MATCH,
    ),
    Output(
        "summary.json", "the numbers of the summary, the policy and the run's statistics", _MATCH
    ),
    Output(
        "map.png",
        "the pairs on a map of the districts (when there are coordinates)",
        (*_MATCH, "report"),
    ),
    Output("report.html", "one self-contained page in Thai and English", (*_MATCH, "report")),
    Output(
        "changes.csv",
        "each household whose officer changed, entered or left, and why",
        ("rematch",),
    ),
    Output("plan.csv", "new officers per district or site", ("plan",)),
)


#: The formats a table output may be written in (``--output-format``), by suffix:
#: a table is listed in :data:`OUTPUTS` by its ``.csv`` name.
TABLE_FORMATS = ("csv", "parquet")


def in_format(name: str, table_format: str) -> str:
    """The file name of the output ``name`` when tables are written in
    ``table_format`` (one of :data:`TABLE_FORMATS`): a table (a ``.csv`` name)
    takes the format's suffix; any other output keeps its name.

    Examples
    --------
    >>> in_format("pairs.csv", "parquet"), in_format("pairs.xlsx", "parquet")
    ('pairs.parquet', 'pairs.xlsx')
    """
    if table_format not in TABLE_FORMATS:
        raise ValueError(f"unknown table format {table_format!r}: use one of {TABLE_FORMATS}")
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{table_format}" if suffix == "csv" else name


def _in_every_format(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(in_format(n, f) for n in names for f in TABLE_FORMATS))


#: The earlier outputs each kind of run replaces: new tables make an earlier
#: run's pairs wrong, so ``synth`` removes them too.
_REPLACES = {"match": _MATCH, "rematch": _MATCH, "synth": _MATCH}


def outputs_of(run: str) -> tuple[str, ...]:
    """The names of the files ``run`` may write (see :data:`OUTPUTS`; a table
    by its ``.csv`` name, see :func:`in_format`).

    Examples
    --------
    >>> outputs_of("report")
    ('map.png', 'report.html')
    """
    names = tuple(o.name for o in OUTPUTS if run in o.runs)
    if not names:
        raise ValueError(f"no outputs for run {run!r}")
    return names


class OutputFolder:
    """The output folder of one run, as a context manager.

    Entering creates the folder (named errors when it cannot be), takes its lock
    (a second run is refused, naming the lock), finishes or clears what an
    earlier stopped run left and creates the staging folder, so that a folder
    that cannot be written is found before any work.  :meth:`write` writes one
    output into the staging folder (a table under its name in any of
    :data:`TABLE_FORMATS`).  Leaving without an error moves every
    written file into place and removes the earlier run's outputs of the same
    kind that this run did not write (a matching run's outputs when the tables
    are new: ``synth``; a table in the other format too); leaving with an error (or Ctrl-C)
    discards the staging folder and keeps the folder as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The output folder; created when missing.
    run : str
        The kind of run (see :data:`OUTPUTS`): which names it may write and
        which earlier files it replaces.
    option : str
        How the user named the folder, for messages (``"--out"``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputFolder(folder, "plan") as out:
    ...     final = out.write("plan.csv", lambda path: path.write_text("site_id\\n"))
    >>> final.read_text(), sorted(p.name for p in folder.iterdir())
    ('site_id\\n', ['plan.csv'])
    """

    def __init__(self, path: PathLike, run: str, *, option: str = "--out") -> None:
        self.folder = Path(path)
        self.run = run
        self.names = _in_every_format(outputs_of(run))
        family = _REPLACES.get(run, (run,))
        self.replaces = _in_every_format(o.name for o in OUTPUTS if set(o.runs) & set(family))
        self.option = option
        self.staging = self.folder / f"{STAGING_PREFIX}{os.getpid()}"
        self.written: list[str] = []
        self.kept: list[str] = []
        self._lock: IO[str] | None = None

    # -- the run ---------------------------------------------------------------------
    def __enter__(self) -> OutputFolder:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(f"cannot create the output folder {self.folder}", exc) from exc
        self._lock = _take_lock(self.folder, self.option)
        try:
            recover(self.folder)
            self.staging.mkdir()
        except OSError as exc:
            self._unlock()
            raise self._error(f"cannot write into the output folder {self.folder}", exc) from exc
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self._commit()
            else:
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self._unlock()

    def path(self, name: str) -> Path:
        """Where the output ``name`` is written before it moves into place."""
        if name not in self.names:
            raise ValueError(f"{name!r} is not an output of a {self.run} run: {self.names}")
        return self.staging / name

    def final(self, name: str) -> Path:
        """Where the output ``name`` will be once the run ends."""
        return self.folder / name

    def write(self, name: str, writer: Callable[[Path], Any]) -> Path:
        """Write the output ``name`` with ``writer(path)`` into the staging folder.

        Returns the path it will have once the run ends.  An operating-system
        error (disk full, permission) becomes a
        :class:`~kuseo_match.errors.ValidationError` that names the file.
        """
        staged = self.path(name)
        try:
            writer(staged)
        except OSError as exc:
            raise self._error(f"cannot write {self.final(name)}", exc) from exc
        except ValidationError as exc:  # a writer's own message names the staged path
            raise ValidationError(
                exc.reason.replace(str(staged), str(self.final(name))),
                table=exc.table,
                column=exc.column,
                file=exc.file,
            ) from exc
        self.written.append(name)
        return self.final(name)

    def keep(self, name: str) -> Path:
        """Leave the file ``name`` as it is (an input that is already in place)."""
        self.path(name)  # checks the name
        self.kept.append(name)
        return self.final(name)

    # -- the end ---------------------------------------------------------------------
    def _commit(self) -> None:
        journal = {
            "staging": self.staging.name,
            "move": list(self.written),
            "remove": [n for n in self.replaces if n not in self.written and n not in self.kept],
        }
        with _signals_deferred():
            try:
                _write_journal(self.folder / JOURNAL_NAME, journal)
                _finish(self.folder, journal)
            except OSError as exc:
                raise self._error(
                    f"cannot move this run's files into {self.folder} (the journal "
                    f"{JOURNAL_NAME} there lets the next run finish)",
                    exc,
                ) from exc

    def _unlock(self) -> None:
        if self._lock is not None:
            _release(self._lock, self.folder / LOCK_NAME)
            self._lock = None

    def _error(self, what: str, exc: OSError) -> ValidationError:
        reason = exc.strerror or str(exc)
        return ValidationError(
            f"{what}: {reason}; free some space, check the permissions or choose another "
            f"{self.option}",
            table=self.option,
        )


def recover(folder: PathLike) -> None:
    """Finish the moves of a run that was killed while moving its files into
    ``folder`` (its journal says which), and remove the staging folders of runs
    that stopped before.  Call it holding the folder's lock (as
    :class:`OutputFolder` does) or when no run can be writing."""
    folder = Path(folder)
    journal_path = folder / JOURNAL_NAME
    if journal_path.is_file():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None
        if isinstance(journal, dict) and isinstance(journal.get("staging"), str):
            logger.warning(
                "%s: finishing the moves of a run that stopped while moving its files", folder
            )
            _finish(folder, journal)
        else:
            journal_path.unlink()
    for stale in folder.glob(f"{STAGING_PREFIX}*"):
        if stale.is_dir():
            logger.info("removing %s, left by a run that stopped", stale)
            shutil.rmtree(stale, ignore_errors=True)


def _finish(folder: Path, journal: dict[str, Any]) -> None:
    """Carry out a journal: move the staged files into place, remove the earlier
    run's files this run does not replace, then drop the journal and staging."""
    staging = folder / Path(journal["staging"]).name
    for name in journal.get("move", ()):
        staged = staging / Path(name).name
        if staged.exists():
            os.replace(staged, folder / Path(name).name)
    for name in journal.get("remove", ()):
        path = folder / Path(name).name
        if path.is_file():
            path.unlink()
            logger.info("removed %s: an earlier run's, which this run does not replace", path)
    (folder / JOURNAL_NAME).unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def _write_journal(path: Path, journal: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(journal, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _take_lock(folder: Path, option: str) -> IO[str]:
    """Hold ``folder``'s lock file until :func:`_release` (the handle is returned)."""
    path = folder / LOCK_NAME
    for _ in range(10):
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        except OSError as exc:
            raise ValidationError(
                f"cannot write into the output folder {folder}: {exc.strerror or exc}; check "
                f"the permissions or choose another {option}",
                table=option,
            ) from exc
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read(40).strip()
            handle.close()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise ValidationError(
                f"another kuseo-match run{who} is writing into {folder} and holds its lock "
                f"{path}; wait for it to end or choose another {option}",
                table=option,
            )
        try:  # the run that held it may have removed the file as we opened it
            same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except OSError:
            same = False
        if same:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            return handle
        handle.close()
    raise ValidationError(  # pragma: no cover - ten runs ending under our feet
        f"cannot take the lock {path}; try again", table=option
    )


def _release(handle: IO[str], path: Path) -> None:
    """Remove the lock file, then let go of it (a run that opened the old file
    meanwhile sees it gone and takes a new one)."""
    with contextlib.suppress(OSError):
        path.unlink()
    handle.close()


def _try_lock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block ends, then act on them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    wanted = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None]
    saved = {s: signal.getsignal(s) for s in wanted}
    for s in wanted:
        signal.signal(s, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    for number in caught[:1]:
        handler = saved[number]
        if callable(handler):
            handler(number, None)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(number)
