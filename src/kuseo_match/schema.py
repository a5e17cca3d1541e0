"""The data contract, and its validation: the one place input is checked.

Officers
    ``officer_id`` (unique, str or int), ``agency``, ``district``, ``lat``,
    ``lon``; optional ``capacity`` (int >= 0, default ``Policy.capacity``
    where absent or empty) and ``province``.
Households
    ``household_id`` (unique), ``kind`` (``developable`` or ``welfare``; the
    Thai ``พัฒนาได้`` and ``สงเคราะห์`` are accepted and normalised),
    ``district``, ``lat``, ``lon``; optional need flags ``need_health``,
    ``need_living``, ``need_education``, ``need_income``, ``need_access``
    (bool; empty means not flagged) and ``province``.
Officers and households, optional extras
    ``subdistrict`` (tambon) and ``village``: not read by validation, kept as
    the caller's extra columns like any other; headers in TPMAP's open-export
    spelling (``tumbol_ID``/``tambol_ID``, ``village_ID``) are renamed to them
    (:data:`KEPT_COLUMNS`).
Costs (optional)
    ``officer_id``, ``household_id``, ``cost`` (finite, >= 0): exactly the
    allowed pairs and their costs.

Headers may use the documented aliases of :data:`COLUMN_ALIASES` (English and
Thai: ``latitude``, ``ละติจูด``, ``อำเภอ``, ``หน่วยงาน`` ...); case, spaces,
underscores and hyphens in a header do not count.  TPMAP's open exports are
read as they come: ``province_ID`` is ``province``, ``amphur_ID`` is
``district`` (a quoted code such as ``"4001"``, the district ``TH4001``; or
``"01"``, the district's number within the row's ``province_ID``), and
``tumbol_ID``/``tambol_ID`` and ``village_ID`` are the extras ``subdistrict``
and ``village``.

Coordinates are decimal degrees (WGS84), one number per cell: numbers, text
such as ``"16.43"``, a decimal comma (``"16,43"``, read as 16.43 with a
warning) or degrees-minutes-seconds (``"16°25'48\\"N"``); see
:func:`kuseo_match.geo.parse_degrees`.  Instead of ``lat`` and ``lon`` a
table may carry one ``coordinates`` column (``"16.43, 102.83"``).  Positions
at (0, 0), outside the area the shipped districts cover, or implausibly far
from their district (:func:`place_margin_km`) are refused, or only warned
about with ``Policy(coordinate_check="warn")``.

Districts given as a code, Thai or English name (with or without
``อำเภอ``/``อ.``/``Amphoe``, in any case) become their code when they name
exactly one shipped district (:func:`kuseo_match.reference.district_candidates`);
names that repeat across provinces are told apart by a ``province`` column
or by the province of the other rows, and refused when they stay ambiguous.
A number of one or two digits (``"01"``, ``1``) in a row whose ``province``
names one is the district of that number in the province (``TH4001``), as
TPMAP and the Department of Provincial Administration number them.  Other
labels are kept as they are.  The districts of the sites of
:func:`kuseo_match.plan_capacity` (:func:`validate_sites`) and of quotas
(:func:`district_codes`) are read the same way.

Ids are matched as text.  Digits other than 0-9 in an id (Thai ``๐``-``๙``,
Arabic-Indic ...) are read as 0-9, and invisible characters (zero-width
spaces and joiners, the byte-order mark, soft hyphens: Unicode category Cf)
are removed from ids, from the text labels (``agency``, ``district``,
``kind``, the need flags) and from headers, with one warning per column
(:func:`visible_text`, :func:`id_keys`); ``HH๐๐๑`` and ``HH001`` are then one
id, refused as a duplicate.  Ids in the pair tables (costs, locked,
forbidden, previous) are read the same way, so they still match.

Numbers (``capacity``, ``cost``) may be written with thousands separators
(``1,250``, ``12,345.5``: read with a warning); other text with a comma, such
as a decimal comma ``1,5``, is refused (write ``1.5``).  Households that are
identical in every column but their id (registered twice?) are kept, with a
warning.

Extra columns are allowed and carried along.  Validation returns new frames
and never changes the caller's.  A table read by
:func:`kuseo_match.read_table` remembers its file, sheet and spreadsheet row
numbers (:data:`SOURCE_ATTR`), and messages about it name them.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

from .errors import ValidationError, shown
from .fit import NEEDS

__all__ = [
    "COLUMN_ALIASES",
    "HOUSEHOLD_COLUMNS",
    "KEPT_COLUMNS",
    "KIND_ALIASES",
    "NEED_COLUMNS",
    "OFFICER_COLUMNS",
    "SOURCE_ATTR",
    "Source",
    "blank_cells",
    "canonical_columns",
    "check_provinces",
    "contract_column",
    "contract_names",
    "coordinates",
    "district_codes",
    "id_keys",
    "need_flags",
    "place_margin_km",
    "source_of",
    "validate_costs",
    "validate_households",
    "validate_officers",
    "validate_pairs",
    "validate_previous",
    "validate_rules",
    "validate_sites",
    "validate_start",
    "validate_tables",
    "visible_text",
]

log = logging.getLogger("kuseo_match")

#: Required officer columns (``lat``/``lon`` may be replaced by ``coordinates``).
OFFICER_COLUMNS = ("officer_id", "agency", "district", "lat", "lon")
#: Required household columns.
HOUSEHOLD_COLUMNS = ("household_id", "kind", "district", "lat", "lon")
#: Optional need flags, in :data:`kuseo_match.fit.NEEDS` order.
NEED_COLUMNS = tuple(f"need_{n}" for n in NEEDS)
#: Accepted spellings of the two household kinds.
KIND_ALIASES = {
    "developable": "developable",
    "พัฒนาได้": "developable",
    "ครัวเรือนพัฒนาได้": "developable",
    "welfare": "welfare",
    "สงเคราะห์": "welfare",
    "ครัวเรือนสงเคราะห์": "welfare",
}
#: Other headers accepted for each contract column (English and Thai), and for
#: the :data:`KEPT_COLUMNS`.  Headers are compared with case, spaces,
#: underscores, hyphens, dots and slashes ignored, so ``Officer ID`` and
#: ``officer-id`` are ``officer_id`` too.  A header spelled as the column wins
#: over its aliases (they stay extra columns); two aliases of one column,
#: without it, are an error.  ``province_ID``, ``amphur_ID``, ``tumbol_ID``,
#: ``tambol_ID`` and ``village_ID`` are the headers of TPMAP's open exports.
COLUMN_ALIASES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "officer_id": ("officer_code", "officer_no", "รหัสเจ้าหน้าที่", "รหัสข้าราชการ"),
        "household_id": ("household_code", "hh_id", "รหัสครัวเรือน", "รหัสบ้าน"),
        "agency": ("department", "หน่วยงาน", "สังกัด"),
        "district": (
            "amphoe",
            "amphur",
            "district_code",
            "district_name",
            "อำเภอ",
            "รหัสอำเภอ",
            "amphur_ID",
        ),
        "province": ("changwat", "จังหวัด", "province_ID"),
        "lat": ("latitude", "ละติจูด"),
        "lon": ("lng", "long", "longitude", "ลองจิจูด", "ลองติจูด"),
        "coordinates": ("coordinate", "coords", "latlon", "lat_lon", "พิกัด"),
        "capacity": ("max_households", "quota", "โควตา", "จำนวนครัวเรือนที่รับได้"),
        "kind": ("household_kind", "household_type", "ประเภทครัวเรือน", "ประเภท"),
        "need_health": ("ด้านสุขภาพ",),
        "need_living": ("ด้านความเป็นอยู่",),
        "need_education": ("ด้านการศึกษา",),
        "need_income": ("ด้านรายได้",),
        "need_access": ("ด้านการเข้าถึงบริการรัฐ", "ด้านการเข้าถึงบริการภาครัฐ"),
        "cost": ("ต้นทุน",),
        "subdistrict": ("tumbol_ID", "tambol_ID"),
        "village": ("village_ID",),
    }
)
#: The contract columns of each table (besides extras, which are kept).
TABLE_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "officers": (*OFFICER_COLUMNS, "coordinates", "capacity", "province", "synthetic"),
        "households": (
            *HOUSEHOLD_COLUMNS,
            "coordinates",
            *NEED_COLUMNS,
            "province",
            "synthetic",
        ),
        "costs": ("officer_id", "household_id", "cost"),
        "pairs": ("officer_id", "household_id"),
        "sites": ("site_id", "district", "lat", "lon", "coordinates"),
    }
)
#: Columns outside the contract that alias headers are renamed to (by
#: :func:`canonical_columns`, in the officers and households tables): validation
#: does not read them, and they stay the caller's extra columns, carried to the
#: pair lists as ``household_village`` and so on.
KEPT_COLUMNS: Final = ("subdistrict", "village")
#: Key of ``DataFrame.attrs`` where :func:`kuseo_match.read_table` notes the source.
SOURCE_ATTR = "kuseo_match.source"
#: Largest capacity accepted (a larger one is surely a data error).
MAX_CAPACITY = 1_000_000
_TRUE = {"true", "t", "yes", "y", "1", "1.0", "ใช่"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "ไม่ใช่", "ไม่", ""}
_ID_COLUMN = {"officers": "officer_id", "households": "household_id"}
_COORDINATE_CHECKS = ("refuse", "warn")
#: A number written with thousands separators: ``1,250``, ``-1,000``, ``12,345.5``.
THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
#: What :func:`visible_text` removes, as warnings name it.
_INVISIBLE = "invisible characters (zero-width spaces, soft hyphens, byte-order marks ...)"


# -------------------------------------------------------------------- where a row is
@dataclass(frozen=True)
class Source:
    """Where a table came from, as :func:`kuseo_match.read_table` notes it.

    Attributes
    ----------
    file : str
        The file's name as messages show it (``"officers.xlsx"``).
    sheet : str or None
        The worksheet of a workbook.
    rows : numpy.ndarray of int, shape (n_rows,)
        The spreadsheet row number of each row of the frame (the header row
        is 1; rows skipped as empty are not in the frame).
    """

    file: str
    sheet: str | None
    rows: np.ndarray

    @property
    def label(self) -> str:
        """``"officers.xlsx, sheet 'data'"`` or ``"officers.csv"``."""
        return self.file if self.sheet is None else f"{self.file}, sheet {self.sheet!r}"


def source_of(df: pd.DataFrame) -> Source | None:
    """The :class:`Source` of a frame as read from a file, or None.

    Row numbers are trusted only while the frame still has the rows and the
    default index it was read with; a filtered or re-indexed frame names its
    file but not its rows.
    """
    info = df.attrs.get(SOURCE_ATTR) if isinstance(df, pd.DataFrame) else None
    if not isinstance(info, Mapping) or "file" not in info:
        return None
    rows = np.asarray(info.get("rows", ()), dtype=np.int64)
    intact = len(rows) == len(df) and isinstance(df.index, pd.RangeIndex)
    intact = intact and df.index.start == 0 and df.index.step == 1
    return Source(str(info["file"]), info.get("sheet"), rows if intact else np.zeros(0, np.int64))


class _Rows:
    """How messages name the rows of one table: a file's row numbers and the id
    when it was read from a file, else the id (or the frame's index label)."""

    def __init__(
        self, table: str, df: pd.DataFrame, ids: pd.Series | None = None, *, quiet: bool = False
    ) -> None:
        self.table = table
        self.source = source_of(df)
        self.index = df.index
        self.ids = ids
        self.quiet = quiet  # no warnings (a reader for outputs, after validation spoke)

    def at(self, i: int | None = None) -> dict[str, Any]:
        """Keyword arguments of :class:`ValidationError` for row position ``i``."""
        where: dict[str, Any] = {"table": self.table}
        if self.source is not None:
            where["file"] = self.source.label
        if i is None:
            return where
        i = int(i)
        ident = self.ids.iloc[i] if self.ids is not None else None
        ident = ident.item() if isinstance(ident, np.generic) else ident  # plain, as shown
        if self.source is not None and len(self.source.rows):
            where["row"] = int(self.source.rows[i])
            where["id"] = ident
        else:
            label = self.index[i]
            label = label.item() if isinstance(label, np.generic) else label
            where["row"] = ident if ident is not None else label
        return where

    def error(
        self, message: str, i: int | None = None, *, column: str | None = None, value: Any = None
    ) -> ValidationError:
        return ValidationError(message, column=column, value=value, **self.at(i))

    def reject(self, bad: np.ndarray, message: str, *, column: str, values: Any) -> None:
        """Raise for the first row where ``bad`` holds, naming it and its value."""
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = values.iloc[i] if isinstance(values, pd.Series) else values[i]
            n = int(bad.sum())
            more = f" ({n:,} rows like this)" if n > 1 else ""
            raise self.error(message + more, i, column=column, value=value)

    def describe(self, i: int) -> str:
        """``"row 5 (id 'H-1')"`` or ``"'H-1'"`` for log lines."""
        where = self.at(i)
        if "id" in where and where.get("id") is not None:
            return f"row {where['row']} (id {shown(where['id'])})"
        return f"row {shown(where['row'])}"

    def label(self) -> str:
        """The file (with its sheet) or, for a frame not read from a file, the table."""
        return str(self.at().get("file", self.table))


# ------------------------------------------------------------------------ text as written
def visible_text(text: str, *, digits: bool = False) -> str:
    r"""``text`` without invisible characters and, with ``digits``, with every decimal
    digit written as 0-9.

    Invisible characters are Unicode's format characters (category Cf): the
    zero-width space, non-joiner and joiner (U+200B..U+200D), the word joiner
    (U+2060), the byte-order mark (U+FEFF), the soft hyphen (U+00AD),
    direction marks and the like, which a spreadsheet cell shows as nothing.
    Decimal digits are the Thai ``๐``-``๙`` (U+0E50..U+0E59), Arabic-Indic
    and every other Unicode digit (category Nd), not superscripts.

    Parameters
    ----------
    text : str
    digits : bool, default False
        Whether other digits become 0-9 too (for ids; labels keep theirs).

    Returns
    -------
    str
        ``text`` itself when it is plain ASCII (nothing to change).

    Examples
    --------
    >>> visible_text("HH๐๐๒๒๙\u200b", digits=True)
    'HH00229'
    >>> visible_text("สาธารณ\u00adสุข") == "สาธารณสุข"
    True
    """
    if text.isascii():
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            continue
        if digits and not ch.isascii() and ch.isdecimal():
            ch = str(unicodedata.decimal(ch))
        out.append(ch)
    return "".join(out)


def id_keys(ids: Any) -> pd.Index:
    """Ids as text, the way tables are matched on them: ``str(id)`` through
    :func:`visible_text` with ``digits=True``.

    Examples
    --------
    >>> id_keys(["HH๐๐๑", "HH\\ufeff002", 7]).tolist()
    ['HH001', 'HH002', '7']
    """
    return pd.Index([visible_text(str(v), digits=True) for v in ids], dtype=object)


def _visible_column(
    col: pd.Series,
    *,
    digits: bool = False,
    rows: _Rows | None = None,
    column: str | None = None,
) -> pd.Series:
    """``col`` with :func:`visible_text` applied to its text cells.

    Parameters
    ----------
    col : pandas.Series
        A column as the caller gave it; not changed.
    digits : bool, default False
        Whether other digits become 0-9 (ids).
    rows, column : optional
        Where the column is: with them, one warning says how many values
        changed and shows the first before and after (unless ``rows.quiet``).

    Returns
    -------
    pandas.Series
        ``col`` itself when nothing changes, else a new object column.
    """
    if not (col.dtype == object or isinstance(col.dtype, pd.StringDtype)):
        return col  # numbers, booleans, dates: no text
    values = col.to_numpy(dtype=object)
    fixed: dict[str, str] = {}
    seen: set[str] = set()
    for v in values:
        if isinstance(v, str) and v not in seen:
            seen.add(v)
            w = visible_text(v, digits=digits)
            if w != v:
                fixed[v] = w
    if not fixed:
        return col
    changed = np.fromiter((isinstance(v, str) and v in fixed for v in values), bool, len(values))
    new = values.copy()
    new[changed] = [fixed[v] for v in values[changed]]
    if rows is not None and not rows.quiet:
        i = int(np.flatnonzero(changed)[0])
        hidden = any(visible_text(v) != v for v in fixed)
        other = digits and any(visible_text(v) != w for v, w in fixed.items())
        what = " and ".join(
            (["digits other than 0-9 were read as 0-9"] if other else [])
            + ([f"{_INVISIBLE} were removed"] if hidden else [])
        )
        log.warning(
            "%s: column %r: %d value(s) changed: %s; the first, %s: %s -> %s",
            rows.label(),
            column,
            int(changed.sum()),
            what,
            rows.describe(i),
            shown(values[i]),
            shown(new[i]),
        )
    return pd.Series(new, index=col.index, name=col.name, dtype=object)


def _hidden(value: Any) -> str | None:
    """``value`` when it is text with invisible characters (worth showing in a message
    about an empty cell), else None."""
    return value if isinstance(value, str) and visible_text(value) != value else None


def _numbers(rows: _Rows, column: str, col: pd.Series, rule: str) -> np.ndarray:
    """The cells of a numeric column as floats (NaN where empty).

    Numbers, and text that reads as one, are taken; text with thousands
    separators (:data:`THOUSANDS`: ``1,250``, ``12,345.5``) is read as the number
    with one warning.  Other text is refused with ``rule``, and, when it has a
    comma (a decimal comma ``1,5``, a misplaced separator), with how to write it.
    """
    values = np.array(
        pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan), dtype=float
    )
    text_rows = np.flatnonzero(np.isnan(values) & ~blank_cells(col))
    if len(text_rows) == 0:
        return values
    text = col.iloc[text_rows].astype(str).str.strip()
    grouped = text.str.fullmatch(THOUSANDS.pattern).to_numpy(dtype=bool)
    if grouped.any():
        values[text_rows[grouped]] = text[grouped].str.replace(",", "").astype(float).to_numpy()
        first = int(text_rows[grouped][0])
        if not rows.quiet:
            log.warning(
                "%s: column %r: %d value(s) written with thousands separators were read as "
                "numbers, the first %s as %s in %s",
                rows.label(),
                column,
                int(grouped.sum()),
                shown(col.iloc[first]),
                repr(float(values[first])),
                rows.describe(first),
            )
    bad = np.zeros(len(col), dtype=bool)
    bad[text_rows[~grouped]] = True
    if bad.any():
        comma = "," in str(col.iloc[int(np.flatnonzero(bad)[0])])
        hint = "; use a point for decimals (1.5) and no thousands separators" if comma else ""
        rows.reject(bad, rule + hint, column=column, values=col)
    return values


