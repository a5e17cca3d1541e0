"""Delimited text: encoding, delimiter and header row found, values unchanged."""

from __future__ import annotations

import codecs
import csv
import io
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ValidationError
from .formats import _TITLE_ROWS, _check_header, _header_at, _is_id, _na_values

if TYPE_CHECKING:
    pass

logger = logging.getLogger("kuseo_match.io")


#: Delimiters of text tables, in order of preference on a tie.
_DELIMITERS = (",", ";", "\t")


_ENCODING_HINT = (
    "save it from Excel as 'CSV UTF-8', or pass the encoding it was saved in "
    "(encoding= / --encoding, e.g. 'cp874' for Thai Windows files)"
)


def _decode(raw: bytes, path: Path, name: str, encoding: str | None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was decoded with."""
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise ValidationError(
                f"unknown encoding {encoding!r} for {path}; use e.g. 'utf-8', 'utf-8-sig' "
                "or 'cp874'",
                file=name,
            ) from exc
        _check_mark(raw, path, name, codecs.lookup(encoding).name)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{path} cannot be decoded as {encoding!r} (byte 0x{raw[exc.start]:02x} "
                f"at position {exc.start}); {_ENCODING_HINT}",
                file=name,
            ) from exc
        # A byte-order mark is never data, whichever UTF-8 spelling was passed.
        return text.removeprefix("\ufeff"), encoding
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    for candidate in ("utf-8", "cp874"):
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        f"{path} is neither UTF-8 nor Thai Windows (cp874) text; {_ENCODING_HINT}",
        file=name,
    )


def _check_mark(raw: bytes, path: Path, name: str, codec: str) -> None:
    """A byte-order mark says which Unicode encoding a file is in; another one given
    by the caller would turn the mark into junk in the first column's name."""
    marks = (
        (codecs.BOM_UTF8, "UTF-8", ("utf-8", "utf-8-sig"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "UTF-16", ("utf-16", "utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE, "UTF-16", ("utf-16", "utf-16-be"), "utf-16"),
    )
    for mark, label, codecs_ok, spelling in marks:
        if raw.startswith(mark) and codec not in codecs_ok:
            raise ValidationError(
                f"{path} starts with a {label} byte-order mark, so it is {label} text, not "
                f"{codec!r}; leave the encoding out (the mark is recognised) or give "
                f"{spelling!r}",
                file=name,
            )


def _read_csv(
    path: Path, name: str, encoding: str | None, header_row: int | None, ids: tuple[str, ...]
) -> tuple[pd.DataFrame, int, None]:
    """The frame of a delimited text file and the row number of its first data row."""
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise ValidationError(
            f"{path} is an Excel workbook (or another zip file), not text; "
            "rename it to .xlsx, or save it from Excel as 'CSV UTF-8'",
            file=name,
        )
    try:
        text, used = _decode(raw, path, name, encoding)
    except UnicodeDecodeError as exc:  # a BOM followed by bytes that are not UTF-8
        raise ValidationError(
            f"{path} starts with a UTF-8 byte-order mark but is not UTF-8; {_ENCODING_HINT}",
            file=name,
        ) from exc
    if not text.strip():
        raise ValidationError(
            f"{path} is empty; it needs a header row (e.g. officer_id,...) and data rows",
            file=name,
        )
    lines = text.splitlines(keepends=True)
    head = lines[: _TITLE_ROWS + 1]
    if header_row is None:
        sep, found = _sniff(head, ids)
        header_row = found or 1
        if found and found > 1:
            logger.info("%s: the header is row %d (the rows above it are skipped)", name, found)
    else:
        if header_row > len(lines):
            raise ValidationError(
                f"{path} has {len(lines)} row(s), so row {header_row} cannot be the header; "
                "check header_row (--header-row)",
                file=name,
            )
        sep, _ = _sniff(lines[header_row - 1 : header_row], ids)
    text = "".join(lines[header_row - 1 :])
    header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    _check_header(header, path, name)
    columns = [c for c in header]
    try:
        with warnings.catch_warnings():
            # pandas only warns (and drops values) when the first data row is longer
            # than the header; a file like that has to be fixed, not guessed at.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                index_col=False,
                low_memory=False,  # infer each column's type from all of it, not chunks
                dtype={c: str for c in columns if _is_id(c)},
                keep_default_na=False,
                na_values=_na_values(columns),
                skip_blank_lines=False,  # a blank line is a row: row numbers stay true
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise ValidationError(
            f"{path} is not a well-formed table ({exc}); every row needs as many "
            "fields as the header: check for stray commas or unclosed quotes",
            file=name,
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise ValidationError(
            f"{path} is empty; it needs a header row and data rows", file=name
        ) from exc
    logger.debug(
        "read %s: encoding %s, separator %r, header row %d, %d rows, %d columns",
        path,
        used,
        sep,
        header_row,
        len(frame),
        frame.shape[1],
    )
    return frame, header_row + 1, None


def _sniff(lines: Sequence[str], ids: tuple[str, ...]) -> tuple[str, int | None]:
    """The delimiter of a text table and the number of the header row among
    ``lines`` (the first that names an id column; None when none does).

    The delimiter is the one of ``,``, ``;`` and tab that finds the header
    earliest, then splits it into the most fields (ties: comma first).
    """
    best: tuple[int, int, int] | None = None
    choice: tuple[str, int | None] = (",", None)
    for rank, sep in enumerate(_DELIMITERS):
        rows = list(csv.reader(io.StringIO("".join(lines)), delimiter=sep))
        found = _header_at(rows, ids)
        header = rows[(found or 1) - 1] if rows else []
        key = (found if found is not None else len(lines) + 1, -len(header), rank)
        if best is None or key < best:
            best, choice = key, (sep, found)
    return choice
