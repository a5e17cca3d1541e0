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
Costs (optional)
    ``officer_id``, ``household_id``, ``cost`` (finite, >= 0): exactly the
    allowed pairs and their costs.

Coordinates are decimal degrees (WGS84); text such as ``"16.43"`` or
``"16°25'48\\"N"`` is parsed (the latter with geopy).  Instead of ``lat`` and
``lon`` a table may carry one ``coordinates`` column (``"16.43, 102.83"``).
Extra columns are allowed and carried along.  Validation returns new frames
and never changes the caller's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .errors import ValidationError
from .fit import NEEDS

__all__ = [
    "HOUSEHOLD_COLUMNS",
    "KIND_ALIASES",
    "NEED_COLUMNS",
    "OFFICER_COLUMNS",
    "coordinates",
    "need_flags",
    "validate_costs",
    "validate_households",
    "validate_officers",
    "validate_pairs",
]

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
#: Largest capacity accepted (a larger one is surely a data error).
MAX_CAPACITY = 1_000_000
_TRUE = {"true", "t", "yes", "y", "1", "1.0", "ใช่"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "ไม่ใช่", "ไม่", ""}


def _require_frame(table: str, df: Any) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise ValidationError(f"must be a pandas DataFrame, not {type(df).__name__}", table=table)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise ValidationError("column appears twice; rename one", table=table, column=str(dup))
    return df


def _require_columns(table: str, df: pd.DataFrame, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValidationError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; found "
            f"{', '.join(repr(str(c)) for c in df.columns) or 'no columns'}",
            table=table,
        )


def _ids(table: str, df: pd.DataFrame, column: str) -> pd.Series:
    ids = df[column]
    missing = ids.isna().to_numpy()
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise ValidationError(
            "id is missing; every row needs an id", table=table, column=column, row=i
        )
    values = ids.to_numpy(dtype=object)
    kinds = {type(v) for v in values}
    allowed = (str, int, np.integer)
    for v in values:
        if isinstance(v, bool | np.bool_) or not isinstance(v, allowed):
            if isinstance(v, float | np.floating) and float(v).is_integer():
                continue
            raise ValidationError(
                f"ids must be text or whole numbers, not {type(v).__name__}",
                table=table,
                column=column,
                value=v,
            )
        if len(kinds) == 1:
            break  # one type throughout: the first value stands for all
    keys = ids.astype(str)
    empty = (keys.str.strip() == "").to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise ValidationError(
            "id is empty; every row needs an id", table=table, column=column, row=i
        )
    dup = keys.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise ValidationError(
            "duplicate id; ids must be unique", table=table, column=column, value=values[i]
        )
    return keys


def _reject(
    bad: np.ndarray, message: str, *, table: str, column: str, ids: pd.Series, values: Any
) -> None:
    """Raise for the first row where ``bad`` holds, naming its id and value."""
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = values.iloc[i] if isinstance(values, pd.Series) else values[i]
        raise ValidationError(message, table=table, column=column, row=ids.iloc[i], value=value)


def _text(table: str, df: pd.DataFrame, column: str, ids: pd.Series) -> np.ndarray:
    values = df[column]
    stripped = values.astype(str).str.strip()
    blank = values.isna().to_numpy() | (stripped == "").to_numpy()
    if blank.any():
        i = int(np.flatnonzero(blank)[0])
        raise ValidationError("is empty", table=table, column=column, row=ids.iloc[i])
    return stripped.to_numpy(dtype=object)


def _coordinates(table: str, df: pd.DataFrame, ids: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if "lat" not in df.columns and "lon" not in df.columns and "coordinates" in df.columns:
        text = df["coordinates"]
        lat = np.empty(len(df))
        lon = np.empty(len(df))
        for i, t in enumerate(text.to_numpy(dtype=object)):
            lat[i], lon[i] = _parse_pair(table, "coordinates", ids.iloc[i], t)
    else:
        _require_columns(table, df, ("lat", "lon"))
        lat = _degrees(table, df, "lat", ids)
        lon = _degrees(table, df, "lon", ids)
    _check_ranges(table, lat, lon, ids)
    return lat, lon


def _parse_pair(table: str, column: str, row: Any, text: Any) -> tuple[float, float]:
    from .geo import parse_coordinate_pair

    if text is None or (isinstance(text, float) and np.isnan(text)):
        raise ValidationError("coordinates are missing", table=table, column=column, row=row)
    try:
        return parse_coordinate_pair(str(text))
    except ValueError as exc:
        raise ValidationError(
            "is not a coordinate pair; write decimal degrees like '16.43, 102.83'",
            table=table,
            column=column,
            row=row,
            value=text,
        ) from exc


def _no_odd_numbers(table: str, column: str, col: pd.Series, ids: pd.Series) -> None:
    """Reject true/false and complex numbers hiding in a text (object) column."""
    if col.dtype != object:
        if pd.api.types.is_complex_dtype(col):
            raise ValidationError("must be a real number", table=table, column=column)
        return
    for i, v in enumerate(col.to_numpy(dtype=object)):
        if isinstance(v, bool | np.bool_ | complex | np.complexfloating):
            raise ValidationError(
                "must be a real number, not true/false or complex",
                table=table,
                column=column,
                row=ids.iloc[i],
                value=v,
            )


def _degrees(table: str, df: pd.DataFrame, column: str, ids: pd.Series) -> np.ndarray:
    col = df[column]
    if pd.api.types.is_bool_dtype(col):
        raise ValidationError(
            "must be a number of degrees, not true/false", table=table, column=column
        )
    _no_odd_numbers(table, column, col, ids)
    if pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype=float, na_value=np.nan)
    else:
        values = np.array(pd.to_numeric(col, errors="coerce"), dtype=float)  # a writable copy
        text_rows = np.flatnonzero(np.isnan(values) & col.notna().to_numpy())
        for i in text_rows:  # degrees-minutes-seconds and other text, parsed one by one
            values[i] = _parse_degree(table, column, ids.iloc[i], col.iloc[i])
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "is missing" if pd.isna(col.iloc[i]) else "must be a finite number"
        raise ValidationError(
            f"{what}; give decimal degrees (WGS84)",
            table=table,
            column=column,
            row=ids.iloc[i],
            value=None if pd.isna(col.iloc[i]) else col.iloc[i],
        )
    return values