# ------------------------------------------------------------------------ headers
def _header_key(name: Any) -> str:
    from .reference import fold_text

    return re.sub(r"[\s_\-./]+", " ", fold_text(visible_text(str(name)))).strip()


@functools.lru_cache(maxsize=16)
def _alias_keys(table: str | None, kept: bool = False) -> Mapping[str, str]:
    """Header key -> the contract column of ``table`` (any table when None) it
    names, or with ``kept``, the :data:`KEPT_COLUMNS` it names."""
    if kept:
        columns = set(KEPT_COLUMNS) if table in ("officers", "households") else set()
    elif table is None:
        columns = {c for cols in TABLE_COLUMNS.values() for c in cols}
    else:
        columns = set(TABLE_COLUMNS[table])
    keys: dict[str, str] = {}
    for column in sorted(columns):
        for name in (column, *COLUMN_ALIASES.get(column, ())):
            keys[_header_key(name)] = column
    return MappingProxyType(keys)


def contract_column(name: Any, table: str | None = None) -> str | None:
    """The contract column a header means in ``table`` (any table when None), or None.

    Invisible characters in the header do not count (:func:`visible_text`).

    Examples
    --------
    >>> contract_column("Latitude", "households"), contract_column("อำเภอ", "officers")
    ('lat', 'district')
    >>> contract_column("\\ufeffofficer\\u200b_id")
    'officer_id'
    >>> contract_column("Officer ID"), contract_column("phone") is None
    ('officer_id', True)
    """
    return _alias_keys(table).get(_header_key(name))


