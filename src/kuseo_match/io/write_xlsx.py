"""A :class:`~kuseo_match.result.Result` as an Excel workbook: a summary, the provinces
(of a run over several), the pairs, the unmatched households and one sheet per district,
each with the Thai labels of its columns above their names."""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..labels import COLUMN_LABELS
from .details import with_details, with_district_names
from .formats import PathLike
from .write import plain_value, prepare_path, replace_file

if TYPE_CHECKING:
    from ..result import Result

logger = logging.getLogger("kuseo_match.io")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


_SHEET_MAX = 31


_NO_DISTRICT = "no district"


def _cell(value: Any) -> Any:
    """A value openpyxl can store: plain Python, no control characters, NaN as empty."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = plain_value(value)
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: Thai vowel and tone marks above or below a
    letter take no width of their own.

    Examples
    --------
    >>> display_width("ที่"), len("ที่")
    (1, 3)
    """
    return sum(1 for ch in text if unicodedata.category(ch) != "Mn")


#: Decimals of the numbers in the workbook (a sheet for people; the CSV files keep
#: every digit).
DECIMALS = 3


#: Rows above the data on every sheet: the Thai labels, then the column names.
HEADER_ROWS = 2


#: Fill of the Thai label row (Excel's "Blue, Accent 1, Lighter 80%").
_LABEL_FILL = "FFDCE6F1"


def thai_labels(columns: Sequence[Any]) -> list[str | None]:
    """The Thai label of each column (:data:`kuseo_match.labels.COLUMN_LABELS`), None
    for a column the package does not name (the input tables' other columns).

    Examples
    --------
    >>> thai_labels(["officer_id", "distance_km", "officer_phone"])
    ['รหัสเจ้าหน้าที่', 'ระยะทาง (กม.)', None]
    """
    return [COLUMN_LABELS[c][0] if c in COLUMN_LABELS else None for c in columns]


def _write_sheet(book: Any, title: str, frame: pd.DataFrame, *, printable: bool = False) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet = book.create_sheet(title)
    if printable:  # landscape A4, one page wide, both header rows on every page
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = 9  # A4 (ECMA-376 paper size code)
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_title_rows = f"1:{HEADER_ROWS}"
    labels = thai_labels(list(frame.columns))
    header = [_cell(c) for c in frame.columns]
    widths = []
    for i, (label, name) in enumerate(zip(labels, header, strict=True)):
        sample = frame.iloc[:1000, i].dropna().map(str)
        longest = max((display_width(s) for s in sample), default=0)
        named = max(display_width(label or ""), display_width(str(name)))
        widths.append(min(max(named, longest, 6) + 2, 60))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = f"A{HEADER_ROWS + 1}"
    if header:
        last = f"{get_column_letter(len(header))}{len(frame) + HEADER_ROWS}"
        sheet.auto_filter.ref = f"A{HEADER_ROWS}:{last}"
    bold = Font(bold=True)
    fill = PatternFill(fill_type="solid", start_color=_LABEL_FILL, end_color=_LABEL_FILL)
    for texts, row_fill in ((labels, fill), (header, None)):
        cells = []
        for value in texts:
            cell = _text_cell(sheet, value)
            cell.font = bold
            if row_fill is not None:
                cell.fill = row_fill
            cells.append(cell)
        sheet.append(cells)
    columns = [_column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    for i, values in enumerate(columns):
        for j in np.flatnonzero([_looks_special(v) for v in values]):
            values[j] = _text_cell(sheet, values[j])
        columns[i] = values
    for row in zip(*columns, strict=True):
        sheet.append(row)


def _looks_special(value: Any) -> bool:
    """Text that openpyxl would store as a formula (``=...``) or an error (``#N/A``)."""
    from openpyxl.cell.cell import ERROR_CODES

    return isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES)


