"""Delimited text: encoding, delimiter and header row found, values unchanged.

A file is read in steps, so that a wrong file is refused after little work:

1. its head (the first MB) gives the encoding of the header, the delimiter,
   the header row, and the id column check (a file without it is refused
   here, however large it is);
2. one pass over the whole file, a chunk at a time, checks that it decodes
   (the encoding is detected from all of it, not from the head) and counts
   its lines, for the ``max_rows`` guard;
3. pandas reads it from a text stream, never as one string.

Line endings may be LF, CRLF or CR alone (Excel's "CSV (Macintosh)"); fields
may be of any length and may hold line breaks in quotes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pandas as pd

from ..errors import ValidationError, shown
from .formats import (
    TITLE_ROWS,
    check_header,
    check_ids,
    finds_id,
    header_at,
    is_id,
    missing_id,
    na_values,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger("kuseo_match.io")


#: Delimiters of text tables, in order of preference on a tie.
_DELIMITERS = (",", ";", "\t")

#: Bytes read before the header is known: enough for any header, not a whole file.
_HEAD_BYTES = 1 << 20

#: Bytes read at a time when passing over the whole file.
_CHUNK = 1 << 20

#: Largest field length :mod:`csv` accepts (it takes a C ``long``).
_FIELD_LIMIT_MAX = 2**31 - 1


_ENCODING_HINT = (
    "save it from Excel as 'CSV UTF-8', or pass the encoding it was saved in "
    "(encoding= / --encoding, e.g. 'cp874' for Thai Windows files)"
)


@dataclass(frozen=True)
class _Layout:
    """What the head of a file says: the delimiter, the header row and its cells."""

    sep: str
    header_row: int
    header: list[str]


@dataclass(frozen=True)
class _Undecodable:
    """Where a pass over the file met bytes its encoding cannot decode."""

    offset: int
    byte: int
    line: int


def read_csv_table(
    path: Path,
    name: str,
    encoding: str | None,
    header_row: int | None,
    ids: tuple[str, ...],
    required: bool = False,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, int, None]:
    """The frame of a delimited text file and the row number of its first data row.

    ``required``: refuse the file, from its head, when the header does not
    name one of ``ids``; ``max_rows``: refuse more data rows than this.
    """
    with open(path, "rb") as raw:
        head = raw.read(_HEAD_BYTES)
        whole = not raw.peek(1)
        size = len(head) if whole else max(path.stat().st_size, len(head) + 1)
        if head.startswith(b"PK\x03\x04"):
            raise ValidationError(
                f"{path} is an Excel workbook (or another zip file), not text; "
                "rename it to .xlsx, or save it from Excel as 'CSV UTF-8'",
                file=name,
            )
        codec, skip = _head_codec(head, whole, path, name, encoding)
        with _field_limit(size):
            layout = _layout(
                head, whole, codec, skip, header_row, ids, path, name, required, encoding
            )
            lines = _pass(raw, codec, skip)
            if isinstance(lines, _Undecodable) and encoding is None and codec == "utf-8":
                codec = "cp874"  # UTF-8 in the head, not in the rest: a Thai Windows file
                layout = _layout(
                    head, whole, codec, skip, header_row, ids, path, name, required, encoding
                )
                lines = _pass(raw, codec, skip)
            if isinstance(lines, _Undecodable):
                raise _decode_error(lines, path, name, codec, encoding)
            if max_rows is not None and lines + 1 - layout.header_row > max_rows:
                _check_rows(raw, codec, skip, layout, max_rows, path, name)
            frame = _parse(raw, codec, skip, layout, path, name)
    if header_row is None and layout.header_row > 1:
        logger.info(
            "%s: the header is row %d (the rows above it are skipped)", name, layout.header_row
        )
    first = layout.header_row + 1
    check_ids(frame, first, name)
    logger.debug(
        "read %s: encoding %s, separator %r, header row %d, %d rows, %d columns",
        path,
        codec,
        layout.sep,
        layout.header_row,
        len(frame),
        frame.shape[1],
    )
    return frame, first, None


# ---------------------------------------------------------------------------- encoding
def _head_codec(
    head: bytes, whole: bool, path: Path, name: str, encoding: str | None
) -> tuple[str, int]:
    """The encoding of the head of a file, and the bytes of a byte-order mark to
    skip before decoding it (a mark the codec does not remove itself)."""
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
            if not getattr(info, "_is_text_encoding", True):
                raise LookupError(encoding)
        except LookupError as exc:
            raise ValidationError(
                f"unknown encoding {shown(encoding)} for {path}; use e.g. 'utf-8', 'utf-8-sig' "
                "or 'cp874'",
                file=name,
            ) from exc
        _check_mark(head, path, name, info.name)
        marks = {
            "utf-8": codecs.BOM_UTF8,
            "utf-16-le": codecs.BOM_UTF16_LE,
            "utf-16-be": codecs.BOM_UTF16_BE,
        }
        mark = marks.get(info.name)
        # A byte-order mark is never data, whichever spelling of its encoding was passed.
        return encoding, len(mark) if mark is not None and head.startswith(mark) else 0
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 0
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    for candidate in ("utf-8", "cp874"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(head, final=whole)
        except UnicodeDecodeError:
            continue
        return candidate, 0
    return "cp874", 0  # the pass over the file says where it fails


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


def _pass(raw: IO[bytes], codec: str, skip: int) -> int | _Undecodable:
    """Decode the whole file a chunk at a time: the number of line breaks in it
    (LF, CRLF or CR), or where it cannot be decoded."""
    raw.seek(skip)
    decoder = codecs.getincrementaldecoder(codec)()
    fed = skip  # bytes given to the decoder
    lines = 0
    carriage = False  # the text so far ends with "\r"
    while True:
        chunk = raw.read(_CHUNK)
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            before = exc.object[: exc.start].decode(codec, errors="replace")
            return _Undecodable(
                offset=fed - pending + exc.start,
                byte=exc.object[exc.start],
                line=lines + _breaks(before, carriage) + 1,
            )
        lines += _breaks(text, carriage)
        carriage = text.endswith("\r") if text else carriage
        fed += len(chunk)
        if not chunk:
            return lines


def _breaks(text: str, carriage: bool) -> int:
    """The line breaks in ``text``; ``carriage``: the text before ended with ``\\r``."""
    count = text.count("\n") + text.count("\r") - text.count("\r\n")
    return count - (1 if carriage and text.startswith("\n") else 0)


def _decode_error(
    bad: _Undecodable, path: Path, name: str, codec: str, encoding: str | None
) -> ValidationError:
    at = f"(byte 0x{bad.byte:02x} at position {bad.offset}) on line {bad.line}"
    if encoding is not None:
        message = f"{path} cannot be decoded as {shown(encoding)} {at}; {_ENCODING_HINT}"
    elif codec == "utf-8-sig":
        message = f"{path} starts with a UTF-8 byte-order mark but is not UTF-8 {at}; "
        message += _ENCODING_HINT
    elif codec == "utf-16":
        message = f"{path} starts with a UTF-16 byte-order mark but is not UTF-16 {at}; "
        message += _ENCODING_HINT
    else:
        message = f"{path} is neither UTF-8 nor Thai Windows (cp874) text {at}; {_ENCODING_HINT}"
    return ValidationError(message, file=name)


# ------------------------------------------------------------------------------ layout
@contextlib.contextmanager
def _field_limit(size: int) -> Iterator[None]:
    """Let :mod:`csv` read fields as long as the file (its default stops at 131,072
    characters), and restore the limit after."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, min(size + 1, _FIELD_LIMIT_MAX)))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _records(text: str, sep: str, limit: int | None, path: Path, name: str) -> list[list[str]]:
    """The first ``limit`` records of ``text`` (all when None)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        return list(islice(reader, limit))
    except csv.Error as exc:
        raise _csv_error(exc, reader.line_num, path, name) from exc


def _csv_error(exc: csv.Error, line: int, path: Path, name: str) -> ValidationError:
    return ValidationError(
        f"{path} cannot be read as a table on line {line} ({exc}); save it again from Excel "
        "as 'CSV UTF-8'",
        file=name,
    )


def _layout(
    head: bytes,
    whole: bool,
    codec: str,
    skip: int,
    header_row: int | None,
    ids: tuple[str, ...],
    path: Path,
    name: str,
    required: bool,
    encoding: str | None,
) -> _Layout:
    """The delimiter and header of a file, from its head."""
    try:
        text = codecs.getincrementaldecoder(codec)().decode(head[skip:], final=whole)
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start].decode(codec, errors="replace")
        bad = _Undecodable(skip + exc.start, exc.object[exc.start], _breaks(before, False) + 1)
        raise _decode_error(bad, path, name, codec, encoding) from exc
    text = text.removeprefix("\ufeff")
    if whole and not text.strip():
        raise ValidationError(
            f"{path} is empty; it needs a header row (e.g. officer_id,...) and data rows",
            file=name,
        )
    if not whole:  # the last line of the head may be cut short
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut < 0:
            raise ValidationError(
                f"the first row of {path} is longer than {_HEAD_BYTES >> 20} MB, far too long "
                "for a header or a title; check that the file is a table saved as CSV",
                file=name,
            )
        text = text[: cut + 1]
    if header_row is None:
        sep, rows = _sniff(text, ids, path, name)
        found = header_at(rows, ids)
        if required and not found:
            within = (
                "" if whole or len(rows) > TITLE_ROWS else f" (the first {_HEAD_BYTES >> 20} MB)"
            )
            raise missing_id(ids, name, len(rows), rows[0] if rows else None, None, within)
        row = found or 1
    else:
        sep, rows = _sniff(text, ids, path, name, at=header_row)
        if len(rows) < header_row:
            if whole:
                count = len(_records(text, ",", None, path, name))
                raise ValidationError(
                    f"{path} has {count} row(s), so row {header_row} cannot be the header; "
                    "check header_row (--header-row)",
                    file=name,
                )
            raise ValidationError(
                f"row {header_row} of {path} is not within its first {_HEAD_BYTES >> 20} MB, "
                "too far down for a header; check header_row "
                "(--header-row)",
                file=name,
            )
        if required and not finds_id(rows[header_row - 1], ids):
            raise missing_id(ids, name, header_row, rows[header_row - 1], header_row)
        row = header_row
    header = rows[row - 1] if len(rows) >= row else []
    check_header(header, path, name)
    return _Layout(sep, row, header)


def _sniff(
    text: str, ids: tuple[str, ...], path: Path, name: str, at: int | None = None
) -> tuple[str, list[list[str]]]:
    """The delimiter of a text table and its first records split by it.

    The delimiter is the one of ``,``, ``;`` and tab that finds the header
    (among the first 21 rows, as :func:`header_at` finds it; or row ``at``
    when given) earliest, then splits it into the most fields (ties: comma
    first).
    """
    limit = TITLE_ROWS + 1 if at is None else at
    best: tuple[int, int, int] | None = None
    choice: tuple[str, list[list[str]]] = (",", [])
    for rank, sep in enumerate(_DELIMITERS):
        rows = _records(text, sep, limit, path, name)
        if at is None:
            found = header_at(rows, ids)
            header = rows[(found or 1) - 1] if rows else []
        else:
            header = rows[at - 1] if len(rows) >= at else []
            found = 1 if finds_id(header, ids) else None
        key = (found if found is not None else limit + 1, -len(header), rank)
        if best is None or key < best:
            best, choice = key, (sep, rows)
    return choice


# -------------------------------------------------------------------------------- rows
def _text_stream(raw: IO[bytes], codec: str, skip: int) -> io.TextIOWrapper:
    """The file as text from its start (after a byte-order mark), line ends kept."""
    raw.seek(skip)
    return io.TextIOWrapper(raw, encoding=codec, newline="")


def _check_rows(
    raw: IO[bytes],
    codec: str,
    skip: int,
    layout: _Layout,
    max_rows: int,
    path: Path,
    name: str,
) -> None:
    """Count the data rows (records, which may span lines) and refuse too many."""
    stream = _text_stream(raw, codec, skip)
    reader = csv.reader(stream, delimiter=layout.sep)
    try:
        count = sum(1 for _ in reader) - layout.header_row
    except csv.Error as exc:
        raise _csv_error(exc, reader.line_num, path, name) from exc
    finally:
        stream.detach()
    if count > max_rows:
        raise ValidationError(
            f"{path} has {count:,} data rows below the header (row {layout.header_row}), "
            f"more than max_rows={max_rows:,}; check that this is the right file, or pass a "
            "larger max_rows to read_table (max_rows=None: no limit; the default, "
            "2,000,000, is three times the households of the whole country)",
            file=name,
        )


_PANDAS_LINE = re.compile(r"\bline (\d+)\b")


def _parse(
    raw: IO[bytes], codec: str, skip: int, layout: _Layout, path: Path, name: str
) -> pd.DataFrame:
    """pandas' frame of the rows from the header down, read from a text stream."""
    stream = _text_stream(raw, codec, skip)
    reader = csv.reader(stream, delimiter=layout.sep)
    try:
        for _ in range(layout.header_row - 1):  # title rows: records, which may span lines
            next(reader, None)
        columns = layout.header
        with warnings.catch_warnings():
            # pandas only warns (and drops values) when the first data row is longer
            # than the header; a file like that has to be fixed, not guessed at.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                stream,
                sep=layout.sep,
                index_col=False,
                low_memory=False,  # infer each column's type from all of it, not chunks
                dtype={c: str for c in columns if is_id(c)},
                keep_default_na=False,
                na_values=na_values(columns),
                skip_blank_lines=False,  # a blank line is a row: row numbers stay true
            )
    except csv.Error as exc:
        raise _csv_error(exc, reader.line_num, path, name) from exc
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        said = str(exc).strip()[:300]
        line = _PANDAS_LINE.search(said)  # pandas counts records (rows), from the header
        said = _PANDAS_LINE.sub(lambda m: f"row {int(m.group(1)) + layout.header_row - 1}", said)
        raise ValidationError(
            f"{path} is not a well-formed table ({said}); every row needs as many "
            "fields as the header: check for stray commas or unclosed quotes",
            file=name,
            row=None if line is None else int(line.group(1)) + layout.header_row - 1,
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise ValidationError(
            f"{path} is empty; it needs a header row and data rows", file=name
        ) from exc
    except UnicodeDecodeError as exc:  # the file changed since it was checked
        raise ValidationError(
            f"{path} cannot be decoded as {codec!r}; {_ENCODING_HINT}", file=name
        ) from exc
    finally:
        stream.detach()
