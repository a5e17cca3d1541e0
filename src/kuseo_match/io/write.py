"""Writing files: tables as CSV in UTF-8 with a byte-order mark or as Parquet, the
summary as JSON, and the errors that name the file that could not be written."""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ValidationError, shown
from .formats import CSV_SUFFIXES, PathLike
from .read_parquet import PARQUET_SUFFIXES, parquet_modules
from .sanitise import neutralise_formulas

if TYPE_CHECKING:
    from ..result import Result

logger = logging.getLogger("kuseo_match.io")


def prepare_path(path: PathLike) -> Path:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"cannot create the folder {path.parent}: {exc.strerror or exc}; "
            "choose another output path",
            file=path.name,
        ) from exc
    return path


def replace_file(path: PathLike, content: bytes | Callable[[Path], object]) -> Path:
    """Write ``path`` whole or not at all: ``content`` (bytes, or a function
    that writes a given path) goes to a temporary file beside it, which then
    replaces ``path`` in one rename, so that a reader or a stopped run never
    sees half a file.  Missing parent folders are created; an operating-system
    error becomes a :class:`~kuseo_match.errors.ValidationError` naming the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = replace_file(pathlib.Path(tempfile.mkdtemp()) / "a.txt", b"whole")
    >>> out.read_bytes(), [p.name for p in out.parent.iterdir()]
    (b'whole', ['a.txt'])
    """
    path = prepare_path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(content, bytes):
            temporary.write_bytes(content)
        else:
            content(temporary)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _write_failed(path, exc) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def _write_failed(path: Path, exc: OSError) -> ValidationError:
    return ValidationError(
        f"cannot write {path}: {exc.strerror or exc}; close it if it is open in Excel, "
        "or choose another output path",
        file=path.name,
    )


def plain_value(value: Any) -> Any:
    """A value as plain Python for JSON: numpy scalars unwrapped, NaN/NA as None."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, Mapping):
        return {str(k): plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def write_csv(df: pd.DataFrame, path: PathLike) -> Path:
    """Write a frame as CSV that Excel opens with Thai intact.

    UTF-8 with a byte-order mark (``"utf-8-sig"``), ``\\n`` line ends, no
    index column, text neutralised by :func:`neutralise_formulas`.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; not changed.
    path : str or os.PathLike
        Output file; missing parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> from kuseo_match.io import read_table
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"household_id": ["0041"], "district": ["เมืองขอนแก่น"]})
    >>> out = write_csv(df, folder / "out" / "households.csv")
    >>> out.read_bytes()[:3] == b"\\xef\\xbb\\xbf"
    True
    >>> read_table(out).equals(df)
    True
    """
    safe = neutralise_formulas(df)
    path = replace_file(
        path, lambda p: safe.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n")
    )
    logger.debug("wrote %s: %d rows", path, len(df))
    return path


def write_table(df: pd.DataFrame, path: PathLike) -> Path:
    """Write a frame as CSV or Parquet, chosen by the suffix of ``path``.

    ``.csv`` and ``.txt``: :func:`write_csv` (UTF-8 with a byte-order mark,
    text that could run as a formula neutralised).  ``.parquet`` and ``.pq``:
    Parquet, with pyarrow (``pip install "kuseo-match[parquet]"``), no index
    column, each column's type kept and text exactly as it is (programs read
    Parquet, and none runs a cell as a formula, so no ``'`` is added); a
    column that mixes text with numbers (as an Excel column may) is written
    as text, with a warning naming it.  Either is read back by
    :func:`~kuseo_match.io.read_table`, and replaces ``path`` whole or not at
    all (:func:`replace_file`).

    Parameters
    ----------
    df : pandas.DataFrame
        The table; not changed.
    path : str or os.PathLike
        Output file, ending in ``.csv``, ``.txt``, ``.parquet`` or ``.pq``
        (any case); missing parent folders are created.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValidationError
        Another suffix, pyarrow missing for Parquet, a column name used
        twice (Parquet), or a file that cannot be written.

    Examples
    --------
    >>> from kuseo_match.io import read_table
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"household_id": ["0041"], "kind": ["ครัวเรือนพัฒนาได้"]})
    >>> out = write_table(df, folder / "households.parquet")
    >>> read_table(out).equals(df), read_table(write_table(df, folder / "h.csv")).equals(df)
    (True, True)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return write_csv(df, path)
    if suffix not in PARQUET_SUFFIXES:
        raise ValidationError(
            f"cannot write {path}: unknown table file type {path.suffix or '(none)'!r}; use "
            f"one of {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES)}",
            file=path.name,
        )
    pa, pq = parquet_modules(path.name, f"writing {path}")
    names = [str(c) for c in df.columns]
    twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
    if twice is not None:
        raise ValidationError(
            f"cannot write {path}: column {shown(twice)} appears more than once, and a "
            "Parquet file names each column once; rename or remove the copy",
            file=path.name,
            column=twice,
        )
    columns = [_arrow_column(pa, df.iloc[:, j], names[j], path) for j in range(df.shape[1])]
    table = pa.Table.from_arrays(columns, names=names)
    path = replace_file(path, lambda p: pq.write_table(table, p))
    logger.debug("wrote %s: %d rows", path, len(df))
    return path