def contract_names(df: pd.DataFrame, table: str) -> dict[Any, str]:
    """The columns of ``df`` that validation reads, and the contract column each is.

    A header spelled exactly as the contract column wins: other headers that
    mean the same column are then extra columns (a ``district`` code beside an
    ``อำเภอ`` name, say), not in the answer.

    Raises
    ------
    ValidationError
        When two headers, neither spelled as the contract column, mean it.

    Examples
    --------
    >>> import pandas as pd
    >>> contract_names(pd.DataFrame(columns=["district", "อำเภอ", "ละติจูด"]), "officers")
    {'district': 'district', 'ละติจูด': 'lat'}
    >>> contract_names(pd.DataFrame(columns=["amphur_ID", "village_ID"]), "households")
    {'amphur_ID': 'district'}
    """
    return _names(df, table, _alias_keys(table))


def _names(df: pd.DataFrame, table: str, keys: Mapping[str, str]) -> dict[Any, str]:
    """:func:`contract_names` for the columns ``keys`` maps header keys to."""
    present = {str(c) for c in df.columns}
    used: dict[Any, str] = {}
    by_target: dict[str, Any] = {}
    for column in df.columns:
        target = keys.get(_header_key(column))
        if target is None or (column != target and target in present):
            continue
        if target in by_target:
            raise ValidationError(
                f"columns {shown(by_target[target])} and {shown(column)} both mean {target!r}; "
                f"keep one, or name the one to use {target!r}",
                column=str(column),
                **_Rows(table, df).at(),
            )
        by_target[target] = column
        used[column] = target
    return used


def canonical_columns(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """``df`` with the alias headers it uses renamed to the contract's names
    (:func:`contract_names`) and, in the officers and households tables, to the
    :data:`KEPT_COLUMNS`, and invisible characters removed from its other
    headers (:func:`visible_text`; unless that would give a header twice); a
    new frame when anything is renamed, ``df`` itself otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> canonical_columns(pd.DataFrame(columns=["รหัสครัวเรือน", "ละติจูด", "Longitude", "x"]),
    ...                   "households").columns.tolist()
    ['household_id', 'lat', 'lon', 'x']
    >>> canonical_columns(pd.DataFrame(columns=["district", "อำเภอ"]), "officers").columns.tolist()
    ['district', 'อำเภอ']
    >>> canonical_columns(pd.DataFrame(columns=["province_ID", "amphur_ID", "tumbol_ID",
    ...                                         "village_ID"]), "households").columns.tolist()
    ['province', 'district', 'subdistrict', 'village']
    """
    named = contract_names(df, table) | _names(df, table, _alias_keys(table, kept=True))
    renames = {c: t for c, t in named.items() if c != t}
    taken = {c for c in df.columns if c not in renames} | set(renames.values())
    for column in df.columns:
        if column in renames or not isinstance(column, str):
            continue
        name = visible_text(column)
        if name != column and name not in taken:
            renames[column] = name
            taken = (taken - {column}) | {name}
    if not renames:
        return df
    out = df.rename(columns=renames)
    out.attrs = dict(df.attrs)
    return out


def _require_frame(
    table: str, df: Any, *, contract: str | None = None, quiet: bool = False
) -> pd.DataFrame:
    """``df`` with its headers as the contract of ``contract`` (default: ``table``,
    when it has one) names them (:func:`canonical_columns`), after one warning
    about headers with invisible characters (unless ``quiet``)."""
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"must be a pandas DataFrame, not {type(df).__name__}", table=table)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise ValidationError(
            "column appears twice; rename one", column=str(dup), **_Rows(table, df).at()
        )
    contract = contract if contract is not None else table
    out = canonical_columns(df, contract) if contract in TABLE_COLUMNS else df
    hidden = [
        (before, after)
        for before, after in zip(df.columns, out.columns, strict=True)
        if isinstance(before, str) and before != after and visible_text(before) != before
    ]
    if hidden and not quiet:
        log.warning(
            "%s: %d column header(s) had %s, removed; the first: %s -> %s",
            _Rows(table, df).label(),
            len(hidden),
            _INVISIBLE,
            shown(hidden[0][0]),
            shown(hidden[0][1]),
        )
    return out


def _require_columns(table: str, df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = [shown(str(c)) for c in df.columns[:20]]
        if len(df.columns) > 20:
            found.append(f"... ({len(df.columns):,} columns)")
        raise ValidationError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; found "
            f"{', '.join(found) or 'no columns'}",
            **_Rows(table, df).at(),
        )


# ---------------------------------------------------------------------------- cells
def _ids(table: str, df: pd.DataFrame, column: str, *, quiet: bool = False) -> pd.Series:
    """The id column, checked: every row has an id, text or a whole number, unique
    as text once text ids are read as :func:`id_keys` reads them.

    Returns
    -------
    pandas.Series
        The column, its text ids with other digits as 0-9 and invisible
        characters removed (one warning says how many changed, unless ``quiet``);
        the column itself when none changes.
    """
    rows = _Rows(table, df, quiet=quiet)
    ids = df[column]
    missing = ids.isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise rows.error("id is missing; every row needs an id", i, column=column)
    values = ids.to_numpy(dtype=object)
    kinds = {type(v) for v in values}
    allowed = (str, int, np.integer)
    for i, v in enumerate(values):
        if isinstance(v, bool | np.bool_) or not isinstance(v, allowed):
            if isinstance(v, float | np.floating) and float(v).is_integer():
                continue
            raise rows.error(
                f"ids must be text or whole numbers, not {type(v).__name__}",
                i,
                column=column,
                value=v,
            )
        if len(kinds) == 1:
            break  # one type throughout: the first value stands for all
    clean = _visible_column(ids, digits=True, rows=rows, column=column)
    keys = clean.astype(str)
    empty = (keys.str.strip() == "").to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise rows.error(
            "id is empty; every row needs an id", i, column=column, value=_hidden(values[i])
        )
    dup = keys.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        j = int(np.flatnonzero((keys == keys.iloc[i]).to_numpy())[0])
        same = (
            "has it too"
            if str(values[j]) == str(values[i])
            else f"has {shown(values[j])}, the same id once ids are read as text with digits "
            f"as 0-9 and no invisible characters ({shown(keys.iloc[i])})"
        )
        raise rows.error(
            f"duplicate id; ids must be unique: {rows.describe(j)} {same}",
            i,
            column=column,
            value=values[i],
        )
    return clean


def _text(rows: _Rows, df: pd.DataFrame, column: str) -> np.ndarray:
    values = _visible_column(df[column], rows=rows, column=column)
    stripped = values.astype(str).str.strip()
    blank = values.isna().to_numpy() | (stripped == "").to_numpy()
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise rows.error("is empty", i, column=column, value=_hidden(df[column].iloc[i]))
    return stripped.to_numpy(dtype=object)


def blank_cells(col: pd.Series) -> np.ndarray:
    """Missing cells, and text cells holding only spaces (bool, one per cell).

    Examples
    --------
    >>> blank_cells(pd.Series(["a", " ", None, ""])).tolist()
    [False, True, True, True]
    """
    missing = col.isna().to_numpy()
    if not (col.dtype == object or isinstance(col.dtype, pd.StringDtype)):
        return missing  # numbers, booleans, dates: no text to be blank
    text = col.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    return missing | text


