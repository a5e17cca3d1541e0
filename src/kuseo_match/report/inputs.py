"""The caller's frames and the result, read the way the report needs them.

Also the size above which every output shows districts instead of
households (:data:`AGGREGATE_HOUSEHOLDS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..result import Result
from ..schema import canonical_columns
from ..synth import SYNTHETIC_COLUMN

#: Households above which the map, the report and ``kuseo-match``'s
#: ``pairs.geojson`` show districts and provinces instead of every household
#: (see the module text); the ``aggregate_above`` default of :func:`plot_map`
#: and :func:`render_report`.
AGGREGATE_HOUSEHOLDS = 20_000


_TRUE_TEXT = frozenset({"true", "1", "1.0"})  # how True comes back from a CSV


def reference_districts(districts: pd.DataFrame | None) -> pd.DataFrame:
    from ..reference import districts as load_districts

    return load_districts() if districts is None else districts


def reference_boundaries(boundaries: Mapping[str, Any] | None) -> Mapping[str, Any]:
    from ..reference import khon_kaen_geojson

    return khon_kaen_geojson() if boundaries is None else boundaries


def province_of(district: Any) -> str:
    return str(district)[:4]


def require(frame: pd.DataFrame, table: str, columns: Iterable[str], why: str) -> None:
    for column in columns:
        if column not in frame.columns:
            raise ValidationError(f"missing column; {why}", table=table, column=column)


def is_synthetic(officers: pd.DataFrame | None, households: pd.DataFrame | None) -> bool:
    """Whether the officers or the households are marked as made up by :mod:`kuseo_match.synth`.

    A frame is marked when it has at least one row and a ``synthetic`` column
    (:data:`kuseo_match.synth.SYNTHETIC_COLUMN`) whose every value reads as
    true: ``True`` or ``1``, or the text ``"true"`` (any case), ``"1"`` or
    ``"1.0"`` as a CSV read gives it back.  An empty cell (NaN, None,
    ``""``) or any other value on any row means not marked.

    Parameters
    ----------
    officers, households : pandas.DataFrame or None
        The input tables (not changed); None stands for a table not given.

    Returns
    -------
    bool
        True when at least one of the two frames is marked.

    Examples
    --------
    >>> import pandas as pd
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=3, households=4)
    >>> is_synthetic(o, h), is_synthetic(o.drop(columns="synthetic"), None)
    (True, False)
    >>> is_synthetic(None, pd.DataFrame({"synthetic": ["True", "1", " true "]}))
    True
    >>> is_synthetic(None, pd.DataFrame({"synthetic": [True, None]}))
    False
    """
    return _marked(officers) or _marked(households)


def canonical(frame: pd.DataFrame | None, table: str) -> pd.DataFrame | None:
    """A caller's table with its alias headers (``ละติจูด``, ``รหัสครัวเรือน`` ...) read
    as the data contract's names, as validation reads them."""
    return None if frame is None else canonical_columns(frame, table)


def _marked(frame: pd.DataFrame | None) -> bool:
    if frame is None or frame.empty or SYNTHETIC_COLUMN not in frame.columns:
        return False
    text = frame[SYNTHETIC_COLUMN].astype(str).str.strip().str.lower()
    return bool(text.isin(_TRUE_TEXT).all())


def result_households(result: Result) -> pd.DataFrame:
    """Every household of the result: household_id, kind, district, paired (bool)."""
    paired = pd.DataFrame(
        {
            "household_id": result.pairs["household_id"].to_numpy(),
            "kind": result.pairs["kind"].to_numpy(),
            "district": result.pairs["household_district"].to_numpy(),
            "paired": True,
        }
    )
    unmatched = pd.DataFrame(
        {
            "household_id": result.unmatched["household_id"].to_numpy(),
            "kind": result.unmatched["kind"].to_numpy(),
            "district": result.unmatched["household_district"].to_numpy(),
            "paired": False,
        }
    )
    frames = [f for f in (paired, unmatched) if len(f)]
    if not frames:
        return paired
    return pd.concat(frames, ignore_index=True)


def officer_capacity(result: Result, officers: pd.DataFrame) -> pd.DataFrame:
    """officer_id, district, capacity, load for every officer."""
    load_table = result.officer_load
    if len(load_table):
        out = load_table[["officer_id", "district", "capacity", "load"]].copy()
    else:
        require(officers, "officers", ("officer_id", "district"), "the report needs it")
        cap = (
            officers["capacity"]
            if "capacity" in officers.columns
            else pd.Series(np.nan, index=officers.index)
        )
        out = pd.DataFrame(
            {
                "officer_id": officers["officer_id"].to_numpy(),
                "district": officers["district"].to_numpy(),
                "capacity": cap.to_numpy(dtype=float),
            }
        )
        counts = result.pairs.groupby("officer_id").size()
        out["load"] = out["officer_id"].map(counts).fillna(0).astype(int)
    out["capacity"] = (
        pd.to_numeric(out["capacity"], errors="coerce").fillna(result.policy.capacity).astype(int)
    )
    return out