def _text_cell(sheet: Any, value: Any) -> Any:
    """A cell that holds ``value`` as text, whatever it starts with: Excel never
    evaluates a text cell, so the exact text (``=A1``, ``+66 81``, ``-2+3``) stays."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _column_cells(column: pd.Series) -> list[Any]:
    """The cells of one column as plain Python values (numbers converted in bulk)."""
    dtype = column.dtype
    if pd.api.types.is_float_dtype(dtype):
        column = column.round(DECIMALS)
    if pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    ):
        values = column.to_numpy(dtype=object, na_value=None, copy=True)
        if values.size and pd.api.types.is_float_dtype(dtype):
            finite = np.isfinite(column.to_numpy(dtype=float, na_value=np.nan))
            values[~finite] = None  # NaN and +-inf: an empty cell
        return values.tolist()
    return [_cell(v) for v in column.tolist()]


def _summary_rows(result: Result) -> pd.DataFrame:
    rows: list[tuple[str, Any, Any]] = []
    for key, value in result.summary().items():
        if isinstance(value, Mapping):
            rows.extend((key, str(k), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            rows.append(("summary", key, ", ".join(str(v) for v in value)))
        else:
            rows.append(("summary", key, value))
    rows.extend(("policy", key, value) for key, value in result.policy.to_dict().items())
    return pd.DataFrame(rows, columns=["section", "key", "value"])


def _sheet_title(label: str, taken: set[str]) -> str:
    """An Excel-legal sheet name, unique (case-insensitively) among ``taken``."""
    base = " ".join(_SHEET_FORBIDDEN.sub(" ", label).split()).strip("'").strip() or "district"

    def fit(text: str, room: int) -> str:
        while len(text.encode("utf-16-le")) // 2 > room:
            text = text[:-1]
        return text.rstrip()

    title = fit(base, _SHEET_MAX)
    n = 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title = fit(base, _SHEET_MAX - len(suffix)) + suffix
        n += 1
    taken.add(title.casefold())
    return title


def _district_frame(pairs: pd.DataFrame, unmatched: pd.DataFrame) -> pd.DataFrame:
    parts = []
    if len(pairs):
        parts.append(pairs.assign(status="paired"))
    if len(unmatched):
        parts.append(unmatched.assign(status="unmatched"))
    if not parts:
        return pd.DataFrame()
    front = ["status", "household_id", "kind", "household_district"]
    rest = [c for p in parts for c in p.columns if c not in front and c != "reason"]
    order = front + list(dict.fromkeys(rest)) + ["reason"]
    combined = pd.concat(parts, ignore_index=True)
    return combined.reindex(columns=[c for c in order if c in combined.columns or c == "reason"])


def write_pairs_xlsx(
    result: Result,
    path: PathLike,
    *,
    district_names: Mapping[Any, str] | None = None,
    officers: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
    pair_sheets: bool = True,
) -> Path:
    """Write a matching result as an Excel workbook for the provincial office.

    Sheets, in order:

    ``summary``
        Columns ``section``, ``key``, ``value``: the headline numbers of
        :meth:`Result.summary` (section ``summary``; the per-load and
        per-reason counts under sections ``officers_by_load`` and
        ``unmatched_reasons``) and the policy settings (section ``policy``).
    ``provinces``, when the households lie in more than one province
        :meth:`Result.by_province`: per province, households, paired,
        unmatched, distances, officers, slots and cost.
    ``pairs``
        ``result.pairs``, with the other columns of ``officers`` and
        ``households`` when given (:func:`with_details`).
    ``unmatched``
        ``result.unmatched``, with the other columns of ``households``.
    one sheet per household district, sorted by district code
        That district's paired and unmatched households in one table
        (``status`` ``"paired"``/``"unmatched"``, household columns, the
        pair columns, ``reason``).  Named by the district code, or
        ``"<code> <name>"`` when ``district_names`` has the code; characters
        Excel forbids (``[]:*?/\\``) are removed, names are cut to 31
        characters and made unique; households without a district go to a
        ``no district`` sheet.

    Every sheet has :data:`HEADER_ROWS` header rows, both bold: row 1 the Thai
    label of each column (:func:`thai_labels`, from
    :data:`kuseo_match.labels.COLUMN_LABELS`), on a light blue fill, left
    empty above the input tables' other columns (the package has no label
    for them, and their name is in row 2); row 2 the column names, as in
    ``pairs.csv``.  Row 2 is the header :func:`read_table` reads: it finds it
    by itself on the sheets that name an id column (``pairs``,
    ``unmatched``, the districts; see its ``header_row``), and
    ``header_row=2`` reads ``summary`` and ``provinces``.  The data start in
    row 3; the panes are frozen below row 2 and the filter is on row 2.
    Column widths fit the label, the name and the content (up to 60
    characters); numbers are rounded to :data:`DECIMALS` decimals
    (``pairs.csv`` keeps every digit); a district sheet prints landscape on
    A4, one page wide, both header rows on every page.  Text is stored as text
    cells, which Excel never evaluates, so it keeps its exact text (a phone
    ``+66 81 ...``, a ``-`` placeholder, ``=A1``; the CSV files neutralise
    such text instead, see :func:`neutralise_formulas`); control characters Excel cannot store are
    dropped; NaN is an empty cell.

    Parameters
    ----------
    result : Result
        The matching result; not changed.
    path : str or os.PathLike
        Output ``.xlsx`` file; missing parent folders are created.
    district_names : Mapping, optional
        District code -> name, e.g. ``{"TH4001": "เมืองขอนแก่น"}``, for the
        sheet names.
    officers, households : pandas.DataFrame, optional
        The input tables, whose columns outside the data contract (names,
        phone numbers, villages) join the pair lists.
    pair_sheets : bool, default True
        False leaves out the ``pairs`` sheet and the district sheets (a country's
        million pairs take minutes to write as cells, and its pairs are in
        ``pairs.csv``): the workbook then holds the summary, the provinces and
        the unmatched households.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> from kuseo_match.io import read_table
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from kuseo_match.result import Result
    >>> pairs = pd.DataFrame({"officer_id": ["O1"], "household_id": ["H1"], "cost": [1.5],
    ...     "distance_km": [1.5], "fit": [1.0], "kind_affinity": [1.0],
    ...     "agency": ["สำนักงานเกษตรอำเภอ"],
    ...     "officer_district": ["TH4001"], "kind": ["พัฒนาได้"],
    ...     "household_district": ["TH4001"]})
    >>> unmatched = pd.DataFrame({"household_id": ["H2"], "kind": ["สงเคราะห์"],
    ...     "household_district": ["TH4002"], "reason": ["no officer within 30 km"]})
    >>> result = Result(pairs, unmatched, status="optimal", objective=1.5)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = write_pairs_xlsx(result, folder / "pairs.xlsx",
    ...                        district_names={"TH4001": "เมืองขอนแก่น"})
    >>> import openpyxl
    >>> openpyxl.load_workbook(out).sheetnames
    ['summary', 'pairs', 'unmatched', 'TH4001 เมืองขอนแก่น', 'TH4002']
    >>> read_table(out, sheet="pairs")["agency"].tolist()
    ['สำนักงานเกษตรอำเภอ']
    >>> sheet = openpyxl.load_workbook(out)["unmatched"]
    >>> [cell.value for cell in sheet[1]][:4]
    ['รหัสครัวเรือน', 'ประเภทครัวเรือน', 'อำเภอของครัวเรือน', 'ชื่ออำเภอของครัวเรือน (ไทย)']
    >>> [cell.value for cell in sheet[2]][:4]
    ['household_id', 'kind', 'household_district', 'household_district_th']
    >>> sheet.freeze_panes, sheet.auto_filter.ref
    ('A3', 'A2:F3')
    """
    from openpyxl import Workbook

    path = prepare_path(path)
    names = dict(district_names or {})
    book = Workbook(write_only=True)
    taken = {"history"}  # Excel reserves it; the fixed sheets are added below
    pairs = with_district_names(with_details(result.pairs, officers, households))
    unmatched = with_district_names(with_details(result.unmatched, None, households))
    provinces = result.by_province()
    several = int((provinces["households"] > 0).sum()) > 1
    for title, frame in (
        ("summary", _summary_rows(result)),
        *([("provinces", provinces)] if several else []),
        *([("pairs", pairs)] if pair_sheets else []),
        ("unmatched", unmatched),
    ):
        _write_sheet(book, _sheet_title(title, taken), frame)

    combined = _district_frame(pairs, unmatched)
    if len(combined) and pair_sheets:
        labels = pd.Series(
            [_NO_DISTRICT if pd.isna(c) else str(c) for c in combined["household_district"]]
        )
        groups = labels.groupby(labels).indices
        names_by_text = {str(k): v for k, v in names.items()}
        for label in sorted(groups, key=lambda s: (s == _NO_DISTRICT, s)):
            name = names_by_text.get(label)
            ok = isinstance(name, str) and bool(name.strip())
            title = _sheet_title(f"{label} {name}" if ok else label, taken)
            frame = combined.iloc[groups[label]].reset_index(drop=True)
            _write_sheet(book, title, frame, printable=True)
    buffer = io.BytesIO()  # a failed write must not leave openpyxl's streams half-open
    book.save(buffer)
    path = replace_file(path, buffer.getvalue())
    logger.debug("wrote %s: %d sheets", path, len(book.worksheets))
    return path