def _coordinates(rows: _Rows, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, str]:
    """Latitudes, longitudes and the column(s) they came from."""
    if "lat" not in df.columns and "lon" not in df.columns and "coordinates" in df.columns:
        text = df["coordinates"].to_numpy(dtype=object)
        lat = np.empty(len(df))
        lon = np.empty(len(df))
        for i, t in enumerate(text):
            lat[i], lon[i] = _parse_pair(rows, i, t)
        column = "coordinates"
    else:
        _require_columns(rows.table, df, ("lat", "lon"))
        lat = _degrees(rows, df, "lat")
        lon = _degrees(rows, df, "lon")
        column = "lat, lon"
    _check_ranges(rows, lat, lon, column)
    return lat, lon, column


def _parse_pair(rows: _Rows, i: int, text: Any) -> tuple[float, float]:
    from .geo import parse_coordinate_pair

    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        raise rows.error("coordinates are missing", i, column="coordinates")
    try:
        return parse_coordinate_pair(str(text))
    except ValueError as exc:
        raise rows.error(
            "is not a coordinate pair; write decimal degrees like '16.43, 102.83'",
            i,
            column="coordinates",
            value=text,
        ) from exc


def _no_odd_numbers(rows: _Rows, column: str, col: pd.Series) -> None:
    """Reject true/false and complex numbers hiding in a text (object) column."""
    if col.dtype != object:
        if pd.api.types.is_complex_dtype(col):
            raise rows.error("must be a real number", column=column)
        return
    for i, v in enumerate(col.to_numpy(dtype=object)):
        if isinstance(v, bool | np.bool_ | complex | np.complexfloating):
            raise rows.error(
                "must be a real number, not true/false or complex", i, column=column, value=v
            )


def _degrees(rows: _Rows, df: pd.DataFrame, column: str) -> np.ndarray:
    from .geo import DECIMAL_COMMA

    col = df[column]
    if pd.api.types.is_bool_dtype(col):
        raise rows.error("must be a number of degrees, not true/false", column=column)
    _no_odd_numbers(rows, column, col)
    if pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype=float, na_value=np.nan)
    else:
        values = np.array(pd.to_numeric(col, errors="coerce"), dtype=float)  # a writable copy
        text_rows = np.flatnonzero(np.isnan(values) & ~blank_cells(col))
        text = col.iloc[text_rows].astype(str)
        comma = text.str.fullmatch(DECIMAL_COMMA.pattern).to_numpy(dtype=bool)
        if comma.any():
            fixed = text[comma].str.replace(",", ".").str.replace("\u2212", "-")
            values[text_rows[comma]] = fixed.astype(float).to_numpy()
            first = int(text_rows[comma][0])
            if not rows.quiet:
                log.warning(
                    "%s: column %r: %d value(s) written with a decimal comma were read as decimal "
                    "degrees, the first %r as %s in %s",
                    rows.at().get("file", rows.table),
                    column,
                    int(comma.sum()),
                    text.iloc[int(np.flatnonzero(comma)[0])],
                    repr(float(values[first])),
                    rows.describe(first),
                )
        for i in text_rows[~comma]:  # degrees-minutes-seconds and other text, one by one
            values[i] = _parse_degree(rows, column, int(i), col.iloc[i])
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        missing = bool(blank_cells(col.iloc[i : i + 1])[0])
        what = "is missing" if missing else "must be a finite number"
        raise rows.error(
            f"{what}; give decimal degrees (WGS84)",
            i,
            column=column,
            value=None if missing else col.iloc[i],
        )
    return values


def _parse_degree(rows: _Rows, column: str, i: int, text: Any) -> float:
    from .geo import parse_degrees

    try:
        return parse_degrees(str(text), column)
    except ValueError as exc:
        two = " (one number per cell: the other coordinate goes in its own column)"
        hint = two if len(re.findall(r"\d+(?:[.,]\d+)?", str(text))) >= 2 else ""
        raise rows.error(
            f"is not a number of degrees; write decimal degrees like 16.43{hint}",
            i,
            column=column,
            value=text,
        ) from exc


def _check_ranges(rows: _Rows, lat: np.ndarray, lon: np.ndarray, column: str) -> None:
    bad_lat = np.abs(lat) > 90
    lat_column, lon_column = ("coordinates",) * 2 if column == "coordinates" else ("lat", "lon")
    if bad_lat.any():
        i = int(np.flatnonzero(bad_lat)[0])
        hint = (
            "; lat and lon look swapped (Thailand is near lat 15, lon 101)"
            if abs(lon[i]) <= 90
            else ""
        )
        raise rows.error(
            f"latitude must be in [-90, 90]{hint}", i, column=lat_column, value=float(lat[i])
        )
    rows.reject(
        np.abs(lon) > 180, "longitude must be in [-180, 180]", column=lon_column, values=lon
    )


def _capacity(rows: _Rows, df: pd.DataFrame, default: int, by: Any = None) -> np.ndarray:
    fill = (
        np.full(len(df), default, dtype=np.int64) if by is None else _by_rank(rows, df, default, by)
    )
    if "capacity" not in df.columns:
        return fill
    col = df["capacity"]
    if pd.api.types.is_bool_dtype(col):
        raise rows.error("must be a whole number >= 0, not true/false", column="capacity")
    _no_odd_numbers(rows, "capacity", col)
    values = _numbers(rows, "capacity", col, "must be a whole number >= 0")
    values = np.where(np.isnan(values), fill, values)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    rows.reject(bad, "must be a whole number >= 0", column="capacity", values=col)
    rows.reject(
        values > MAX_CAPACITY,
        f"must be at most {MAX_CAPACITY:,} households",
        column="capacity",
        values=col,
    )
    return values.astype(np.int64)


def _by_rank(rows: _Rows, df: pd.DataFrame, default: int, by: Any) -> np.ndarray:
    """Capacities from the rank column of ``Policy.capacity_by`` (empty cells: default)."""
    if by.column not in df.columns:
        raise rows.error(
            f"capacity_by names the column {by.column!r}, which the officers table does not have",
            column=by.column,
        )
    col = df[by.column]
    blank = blank_cells(col)
    caps = col.astype(str).str.strip().str.casefold().map(dict(by.values))
    rows.reject(
        (caps.isna().to_numpy() & ~blank),
        f"is not a rank of capacity_by ({', '.join(repr(r) for r, _ in by.values)})",
        column=by.column,
        values=col,
    )
    return np.where(blank, default, caps.fillna(default).to_numpy(dtype=float)).astype(np.int64)