def _parse_degree(table: str, column: str, row: Any, text: Any) -> float:
    from geopy.point import Point

    raw = str(text).strip()
    try:
        # geopy parses a "lat, lon" pair; give it this value and a zero partner
        lat, lon = (raw, "0") if column == "lat" else ("0", raw)
        p = Point(f"{lat}, {lon}")
        return float(p.latitude if column == "lat" else p.longitude)
    except ValueError as exc:
        raise ValidationError(
            "is not a number of degrees; write decimal degrees like 16.43",
            table=table,
            column=column,
            row=row,
            value=text,
        ) from exc


def _check_ranges(table: str, lat: np.ndarray, lon: np.ndarray, ids: pd.Series) -> None:
    bad_lat = np.abs(lat) > 90
    if bad_lat.any():
        i = int(np.flatnonzero(bad_lat)[0])
        hint = (
            "; lat and lon look swapped (Thailand is near lat 15, lon 101)"
            if abs(lon[i]) <= 90
            else ""
        )
        raise ValidationError(
            f"latitude must be in [-90, 90]{hint}",
            table=table,
            column="lat",
            row=ids.iloc[i],
            value=float(lat[i]),
        )
    _reject(
        np.abs(lon) > 180,
        "longitude must be in [-180, 180]",
        table=table,
        column="lon",
        ids=ids,
        values=lon,
    )


def _capacity(df: pd.DataFrame, ids: pd.Series, default: int) -> np.ndarray:
    if "capacity" not in df.columns:
        return np.full(len(df), default, dtype=np.int64)
    col = df["capacity"]
    if pd.api.types.is_bool_dtype(col):
        raise ValidationError(
            "must be a whole number >= 0, not true/false", table="officers", column="capacity"
        )
    _no_odd_numbers("officers", "capacity", col, ids)
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    text = np.isnan(values) & col.notna().to_numpy()
    text &= col.astype(str).str.strip().ne("").to_numpy()
    values = np.where(np.isnan(values), default, values)
    bad = text | ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    _reject(
        bad, "must be a whole number >= 0", table="officers", column="capacity", ids=ids, values=col
    )
    _reject(
        values > MAX_CAPACITY,
        f"must be at most {MAX_CAPACITY:,} households",
        table="officers",
        column="capacity",
        ids=ids,
        values=col,
    )
    return values.astype(np.int64)


