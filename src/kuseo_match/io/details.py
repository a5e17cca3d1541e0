"""Pair lists with the input tables' other columns, and district names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..schema import (
    canonical_columns,
    contract_names,
    id_keys,
)
from .write import plain_value

if TYPE_CHECKING:
    pass


def with_details(
    frame: pd.DataFrame,
    officers: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``frame`` (pairs or unmatched households) with the input tables' other columns.

    Every column of ``officers`` outside the data contract is joined by
    ``officer_id`` as ``officer_<column>``, and every such column of
    ``households`` by ``household_id`` as ``household_<column>`` (a column
    already named ``officer_...``/``household_...`` keeps its name), so that
    a pair list shows, say, the officer's name and phone next to the
    household's village.  Ids are matched as text; a name already taken gets
    a number (``officer_name_2``).  Rows whose id is not in the table get
    empty cells.  ``frame`` is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"officer_id": ["O1"], "household_id": [7], "cost": [1.5]})
    >>> officers = pd.DataFrame({"officer_id": ["O1"], "agency": ["interior"],
    ...                          "district": ["TH4001"], "name": ["Somchai"]})
    >>> households = pd.DataFrame({"household_id": ["7"], "kind": ["welfare"],
    ...                            "village": ["Ban Non"]})
    >>> with_details(pairs, officers, households).columns.tolist()
    ['officer_id', 'household_id', 'cost', 'officer_name', 'household_village']
    >>> with_details(pairs, officers, households)["household_village"].tolist()
    ['Ban Non']
    """
    out = frame.copy()
    for role, table in (("officer", officers), ("household", households)):
        key = f"{role}_id"
        if table is not None:
            table = canonical_columns(table, f"{role}s")  # alias headers, as validation reads them
        if table is None or key not in table.columns or key not in out.columns:
            continue
        names = _detail_names(table, role, set(out.columns))
        if not names:
            continue
        keys = id_keys(table[key])  # ids as validation reads them (Thai digits, hidden marks)
        first = ~keys.duplicated()
        table = table[first].reset_index(drop=True)
        rows = keys[first].get_indexer(id_keys(out[key]))
        for name, column in names:
            out[name] = table[column].reindex(rows).to_numpy()
    return out


#: Columns of pair lists that hold districts.
_DISTRICT_COLUMNS = ("officer_district", "household_district", "district")


def with_district_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the Thai and English names of its districts beside the codes.

    After each of the columns ``officer_district``, ``household_district``
    and ``district`` that holds codes of the shipped district table, the
    columns ``<column>_th`` and ``<column>_en`` give the names (empty for a
    label that is not a code).  ``frame`` is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"household_id": ["H1", "H2"],
    ...                       "household_district": ["TH4002", "my zone"]})
    >>> with_district_names(pairs).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'household_id': ['H1', 'H2'], 'household_district': ['TH4002', 'my zone'],
     'household_district_th': ['บ้านฝาง', nan], 'household_district_en': ['Ban Fang', nan]}
    """
    from ..reference import districts

    out = frame.copy()
    table = districts().set_index("district_code")
    for column in _DISTRICT_COLUMNS:
        if column not in out.columns or f"{column}_th" in out.columns:
            continue
        codes = out[column].astype(str)
        known = codes.isin(table.index)
        if not known.any():
            continue
        at = out.columns.get_loc(column) + 1
        for suffix, source in (("th", "district_th"), ("en", "district_en")):
            names = codes.map(table[source]).where(known)
            out.insert(at, f"{column}_{suffix}", names.to_numpy(dtype=object))
            at += 1
    return out


def _detail_names(table: pd.DataFrame, role: str, taken: set[str]) -> list[tuple[str, Any]]:
    """``(output name, column)`` of the columns of an input table outside the data
    contract, named as :func:`with_details` names them (avoiding ``taken``)."""
    names = []
    read = contract_names(table, f"{role}s")
    for column in table.columns:
        if read.get(column, "province") != "province":
            continue  # validation reads it (by name or alias); the province is shown
        name = str(column) if str(column).startswith(f"{role}_") else f"{role}_{column}"
        base, n = name, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        names.append((name, column))
    return names


def details_by_id(table: pd.DataFrame | None, role: str, taken: set[str]) -> dict[str, dict]:
    """``str(id) -> {output name: value}`` of the detail columns (first row per id)."""
    if table is not None:
        table = canonical_columns(table, f"{role}s")
    names = [] if table is None else _detail_names(table, role, set(taken))
    return {
        key: {name: plain_value(record[column]) for name, column in names}
        for key, record in (first_by_id(table, f"{role}_id") if names else {}).items()
    }


def first_by_id(frame: pd.DataFrame | None, id_column: str) -> dict[str, dict[str, Any]]:
    if frame is None or id_column not in frame.columns or not len(frame):
        return {}
    keys = id_keys(frame[id_column])
    first = ~keys.duplicated()
    records = frame[first].to_dict("records")
    return dict(zip(keys[first], records, strict=True))