def _flags(rows: _Rows, df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.zeros(len(df), dtype=bool)
    col = df[column]
    if pd.api.types.is_bool_dtype(col) and not col.isna().any():
        return col.to_numpy(dtype=bool)
    col = _visible_column(col, rows=rows, column=column)
    text = col.astype(str).str.strip().str.casefold().to_numpy(dtype=object)
    missing = col.isna().to_numpy()
    out = np.zeros(len(df), dtype=bool)
    for i, t in enumerate(text):
        if missing[i]:
            continue
        if t in _TRUE:
            out[i] = True
        elif t not in _FALSE:
            raise rows.error(
                "must be true or false (or 1/0, yes/no)", i, column=column, value=col.iloc[i]
            )
    return out


# ---------------------------------------------------------------------------- tables
def validate_officers(
    officers: Any,
    *,
    default_capacity: int = 2,
    need_coordinates: bool = True,
    capacity_by: Any = None,
) -> pd.DataFrame:
    """Check the officers table alone and return a normalised copy.

    :func:`validate_tables` checks both tables together, as
    :func:`kuseo_match.match` does: districts and the plausibility of
    positions need both.

    Returns
    -------
    pandas.DataFrame
        The caller's columns (extras kept, alias headers renamed) with
        ``officer_id`` as given but for text ids read as :func:`id_keys`
        reads them, ``agency`` and ``district`` as stripped text without
        invisible characters, ``lat``/``lon`` as float degrees, and
        ``capacity`` as int (filled with ``default_capacity``).

    Raises
    ------
    ValidationError
        Naming the table (or file), column, row and value at fault.

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"officer_id": [1], "agency": ["สาธารณสุข"], "district": ["TH4001"],
    ...                   "lat": ["16.43"], "lon": [102.83]})
    >>> validate_officers(o)[["lat", "capacity"]].to_dict("records")
    [{'lat': 16.43, 'capacity': 2}]
    >>> validate_officers(o.assign(capacity=[-1]))
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: officers: column 'capacity', row 1, value -1: must be \
a whole number >= 0
    """
    df = _require_frame("officers", officers)
    _require_columns("officers", df, ("officer_id", "agency", "district"))
    ids = _ids("officers", df, "officer_id")
    rows = _Rows("officers", df, ids)
    out = df.copy()
    out.attrs = {}
    out["officer_id"] = ids
    out["agency"] = _text(rows, df, "agency")
    out["district"] = _text(rows, df, "district")
    if need_coordinates or {"lat", "lon"} & set(df.columns) or "coordinates" in df.columns:
        out["lat"], out["lon"], _ = _coordinates(rows, df)
    out["capacity"] = _capacity(rows, df, default_capacity, capacity_by)
    return out.reset_index(drop=True)


def validate_households(households: Any, *, need_coordinates: bool = True) -> pd.DataFrame:
    """Check the households table alone and return a normalised copy.

    Ids and labels are read as :func:`validate_officers` reads them; ``kind``
    is normalised to ``developable``/``welfare``; need flags become bool
    columns (all five present, missing ones False).  Households identical in
    every column but their id (with positions: a household registered twice?)
    are kept, with one warning naming the first such group.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"household_id": ["H1"], "kind": ["สงเคราะห์"], "district": ["TH4001"],
    ...                   "lat": [16.4], "lon": [102.8], "need_health": [1]})
    >>> validate_households(h)[["kind", "need_health", "need_income"]].to_dict("records")
    [{'kind': 'welfare', 'need_health': True, 'need_income': False}]
    """
    df = _require_frame("households", households)
    _require_columns("households", df, ("household_id", "kind", "district"))
    ids = _ids("households", df, "household_id")
    rows = _Rows("households", df, ids)
    out = df.copy()
    out.attrs = {}
    out["household_id"] = ids
    kinds = pd.Series(_text(rows, df, "kind"))
    normal = kinds.str.casefold().map(KIND_ALIASES)
    rows.reject(
        normal.isna().to_numpy(),
        "unknown kind; use 'developable' (พัฒนาได้) or 'welfare' (สงเคราะห์)",
        column="kind",
        values=kinds,
    )
    out["kind"] = normal.to_numpy(dtype=object)
    out["district"] = _text(rows, df, "district")
    if need_coordinates or {"lat", "lon"} & set(df.columns) or "coordinates" in df.columns:
        out["lat"], out["lon"], _ = _coordinates(rows, df)
    for col in NEED_COLUMNS:
        out[col] = _flags(rows, df, col)
    _warn_about_twins(rows, out)
    return out.reset_index(drop=True)


def _warn_about_twins(rows: _Rows, households: pd.DataFrame) -> None:
    """One warning about households identical in every column but ``household_id``
    (validated, so ``"16,43"`` and ``16.43`` are the same): how many groups, and the
    rows of the first.  Only for tables with positions: without them, households of
    one kind, district and needs are alike without being registered twice."""
    if rows.quiet or "lat" not in households.columns or len(households) < 2:
        return
    rest = households.drop(columns="household_id")
    try:
        twin = rest.duplicated(keep=False).to_numpy()
    except TypeError:  # cells that cannot be compared (lists ...): nothing to say
        return
    if not twin.any():
        return
    positions = np.flatnonzero(twin)
    group = rest.iloc[positions].groupby(list(rest.columns), dropna=False, sort=False).ngroup()
    first = positions[group.to_numpy() == 0]
    named = ", ".join(rows.describe(int(i)) for i in first[:5]) + (
        f" and {len(first) - 5} more" if len(first) > 5 else ""
    )
    log.warning(
        "%s: %d group(s) of households are identical in every column but household_id "
        "(%d households; registered twice?); the first: %s. They are kept; remove the "
        "extra registrations if they are one household",
        rows.label(),
        int(group.max()) + 1,
        len(positions),
        named,
    )


def validate_tables(
    officers: Any,
    households: Any,
    *,
    default_capacity: int = 2,
    need_coordinates: bool = True,
    coordinate_check: str = "refuse",
    capacity_by: Any = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check officers and households together; return normalised copies.

    Each table is checked as :func:`validate_officers` and
    :func:`validate_households` do; then, across both:

    * **districts** become their code where they name one shipped district
      (code, Thai or English name, with or without ``อำเภอ``/``อ.``/``Amphoe``,
      any case; see :func:`kuseo_match.reference.district_candidates`).  A
      name shared by districts of several provinces is told apart by the
      row's ``province`` column, else by the provinces of the rows whose
      district is unambiguous; one that stays ambiguous is refused.  Other
      labels stay as they are.  When no district of one table occurs in the
      other, or some labels are codes or names and others are not, a warning
      says so.
    * **positions** are refused when they are (0, 0), farther than the
      margin (:func:`place_margin_km`) from every shipped district, or, for a
      household of a shipped district, farther than its margin from that
      district's centroid (an officer only needs to be within the margins of
      its district's province: officers may sit at provincial offices).
      With ``coordinate_check="warn"`` these are logged as warnings instead.

    Parameters
    ----------
    officers, households : pandas.DataFrame
        The tables; not changed.
    default_capacity : int
        ``capacity`` where the column is absent or empty.
    capacity_by : kuseo_match.policy.CapacityBy, optional
        Capacities from a rank column where ``capacity`` is absent or empty.
    need_coordinates : bool
        Whether ``lat``/``lon`` (or ``coordinates``) are required.
    coordinate_check : {"refuse", "warn"}
        What implausible positions do.
    progress : callable, optional
        Called with a line of text as each stage starts.

    Returns
    -------
    officers, households : pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> o = pd.DataFrame({"officer_id": [1], "agency": ["สาธารณสุข"], "district": ["th4002"],
    ...                   "lat": [16.55], "lon": [102.60]})
    >>> h = pd.DataFrame({"household_id": ["H1"], "kind": ["welfare"],
    ...                   "district": ["อ.บ้านฝาง"], "lat": ["16,46"], "lon": [102.65]})
    >>> o2, h2 = validate_tables(o, h)
    >>> o2["district"].tolist(), h2["district"].tolist(), h2["lat"].tolist()
    (['TH4002'], ['TH4002'], [16.46])
    >>> validate_tables(o, h.assign(lat=[0.0], lon=[0.0]))
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: households: column 'lat, lon', row 'H1', value (0.0, 0.0): \
lat = lon = 0 is a placeholder for a missing position, not a place; give the position (decimal \
degrees), or use coordinate_check='warn' (--coordinate-check warn) if it is right
    """
    if coordinate_check not in _COORDINATE_CHECKS:
        raise ValidationError(
            "must be 'refuse' or 'warn'",
            table="policy",
            column="coordinate_check",
            value=coordinate_check,
        )
    say = progress or (lambda _text: None)

    def count(frame: Any) -> str:
        return f"{len(frame):,} " if isinstance(frame, pd.DataFrame) else ""

    say(f"validating {count(officers)}officers")
    o = validate_officers(
        officers,
        default_capacity=default_capacity,
        need_coordinates=need_coordinates,
        capacity_by=capacity_by,
    )
    say(f"validating {count(households)}households")
    h = validate_households(households, need_coordinates=need_coordinates)
    rows_o = _Rows("officers", canonical_columns(officers, "officers"), o["officer_id"])
    rows_h = _Rows("households", canonical_columns(households, "households"), h["household_id"])
    say("checking districts")
    o["district"], h["district"] = _districts(rows_o, o, rows_h, h)
    if "lat" in o.columns or "lat" in h.columns:
        say("checking positions")
    for rows, frame, whole_province in ((rows_o, o, True), (rows_h, h, False)):
        if "lat" in frame.columns:
            _check_places(rows, frame, whole_province, coordinate_check)
    return o, h


# ------------------------------------------------------------------------ districts
def _provinces_of(rows: _Rows, frame: pd.DataFrame) -> np.ndarray:
    """The province code of each row's ``province`` cell (None where it is absent or
    names no province)."""
    from .reference import resolve_province

    out = np.full(len(frame), None, dtype=object)
    if "province" not in frame.columns:
        return out
    col = frame["province"]
    codes, uniques = pd.factorize(col.astype(str).str.strip())
    resolved: list[str | None] = []
    unknown: list[str] = []
    for value in uniques:
        try:
            resolved.append(resolve_province(value))
        except ValidationError:
            resolved.append(None)
            unknown.append(value)
    if unknown:
        log.warning(
            "%s: column 'province': %d value(s) name no province and do not help to tell "
            "districts apart: %s",
            rows.at().get("file", rows.table),
            len(unknown),
            ", ".join(map(repr, sorted(map(str, unknown))[:5])),
        )
    known = codes >= 0
    out[known] = np.array(resolved, dtype=object)[codes[known]]
    out[col.isna().to_numpy()] = None
    return out


#: A district's number within its province (TPMAP's and the Department of Provincial
#: Administration's ``amphur_ID`` without the province): ``"01"``, ``"1"``.
_NUMBER_IN_PROVINCE = re.compile(r"[0-9]{1,2}")


def _context(found: Iterable[tuple[str, ...]]) -> set[str]:
    """The provinces (``"TH40"``) of the labels that name exactly one shipped district,
    given each label's :func:`~kuseo_match.reference.district_candidates`."""
    return {c[0][:4] for c in found if len(c) == 1}


def _district_code(
    text: Any, found: tuple[str, ...], prov: str | None, context: set[str], hint: str
) -> tuple[str | None, str | None]:
    """The shipped district a label names, or why it cannot be told.

    Parameters
    ----------
    text : object
        The label as written (stripped).
    found : tuple of str
        Its :func:`~kuseo_match.reference.district_candidates`.
    prov : str or None
        The province (``"TH40"``) of the label's row, when it has one.
    context : set of str
        The provinces of the other labels (:func:`_context`): they tell apart a
        name shared by districts of several provinces.
    hint : str
        What to do when the label stays ambiguous.

    Returns
    -------
    code, why : str or None
        ``(code, None)`` when the label names one district; ``(None, None)`` when
        it names none (a label of the caller's own); ``(None, why)`` when it names
        a district outside ``prov``, or several.
    """
    from .reference import district_candidates, district_info

    if not found and prov is not None and _NUMBER_IN_PROVINCE.fullmatch(str(text)):
        found = district_candidates(f"{prov}{int(str(text)):02d}")
    if prov is not None and found:
        mine = tuple(c for c in found if c[:4] == prov)
        if not mine:
            info = district_info(list(found))
            where = ", ".join(f"{r.province_en} ({r.district_code})" for r in info.itertuples())
            return None, (
                f"district {text!r} is in {where}, not in the row's province {prov}; "
                "correct the district or the province"
            )
        found = mine
    if len(found) > 1:
        near = tuple(c for c in found if c[:4] in context)
        found = near if near else found
    if len(found) > 1:
        info = district_info(list(found))
        options = ", ".join(f"{r.district_code} ({r.province_en})" for r in info.itertuples())
        return None, f"district {text!r} names {len(found)} districts: {options}; {hint}"
    return (found[0] if found else None), None


def _districts(
    rows_o: _Rows, o: pd.DataFrame, rows_h: _Rows, h: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's district as a code where its label names one shipped district."""
    from .reference import district_candidates

    tables = ((rows_o, o), (rows_h, h))
    labels = pd.unique(
        np.concatenate([o["district"].to_numpy(object), h["district"].to_numpy(object)])
    )
    candidates = {label: district_candidates(label) for label in labels}
    context = _context(candidates.values())
    numbered: set[Any] = set()  # labels read as a district's number in the row's province
    out = []
    for rows, frame in tables:
        label = frame["district"].to_numpy(dtype=object)
        province = _provinces_of(rows, frame)
        code = label.copy()
        keys = pd.DataFrame({"label": label, "province": province})
        groups = keys.groupby(["label", "province"], dropna=False, sort=False).indices
        for positions in groups.values():
            first = int(positions[0])
            text, prov = label[first], province[first]
            hint = (
                "give the code" if prov is not None else "give the code, or add a 'province' column"
            )
            found, why = _district_code(text, candidates[text], prov, context, hint)
            if why is not None:
                raise rows.error(why, first, column="district", value=text)
            if found is not None:
                code[positions] = found
                if not candidates[text]:
                    numbered.add(text)
        out.append(code)
    named = {k: v or ((k,) if k in numbered else ()) for k, v in candidates.items()}
    _warn_about_districts(out[0], out[1], named, (o["district"], h["district"]))
    return out[0], out[1]


def _named_districts(
    labels: Any, known: Any, refuse: Callable[[str, int], ValidationError]
) -> np.ndarray:
    """``labels`` (one column, no province) with each label that names one shipped
    district as its code (:func:`_district_code`), told apart by the provinces of
    the districts ``known``; ``refuse(why, position)`` is raised for a label that
    stays ambiguous."""
    from .reference import district_candidates

    labels = np.asarray(labels, dtype=object)
    context = _context(district_candidates(k) for k in pd.unique(np.asarray(known, dtype=object)))
    out = labels.copy()
    codes, uniques = pd.factorize(pd.Series(labels, dtype=object))
    for j, text in enumerate(uniques):
        found, why = _district_code(text, district_candidates(text), None, context, "give the code")
        where = codes == j
        if why is not None:
            raise refuse(why, int(np.flatnonzero(where)[0]))
        if found is not None:
            out[where] = found
    return out


def district_codes(
    labels: Iterable[Any],
    known: Iterable[Any] = (),
    *,
    table: str = "policy",
    column: str | None = None,
) -> tuple[str, ...]:
    """District labels written outside the tables (a quota's ``district``) read as
    the tables' districts are: each as the code of the shipped district it names.

    A label that names exactly one shipped district (a code, a Thai or English
    name, with or without ``อำเภอ``/``อ.``/``Amphoe``, any case:
    :func:`kuseo_match.reference.district_candidates`) becomes its code; a name
    shared by districts of several provinces is told apart by the provinces of
    the districts ``known`` (the validated tables'), and refused when it stays
    ambiguous; other labels are kept as they are (stripped).

    Parameters
    ----------
    labels : iterable of str
        The labels as written.
    known : iterable of str, optional
        The districts of the validated tables (codes, or the caller's own labels).
    table, column : str, optional
        Where the labels are written, for messages.

    Returns
    -------
    tuple of str
        One per label, in order.

    Raises
    ------
    ValidationError
        For a label that names districts of several provinces, none of them
        among the provinces of ``known`` (or several).

    Examples
    --------
    >>> district_codes(["บ้านฝาง", "อ.บ้านฝาง", "Amphoe Ban Fang", "th4002", "my zone "])
    ('TH4002', 'TH4002', 'TH4002', 'TH4002', 'my zone')
    >>> district_codes(["เมือง"], known=["TH4002", "my zone"])
    ('TH4001',)
    >>> district_codes(["Chom Thong"], column="quotas")
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: policy: field 'quotas', value 'Chom Thong': district \
'Chom Thong' names 2 districts: TH1035 (Bangkok), TH5002 (Chiang Mai); give the code
    """
    text = [str(v).strip() for v in labels]

    def refuse(why: str, i: int) -> ValidationError:
        return ValidationError(why, table=table, column=column, value=text[i])

    return tuple(str(c) for c in _named_districts(text, list(known), refuse))


def _warn_about_districts(o_codes, h_codes, candidates, raw: tuple[pd.Series, pd.Series]) -> None:
    def few(values) -> str:
        shown = sorted(map(str, values))
        more = f" and {len(shown) - 4} more" if len(shown) > 4 else ""
        return ", ".join(map(repr, shown[:4])) + more

    o_set, h_set = set(o_codes), set(h_codes)
    if o_set and h_set and not o_set & h_set:
        log.warning(
            "no district of the officers table occurs in the households table (officers: %s; "
            "households: %s), so every pair pays cross_district_penalty; write the districts "
            "the same way in both tables (codes such as TH4002, or names)",
            few(o_set),
            few(h_set),
        )
    for name, series in zip(("officers", "households"), raw, strict=True):
        labels = set(series)
        plain = {x for x in labels if not candidates[x]}
        if plain and len(plain) < len(labels):
            log.warning(
                "%s: %d district label(s) are neither a code nor a name of a Thai district and "
                "are used as they are: %s",
                name,
                len(plain),
                few(plain),
            )


# ------------------------------------------------------------------------ positions
#: A position farther than ``PLACE_MARGIN[0] * r + PLACE_MARGIN[1]`` km from a
#: district's centroid is implausible for that district, where ``r`` is the radius
#: of a disc of the district's area.  Khon Kaen's polygons reach at most 2.05 r
#: from their centroids; synthetic households (spread 0.3 sqrt(area)) fall beyond
#: the margin with a probability below 1e-9 each (the largest district,
#: 4,830 km2, included).
PLACE_MARGIN: Final = (3.0, 20.0)


def place_margin_km(area_km2: Any) -> np.ndarray:
    """The distance (km) from a district's centroid beyond which a position is
    implausible for it: ``3 * sqrt(area / pi) + 20``.

    Examples
    --------
    >>> round(float(place_margin_km(950.0)), 1)   # about Mueang Khon Kaen
    72.2
    """
    r = np.sqrt(np.asarray(area_km2, dtype=float) / np.pi)
    return PLACE_MARGIN[0] * r + PLACE_MARGIN[1]


@functools.lru_cache(maxsize=1)
def _places() -> tuple[Any, pd.Index, np.ndarray, np.ndarray]:
    from scipy.spatial import cKDTree

    from .geo import to_xyz
    from .reference import districts_cached

    d = districts_cached()
    tree = cKDTree(to_xyz(d["lat"].to_numpy(), d["lon"].to_numpy()))
    codes = pd.Index(d["district_code"])
    return tree, codes, place_margin_km(d["area_km2"].to_numpy()), d["province_code"].to_numpy()


def _check_places(rows: _Rows, frame: pd.DataFrame, whole_province: bool, mode: str) -> None:
    from .geo import haversine_km, km_from_chord, to_xyz
    from .reference import districts_cached

    lat = frame["lat"].to_numpy(dtype=float)
    lon = frame["lon"].to_numpy(dtype=float)
    n = len(frame)
    if n == 0:
        return
    tree, codes, margin, province = _places()
    ref = districts_cached()
    own = codes.get_indexer(frame["district"].to_numpy(dtype=object))
    known = own >= 0
    reason = np.full(n, None, dtype=object)
    zero = (lat == 0) & (lon == 0)
    reason[zero] = "zero"
    d_own = np.full(n, np.inf)
    if known.any():
        k = own[known]
        d_own[known] = haversine_km(
            lat[known], lon[known], ref["lat"].to_numpy()[k], ref["lon"].to_numpy()[k]
        )
    near_own = known & (d_own <= np.where(known, margin[np.maximum(own, 0)], 0))
    # the rest: are they within the margin of any district (of the province)?
    rest = np.flatnonzero(~near_own & ~zero)
    if len(rest):
        dist, idx = tree.query(to_xyz(lat[rest], lon[rest]), k=32, workers=1)
        km = km_from_chord(dist)
        inside = km <= margin[idx]
        anywhere = inside.any(axis=1)
        reason[rest[~anywhere]] = "outside"
        if whole_province:
            same = province[idx] == province[np.maximum(own[rest], 0)][:, None]
            in_province = (inside & same).any(axis=1) | ~known[rest]
            reason[rest[anywhere & ~in_province]] = "province"
        else:
            reason[rest[anywhere & known[rest]]] = "district"
    bad = np.flatnonzero(reason != None)  # noqa: E711 - elementwise
    if len(bad) == 0:
        return

    def explain(i: int) -> str:
        why = reason[i]
        if why == "zero":
            return "lat = lon = 0 is a placeholder for a missing position, not a place"
        if why == "outside":
            j = int(tree.query(to_xyz(lat[i : i + 1], lon[i : i + 1]), k=1)[1][0])
            away = float(haversine_km(lat[i], lon[i], ref["lat"].iloc[j], ref["lon"].iloc[j]))
            return (
                f"the position is outside the area of Thailand's districts (the nearest "
                f"centroid, {ref['district_code'].iloc[j]} {ref['district_en'].iloc[j]}, is "
                f"{away:,.0f} km away)"
            )
        r = ref.iloc[int(own[i])]
        if why == "province":
            return (
                f"the position is outside the province of the officer's district "
                f"{r['district_code']} {r['district_en']} ({r['province_en']}): "
                f"{d_own[i]:,.0f} km from that district"
            )
        return (
            f"the position is {d_own[i]:,.0f} km from the centroid of its district "
            f"{r['district_code']} {r['district_en']} ({r['province_en']}), more than the "
            f"{margin[own[i]]:,.0f} km a position in it can be"
        )

    first = int(bad[0])
    value = (float(lat[first]), float(lon[first]))
    more = f" ({len(bad):,} rows like this)" if len(bad) > 1 else ""
    if mode == "refuse":
        raise rows.error(
            f"{explain(first)}; give the position (decimal degrees), or use "
            f"coordinate_check='warn' (--coordinate-check warn) if it is right{more}",
            first,
            column="lat, lon",
            value=value,
        )
    shown = "; ".join(f"{rows.describe(int(i))}: {explain(int(i))}" for i in bad[:3])
    log.warning(
        "%s: %d implausible position(s) kept (coordinate_check='warn'): %s%s",
        rows.at().get("file", rows.table),
        len(bad),
        shown,
        " ..." if len(bad) > 3 else "",
    )


# ------------------------------------------------------------------ readers for outputs
def coordinates(frame: pd.DataFrame, table: str, *, strict: bool = True) -> pd.DataFrame:
    """The id and ``lat``, ``lon`` (float degrees) of each row, read by the rules of
    validation: numbers, text such as ``"16.43"`` or degrees-minutes-seconds, or one
    ``coordinates`` column.

    Parameters
    ----------
    table : {"officers", "households"}
    strict : bool, default True
        Raise :class:`ValidationError` for a missing or unreadable coordinate;
        with ``strict=False`` such rows get NaN instead (for writers that skip
        a point rather than fail).

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"household_id": ["H1"], "coordinates": ["16 25m 48s N, 102.83"]})
    >>> coordinates(h, "households").round(4).to_dict("records")
    [{'household_id': 'H1', 'lat': 16.43, 'lon': 102.83}]
    """
    id_column = _ID_COLUMN[table]
    df = _require_frame(table, frame, quiet=True)  # validation has warned about this table
    _require_columns(table, df, (id_column,))
    ids = _ids(table, df, id_column, quiet=True)
    rows = _Rows(table, df, ids, quiet=True)
    has_columns = {"lat", "lon"} <= set(df.columns) or "coordinates" in df.columns
    try:
        if not has_columns and not strict:
            raise ValidationError("no coordinates", table=table)
        lat, lon, _ = _coordinates(rows, df)
    except ValidationError:
        if strict:
            raise
        lat, lon = np.full(len(df), np.nan), np.full(len(df), np.nan)
        for i in range(len(df) if has_columns else 0):  # row by row: keep the good ones
            one = _Rows(table, df.iloc[i : i + 1], ids.iloc[i : i + 1], quiet=True)
            try:
                lat[i : i + 1], lon[i : i + 1], _ = _coordinates(one, df.iloc[i : i + 1])
            except ValidationError:
                continue
    return pd.DataFrame({id_column: ids.to_numpy(), "lat": lat, "lon": lon})


def need_flags(households: pd.DataFrame) -> pd.DataFrame:
    """``household_id`` and the five need flags parsed to bool (absent flags False),
    with the same rules as :func:`validate_households`.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"household_id": [1, 2], "need_health": ["ใช่", "no"]})
    >>> need_flags(h)["need_health"].tolist()
    [True, False]
    """
    df = _require_frame("households", households, quiet=True)  # as validation read it
    _require_columns("households", df, ("household_id",))
    ids = _ids("households", df, "household_id", quiet=True)
    rows = _Rows("households", df, ids, quiet=True)
    out = pd.DataFrame({"household_id": ids.to_numpy()})
    for col in NEED_COLUMNS:
        out[col] = _flags(rows, df, col)
    return out


# ------------------------------------------------------------------------ provinces
def check_provinces(problem: Any) -> None:
    """Every row has a province (``Policy(same_province=True)`` needs it): a
    ``province`` cell naming one, or a shipped district code; else
    :class:`ValidationError` naming the table, the first ids and what to add."""
    for table, frame, codes in zip(
        ("officers", "households"),
        (problem.officers, problem.households),
        problem.provinces,
        strict=True,
    ):
        missing = np.flatnonzero(pd.isna(codes))
        if len(missing) == 0:
            continue
        key = "officer_id" if table == "officers" else "household_id"
        first = frame.iloc[missing[:3]]
        shown_rows = ", ".join(
            f"{shown(i)} (district {shown(d)})"
            for i, d in zip(first[key], first["district"], strict=True)
        )
        raise ValidationError(
            f"same_province needs each row's province: {len(missing):,} row(s) have no "
            f"'province' value naming one and no shipped district code, such as {shown_rows}; "
            "add a 'province' column (code, Thai or English name) or give districts as codes",
            table=table,
            column="province",
        )


# ---------------------------------------------------------------------------- start prices
def validate_start(start: Any, officer_keys: pd.Index) -> np.ndarray | None:
    """Officers' start prices (``match(start=...)``) in the order of ``officer_keys``,
    0 where none is given; prices of officers not in the table are not used.

    Examples
    --------
    >>> validate_start(pd.Series([2.5], index=["B"]), pd.Index(["A", "B"])).tolist()
    [0.0, 2.5]
    """
    if start is None:
        return None
    if isinstance(start, pd.DataFrame):
        if not {"officer_id", "price"} <= set(start.columns):
            raise ValidationError(
                "must have the columns officer_id and price (as result.officer_load has)",
                table="start",
            )
        start = start.set_index("officer_id")["price"]
    if not isinstance(start, pd.Series):
        raise ValidationError(
            f"must be a pandas Series of prices by officer_id, or a DataFrame with "
            f"officer_id and price, not {type(start).__name__}",
            table="start",
        )
    numbers = pd.to_numeric(start, errors="coerce")
    values = numbers.to_numpy(dtype=float)
    bad = (numbers.isna() & start.notna()).to_numpy() | (values < 0) | np.isinf(values)
    if bad.any():
        raise ValidationError(
            "must be a number >= 0 (or empty)",
            table="start",
            column="price",
            value=start.iloc[int(np.flatnonzero(bad)[0])],
        )
    keys = id_keys(start.index)
    if not keys.is_unique:
        raise ValidationError(
            "an officer_id is given twice", table="start", value=keys[keys.duplicated()][0]
        )
    pos = keys.get_indexer(officer_keys)
    prices = np.zeros(len(officer_keys))
    found = pos >= 0
    prices[found] = np.nan_to_num(values[pos[found]])
    return prices


# ---------------------------------------------------------------------------- pairs
def validate_pairs(
    pairs: Any,
    officer_keys: pd.Index,
    household_keys: pd.Index,
    *,
    table: str = "pairs",
    with_cost: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check a table of ``officer_id, household_id`` (and ``cost``) pairs.

    Ids are read as :func:`id_keys` reads them (other digits as 0-9, invisible
    characters removed, with one warning per column), so that they match the
    validated tables' ids.  A pair given twice is refused, and so, for
    ``table="locked"``, is a household given twice (a household has one
    officer).  ``cost`` is a finite number >= 0 (thousands separators read,
    see :func:`validate_costs`).  Messages name the file and spreadsheet row
    of a table read by :func:`kuseo_match.read_table`, else the index label.

    Parameters
    ----------
    pairs : pandas.DataFrame
        The table; not changed.
    officer_keys, household_keys : pandas.Index
        The ids of the validated tables, as text (``str(id)``), in table order.
    table : str, default "pairs"
        The table's name in messages (``"costs"``, ``"locked"``, ``"forbidden"``,
        ``"previous"``).
    with_cost : bool, default False
        Whether the table has a ``cost`` column to read.

    Returns
    -------
    officer_index, household_index : numpy.ndarray of int, shape (n_pairs,)
        Row positions in the officers and households tables.
    cost : numpy.ndarray of float or None
        The ``cost`` column when ``with_cost``.

    Raises
    ------
    ValidationError
        A missing column, an id not in its table, a pair (or locked household)
        given twice, or a cost that is not a number >= 0.

    Examples
    --------
    >>> o, h, _ = validate_pairs(pd.DataFrame({"officer_id": ["B\u200b"], "household_id": ["๒"]}),
    ...                          pd.Index(["A", "B"]), pd.Index(["1", "2"]))
    >>> o.tolist(), h.tolist()
    ([1], [1])
    """
    df = _require_frame(table, pairs, contract="costs" if with_cost else "pairs")
    cols = ("officer_id", "household_id", "cost") if with_cost else ("officer_id", "household_id")
    _require_columns(table, df, cols)
    rows = _Rows(table, df)
    found = {}
    for col, keys, what in (
        ("officer_id", officer_keys, "officers"),
        ("household_id", household_keys, "households"),
    ):
        mine = _visible_column(df[col], digits=True, rows=rows, column=col).astype(str)
        idx = keys.get_indexer(mine)
        bad = idx < 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = df[col].iloc[i]
            read = f"; it reads as {shown(mine.iloc[i])}" if str(value) != mine.iloc[i] else ""
            raise rows.error(
                f"id not found in the {what} table ({int(bad.sum())} row(s) like this){read}",
                i,
                column=col,
                value=value,
            )
        found[col] = idx
    o, h = found["officer_id"], found["household_id"]
    dup = pd.DataFrame({"o": o, "h": h}).duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        j = int(np.flatnonzero((o == o[i]) & (h == h[i]))[0])
        raise rows.error(
            f"pair ({shown(df['officer_id'].iloc[i])}, {shown(df['household_id'].iloc[i])}) "
            f"appears twice; give each pair once (first in {rows.describe(j)})",
            i,
        )
    if table == "locked":
        twice = pd.Series(h).duplicated().to_numpy()
        if twice.any():
            i = int(np.flatnonzero(twice)[0])
            j = int(np.flatnonzero(h == h[i])[0])
            raise rows.error(
                "household is locked to two officers; a household has one officer "
                f"({rows.describe(j)} locks it to {shown(df['officer_id'].iloc[j])}, this row "
                f"to {shown(df['officer_id'].iloc[i])})",
                i,
                column="household_id",
                value=df["household_id"].iloc[i],
            )
    cost = None
    if with_cost:
        col = df["cost"]
        if pd.api.types.is_bool_dtype(col):
            raise rows.error("must be a number, not true/false", column="cost")
        _no_odd_numbers(rows, "cost", col)
        cost = _numbers(rows, "cost", col, "cost must be a finite number >= 0")
        bad = ~np.isfinite(cost) | (cost < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise rows.error(
                "cost must be a finite number >= 0", i, column="cost", value=col.iloc[i]
            )
    return o.astype(np.int64), h.astype(np.int64), cost


def validate_costs(
    costs: Any, officer_keys: pd.Index, household_keys: pd.Index
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a ``costs`` table (see :func:`validate_pairs`); returns indices and costs.

    A cost may be written with thousands separators (``1,250``, ``12,345.5``:
    read as the number, with a warning); other text with a comma (a decimal
    comma ``1,5``) is refused with how to write it.
    """
    o, h, c = validate_pairs(costs, officer_keys, household_keys, table="costs", with_cost=True)
    assert c is not None
    return o, h, c


def validate_rules(
    locked: Any, forbidden: Any, officer_keys: pd.Index, household_keys: pd.Index
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check the ``locked`` and ``forbidden`` pair tables (either may be None) against
    the validated tables' ids and each other (:func:`validate_pairs` for each, and no
    pair both locked and forbidden), naming file and spreadsheet row.

    Returns
    -------
    locked_o, locked_h, forbidden_o, forbidden_h : numpy.ndarray of int
        Row positions in the officers and households tables.

    Raises
    ------
    ValidationError
        As :func:`validate_pairs`, or for a pair both locked and forbidden.

    Examples
    --------
    >>> pairs = pd.DataFrame({"officer_id": ["A"], "household_id": ["1"]})
    >>> validate_rules(pairs, pairs, pd.Index(["A"]), pd.Index(["1"]))
    Traceback (most recent call last):
    ...
    kuseo_match.errors.ValidationError: locked: row 0: pair ('A', '1') is both locked and \
forbidden; remove it from one of the tables (forbidden: row 0)
    """
    empty = np.zeros(0, np.int64)
    lo = lh = fo = fh = empty
    if forbidden is not None:
        fo, fh, _ = validate_pairs(forbidden, officer_keys, household_keys, table="forbidden")
    if locked is not None:
        lo, lh, _ = validate_pairs(locked, officer_keys, household_keys, table="locked")
        n = max(len(officer_keys), 1)
        both = np.isin(lh * n + lo, fh * n + fo)
        if both.any():
            i = int(np.flatnonzero(both)[0])
            j = int(np.flatnonzero((fo == lo[i]) & (fh == lh[i]))[0])
            df = _require_frame("locked", locked, contract="pairs", quiet=True)
            other = _Rows("forbidden", _require_frame("forbidden", forbidden, quiet=True))
            raise _Rows("locked", df).error(
                f"pair ({shown(df['officer_id'].iloc[i])}, {shown(df['household_id'].iloc[i])}) "
                f"is both locked and forbidden; remove it from one of the tables "
                f"({other.label()}: {other.describe(j)})",
                i,
            )
    return lo, lh, fo, fh


def validate_previous(previous: Any) -> pd.DataFrame:
    """Check the previous pairs of :func:`kuseo_match.rematch`: ``officer_id`` and
    ``household_id`` (by name or alias), each household once; a
    :class:`~kuseo_match.result.Result` gives its ``pairs``.

    Ids that are in neither of today's tables are allowed (an officer left, a
    household graduated); they are read as :func:`id_keys` reads ids, so that
    they match the validated tables'.

    Returns
    -------
    pandas.DataFrame
        ``officer_id``, ``household_id`` as text.

    Raises
    ------
    ValidationError
        A missing column, or a household paired twice (naming both rows).

    Examples
    --------
    >>> validate_previous(pd.DataFrame({"รหัสเจ้าหน้าที่": ["A"], "household_id": ["H๑"]}))
      officer_id household_id
    0          A           H1
    """
    from .result import Result

    if isinstance(previous, Result):
        previous = previous.pairs
    if not isinstance(previous, pd.DataFrame):
        raise ValidationError(
            "must be a DataFrame of officer_id, household_id, or the Result of an earlier "
            f"match, not {type(previous).__name__}",
            table="previous",
        )
    df = _require_frame("previous", previous, contract="pairs")
    _require_columns("previous", df, ("officer_id", "household_id"))
    rows = _Rows("previous", df)
    out = pd.DataFrame(
        {
            c: _visible_column(df[c], digits=True, rows=rows, column=c).astype(str).to_numpy()
            for c in ("officer_id", "household_id")
        }
    )
    dup = out["household_id"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        j = int(np.flatnonzero((out["household_id"] == out["household_id"].iloc[i]).to_numpy())[0])
        raise rows.error(
            f"household is paired twice in the previous pairs (also in {rows.describe(j)})",
            i,
            column="household_id",
            value=df["household_id"].iloc[i],
        )
    return out


# ---------------------------------------------------------------------------- sites
def validate_sites(sites: Any, *, households: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check the candidate sites of :func:`kuseo_match.plan_capacity`.

    ``site_id`` (unique, read as officers' ids are), ``district`` and the
    position as ``lat``, ``lon`` or ``coordinates`` (read as the officers'
    are, range-checked); headers may use the aliases of
    :data:`COLUMN_ALIASES`.  A district written as a code, Thai or English
    name (with or without ``อำเภอ``/``อ.``/``Amphoe``) becomes its code, as
    in the officers and households tables; a name shared by districts of
    several provinces is told apart by the provinces of the households'
    districts (:func:`district_codes`).  Messages name the file and
    spreadsheet row of a table read by :func:`kuseo_match.read_table`.

    Parameters
    ----------
    sites : pandas.DataFrame
        The table; not changed.
    households : pandas.DataFrame, optional
        The validated households, whose districts tell apart repeated names.

    Returns
    -------
    pandas.DataFrame
        ``site_id``, ``district``, ``lat``, ``lon`` (float degrees).

    Examples
    --------
    >>> validate_sites(pd.DataFrame({"site_id": ["S1"], "อำเภอ": ["อ.บ้านฝาง"],
    ...                              "latitude": ["16,43"], "lon": [102.83]})).to_dict("records")
    [{'site_id': 'S1', 'district': 'TH4002', 'lat': 16.43, 'lon': 102.83}]
    """
    if not isinstance(sites, pd.DataFrame):
        raise ValidationError("must be a DataFrame of site_id, district, lat, lon", table="sites")
    df = _require_frame("sites", sites)
    _require_columns("sites", df, ("site_id", "district"))
    ids = _ids("sites", df, "site_id")
    rows = _Rows("sites", df, ids)
    lat, lon, _ = _coordinates(rows, df)
    labels = _text(rows, df, "district")
    known = () if households is None else households["district"].to_numpy(dtype=object)

    def refuse(why: str, i: int) -> ValidationError:
        return rows.error(why, i, column="district", value=labels[i])

    return pd.DataFrame(
        {
            "site_id": ids.to_numpy(),
            "district": _named_districts(labels, known, refuse),
            "lat": lat,
            "lon": lon,
        }
    )