def _flags(df: pd.DataFrame, ids: pd.Series, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.zeros(len(df), dtype=bool)
    col = df[column]
    if pd.api.types.is_bool_dtype(col) and not col.isna().any():
        return col.to_numpy(dtype=bool)
    text = col.astype(str).str.strip().str.casefold().to_numpy(dtype=object)
    missing = col.isna().to_numpy()
    out = np.zeros(len(df), dtype=bool)
    for i, t in enumerate(text):
        if missing[i]:
            continue
        if t in _TRUE:
            out[i] = True
        elif t not in _FALSE:
            raise ValidationError(
                "must be true or false (or 1/0, yes/no)",
                table="households",
                column=column,
                row=ids.iloc[i],
                value=col.iloc[i],
            )
    return out


def validate_officers(
    officers: Any, *, default_capacity: int = 2, need_coordinates: bool = True
) -> pd.DataFrame:
    """Check the officers table and return a normalised copy.

    Returns
    -------
    pandas.DataFrame
        The caller's columns (extras kept) with ``officer_id`` untouched,
        ``agency`` and ``district`` as stripped text, ``lat``/``lon`` as
        float degrees, and ``capacity`` as int (filled with
        ``default_capacity``).

    Raises
    ------
    ValidationError
        Naming the table, column, row (officer id) and value at fault.

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
    kuseo_match.errors.ValidationError: officers: column 'capacity', row '1', value -1: must be \
a whole number >= 0
    """
    df = _require_frame("officers", officers)
    _require_columns("officers", df, ("officer_id", "agency", "district"))
    ids = _ids("officers", df, "officer_id")
    out = df.copy()
    out["agency"] = _text("officers", df, "agency", ids)
    out["district"] = _text("officers", df, "district", ids)
    if need_coordinates or {"lat", "lon"} & set(df.columns) or "coordinates" in df.columns:
        out["lat"], out["lon"] = _coordinates("officers", df, ids)
    out["capacity"] = _capacity(df, ids, default_capacity)
    return out.reset_index(drop=True)


def validate_households(households: Any, *, need_coordinates: bool = True) -> pd.DataFrame:
    """Check the households table and return a normalised copy.

    ``kind`` is normalised to ``developable``/``welfare``; need flags become
    bool columns (all five present, missing ones False).

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
    out = df.copy()
    kinds = pd.Series(_text("households", df, "kind", ids))
    normal = kinds.str.casefold().map(KIND_ALIASES)
    _reject(
        normal.isna().to_numpy(),
        "unknown kind; use 'developable' (พัฒนาได้) or 'welfare' (สงเคราะห์)",
        table="households",
        column="kind",
        ids=ids,
        values=kinds,
    )
    out["kind"] = normal.to_numpy(dtype=object)
    out["district"] = _text("households", df, "district", ids)
    if need_coordinates or {"lat", "lon"} & set(df.columns) or "coordinates" in df.columns:
        out["lat"], out["lon"] = _coordinates("households", df, ids)
    for col in NEED_COLUMNS:
        out[col] = _flags(df, ids, col)
    return out.reset_index(drop=True)


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
    id_column = {"officers": "officer_id", "households": "household_id"}[table]
    df = _require_frame(table, frame)
    _require_columns(table, df, (id_column,))
    ids = _ids(table, df, id_column)
    has_columns = {"lat", "lon"} <= set(df.columns) or "coordinates" in df.columns
    try:
        if not has_columns and not strict:
            raise ValidationError("no coordinates", table=table)
        lat, lon = _coordinates(table, df, ids)
    except ValidationError:
        if strict:
            raise
        lat, lon = np.full(len(df), np.nan), np.full(len(df), np.nan)
        for i in range(len(df) if has_columns else 0):  # row by row: keep the good ones
            try:
                lat[i : i + 1], lon[i : i + 1] = _coordinates(table, df.iloc[i : i + 1], ids[i:])
            except ValidationError:
                continue
    return pd.DataFrame({id_column: df[id_column].to_numpy(), "lat": lat, "lon": lon})


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
    df = _require_frame("households", households)
    _require_columns("households", df, ("household_id",))
    ids = _ids("households", df, "household_id")
    out = pd.DataFrame({"household_id": df["household_id"].to_numpy()})
    for col in NEED_COLUMNS:
        out[col] = _flags(df, ids, col)
    return out


def validate_pairs(
    pairs: Any,
    officer_keys: pd.Index,
    household_keys: pd.Index,
    *,
    table: str = "pairs",
    with_cost: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check a table of ``officer_id, household_id`` (and ``cost``) pairs.

    Parameters
    ----------
    officer_keys, household_keys : pandas.Index
        The ids of the validated tables, as text (``str(id)``), in table order.

    Returns
    -------
    officer_index, household_index : numpy.ndarray of int, shape (n_pairs,)
        Row positions in the officers and households tables.
    cost : numpy.ndarray of float or None
        The ``cost`` column when ``with_cost``.
    """
    df = _require_frame(table, pairs)
    cols = ("officer_id", "household_id", "cost") if with_cost else ("officer_id", "household_id")
    _require_columns(table, df, cols)
    o = officer_keys.get_indexer(df["officer_id"].astype(str))
    h = household_keys.get_indexer(df["household_id"].astype(str))
    for idx, col, what in ((o, "officer_id", "officers"), (h, "household_id", "households")):
        bad = idx < 0
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValidationError(
                f"id not found in the {what} table ({int(bad.sum())} row(s) like this)",
                table=table,
                column=col,
                row=i,
                value=df[col].iloc[i],
            )
    dup = pd.DataFrame({"o": o, "h": h}).duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise ValidationError(
            f"pair ({df['officer_id'].iloc[i]!r}, {df['household_id'].iloc[i]!r}) appears "
            "twice; give each pair once",
            table=table,
            row=i,
        )
    cost = None
    if with_cost:
        col = df["cost"]
        if pd.api.types.is_bool_dtype(col):
            raise ValidationError("must be a number, not true/false", table=table, column="cost")
        _no_odd_numbers(table, "cost", col, pd.Series(np.arange(len(df))))
        cost = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(cost) | (cost < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValidationError(
                "cost must be a finite number >= 0",
                table=table,
                column="cost",
                row=i,
                value=col.iloc[i],
            )
    return o.astype(np.int64), h.astype(np.int64), cost


def validate_costs(
    costs: Any, officer_keys: pd.Index, household_keys: pd.Index
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a ``costs`` table (see :func:`validate_pairs`); returns indices and costs."""
    o, h, c = validate_pairs(costs, officer_keys, household_keys, table="costs", with_cost=True)
    assert c is not None
    return o, h, c