def _arrow_column(pa: Any, values: pd.Series, name: str, path: Path) -> Any:
    """One column as pyarrow holds it; a column of text mixed with numbers as text."""
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        if values.dtype != object:
            raise ValidationError(
                f"cannot write {path} as Parquet: column {shown(name)} of type {values.dtype} "
                f"({shown(str(exc), limit=120)}); convert it to text or numbers, or write .csv",
                file=path.name,
                column=name,
            ) from exc
    logger.warning(
        "%s: column %s mixes text with other values (%s); written as text",
        path.name,
        shown(name),
        pd.api.types.infer_dtype(values, skipna=True),
    )
    text = values.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore")
    return pa.array(text.astype(object), type=pa.large_string(), from_pandas=True)


def write_summary_json(
    result: Result,
    path: PathLike,
    *,
    not_written: Mapping[str, str] | None = None,
    run: Mapping[str, Any] | None = None,
) -> Path:
    """Write the headline numbers and the policy as pretty UTF-8 JSON.

    The object is :meth:`Result.summary` with two more keys, ``policy``
    (:meth:`Policy.to_dict`) and ``stats`` (:attr:`Result.stats`: candidate
    pairs, rounds, seconds); when the households lie in more than one
    province, ``provinces``: the rows of :meth:`Result.by_province` as
    objects; with quotas, ``quotas``: the rows of :meth:`Result.quota_attainment`;
    ``gap`` when the run has one (CP-SAT's, see :attr:`Result.gap`); with
    ``not_written``, ``not_written``; with ``run``, ``run`` (what the run
    did: its date, input files and rows read, policy file).  Indented by 2,
    Thai written as is, NaN as null.

    Parameters
    ----------
    result : Result
        The matching result; not changed.
    path : str or os.PathLike
        Output file; missing parent folders are created.
    not_written : Mapping[str, str], optional
        Outputs the run did not write, and why (``{"pairs.geojson": "..."}``).
    run : Mapping, optional
        What the run did, as the command line records it.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> import pandas as pd
    >>> from kuseo_match.result import PAIR_COLUMNS, Result
    >>> unmatched = pd.DataFrame({"household_id": ["H1"], "kind": ["สงเคราะห์"],
    ...     "household_district": ["TH4001"], "reason": ["ไม่มีเจ้าหน้าที่ว่าง"]})
    >>> result = Result(pd.DataFrame(columns=list(PAIR_COLUMNS)), unmatched,
    ...                 status="optimal", objective=0.0)
    >>> out = write_summary_json(result, pathlib.Path(tempfile.mkdtemp()) / "summary.json")
    >>> data = json.loads(out.read_text(encoding="utf-8"))
    >>> data["unmatched"], data["unmatched_reasons"], data["policy"]["capacity"]
    (1, {'ไม่มีเจ้าหน้าที่ว่าง': 1}, 2)
    """
    data = dict(result.summary())
    data["policy"] = result.policy.to_dict()
    data["stats"] = dict(result.stats)
    provinces = result.by_province()
    if int((provinces["households"] > 0).sum()) > 1:
        data["provinces"] = provinces.to_dict("records")
    quotas = result.quota_attainment()
    if len(quotas):
        data["quotas"] = quotas.to_dict("records")
    if result.gap is not None:
        data["gap"] = result.gap
    if not_written:
        data["not_written"] = dict(not_written)
    if run:
        data["run"] = dict(run)
    text = json.dumps(plain_value(data), ensure_ascii=False, allow_nan=False, indent=2)
    path = replace_file(path, (text + "\n").encode("utf-8"))
    logger.debug("wrote %s", path)
    return path
