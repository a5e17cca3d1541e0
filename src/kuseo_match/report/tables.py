"""Summary tables of a result: per district (:func:`district_summary`) and per need
(:func:`need_coverage`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..fit import NEEDS, default_fit_table
from ..labels import NEED_LABELS
from ..result import Result
from ..schema import need_flags
from .inputs import canonical, officer_capacity, reference_districts, require, result_households

#: Least fit-table competence that counts an agency as competent in a need.
COMPETENT = 0.5


def district_summary(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    *,
    districts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per district with households or officers: counts, slots, distances.

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The frames given to :func:`kuseo_match.match` (not changed).  Officers
        are counted from ``result.officer_load`` when it is filled, else from
        ``officers`` (``capacity`` missing or empty: ``result.policy.capacity``).
    districts : pandas.DataFrame, optional
        District names (``district_code``, ``district_th``, ``district_en``);
        default :func:`kuseo_match.reference.districts`.

    Returns
    -------
    pandas.DataFrame
        Columns ``district_code``, ``district_th``, ``district_en`` (NA when
        unknown), ``households``, ``officers``, ``slots`` (sum of officers'
        capacity), ``paired``, ``unmatched`` (households of the district),
        ``mean_km`` (mean pair distance of its households, NaN without
        pairs); sorted by ``district_code``.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> table = district_summary(km.match(o, h), o, h)
    >>> int(table["paired"].sum() + table["unmatched"].sum())
    40
    """
    officers = canonical(officers, "officers")
    households = canonical(households, "households")
    hh = result_households(result)
    staff = officer_capacity(result, officers)
    by_h = hh.groupby("district")["paired"].agg(households="size", paired="sum")
    by_o = staff.groupby("district").agg(officers=("officer_id", "size"), slots=("capacity", "sum"))
    dist = pd.to_numeric(result.pairs["distance_km"], errors="coerce")
    mean_km = dist.groupby(result.pairs["household_district"].to_numpy()).mean()
    codes = sorted(set(by_h.index.astype(str)) | set(by_o.index.astype(str)))
    out = pd.DataFrame({"district_code": codes})
    out["households"] = out["district_code"].map(by_h["households"]).fillna(0).astype(int)
    out["officers"] = out["district_code"].map(by_o["officers"]).fillna(0).astype(int)
    out["slots"] = out["district_code"].map(by_o["slots"]).fillna(0).astype(int)
    out["paired"] = out["district_code"].map(by_h["paired"]).fillna(0).astype(int)
    out["unmatched"] = out["households"] - out["paired"]
    out["mean_km"] = out["district_code"].map(mean_km).astype(float)
    prices = result.prices_by_district().set_index("district")
    out["mean_price"] = out["district_code"].map(prices["mean_price"]).astype(float)
    out["top_price"] = out["district_code"].map(prices["top_price"]).astype(float)
    names = reference_districts(districts)
    if names is not None:
        lookup = names.drop_duplicates("district_code").set_index("district_code")
        out.insert(1, "district_th", out["district_code"].map(lookup["district_th"]))
        out.insert(2, "district_en", out["district_code"].map(lookup["district_en"]))
    else:
        out.insert(1, "district_th", pd.NA)
        out.insert(2, "district_en", pd.NA)
    return out


def need_coverage(result: Result, households: pd.DataFrame) -> pd.DataFrame:
    """Households with each need, how many are paired, and how many with a competent agency.

    An officer is *competent* in a need when the fit table of
    ``result.policy`` (the shipped default when it has none) gives the
    officer's agency a competence of at least 0.5 in it; agencies that are
    not in the fit table are never counted as competent.

    Parameters
    ----------
    result : Result
        A matching result.
    households : pandas.DataFrame
        The households frame given to :func:`kuseo_match.match` (not
        changed); need columns (:data:`NEED_LABELS`) that it lacks are left
        out.  Only households of the result are counted.

    Returns
    -------
    pandas.DataFrame
        One row per need: ``need`` (column name), ``label_th``,
        ``label_en``, ``households`` (with that need), ``paired`` (of those,
        paired), ``competent`` (of those, paired with a competent officer),
        ``share_paired`` and ``share_competent`` (divided by ``households``;
        NaN when no household has the need).

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> cover = need_coverage(km.match(o, h), h)
    >>> list(cover["need"])
    ['need_health', 'need_living', 'need_education', 'need_income', 'need_access']
    >>> bool((cover["competent"] <= cover["paired"]).all())
    True
    """
    households = canonical(households, "households")
    require(households, "households", ("household_id",), "the report needs it")
    hh = result_households(result)[["household_id", "paired"]]
    present = [need for need in NEED_LABELS if need in households.columns]
    needs = need_flags(households)[["household_id", *present]]
    agency = result.pairs[["household_id", "agency"]].drop_duplicates("household_id")
    joined = hh.merge(needs, on="household_id", how="left").merge(
        agency, on="household_id", how="left"
    )
    table = default_fit_table() if result.policy.fit_table is None else result.policy.fit_table
    row = table.resolve(joined["agency"].fillna("").to_numpy(dtype=object))
    known = joined["paired"].to_numpy(dtype=bool) & (row >= 0)
    competence = np.where(known[:, None], table.competence[np.maximum(row, 0)], 0.0)
    paired = joined["paired"].to_numpy(dtype=bool)
    rows = []
    for need in present:
        has = joined[need].fillna(False).to_numpy(dtype=bool)
        skill = competence[:, NEEDS.index(need.removeprefix("need_"))]
        n = int(has.sum())
        n_paired = int(paired[has].sum())
        n_competent = int((skill[has] >= COMPETENT).sum())
        label_th, label_en = NEED_LABELS[need]
        rows.append(
            {
                "need": need,
                "label_th": label_th,
                "label_en": label_en,
                "households": n,
                "paired": n_paired,
                "competent": n_competent,
                "share_paired": n_paired / n if n else float("nan"),
                "share_competent": n_competent / n if n else float("nan"),
            }
        )
    columns = [
        "need",
        "label_th",
        "label_en",
        "households",
        "paired",
        "competent",
        "share_paired",
        "share_competent",
    ]
    return pd.DataFrame(rows, columns=columns)
