"""Writing files: CSV in UTF-8 with a byte-order mark, the summary as JSON, and the
errors that name the file that could not be written."""

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

from ..errors import ValidationError
from .formats import PathLike
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


def write_summary_json(result: Result, path: PathLike) -> Path:
    """Write the headline numbers and the policy as pretty UTF-8 JSON.

    The object is :meth:`Result.summary` with two more keys, ``policy``
    (:meth:`Policy.to_dict`) and ``stats`` (:attr:`Result.stats`: candidate
    pairs, rounds, seconds); indented by 2, Thai written as is, NaN as null.

    Parameters
    ----------
    result : Result
        The matching result; not changed.
    path : str or os.PathLike
        Output file; missing parent folders are created.

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
    text = json.dumps(plain_value(data), ensure_ascii=False, allow_nan=False, indent=2)
    path = replace_file(path, (text + "\n").encode("utf-8"))
    logger.debug("wrote %s", path)
    return path
