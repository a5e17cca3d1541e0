"""``plan_capacity``: how many officers each district must send so every household is covered.

Before a new programme round the question is "how many civil servants must
each district send?".  :func:`plan_capacity` answers it: the fewest
additional officers, each based at a candidate *site* (by default one per
district, at the district's centroid) and taking ``capacity`` households,
so that a pairing covers every household that any officer could reach,
given the officers already there.

Method:

* **no limit on reach** (no ``max_distance_km``, no ``same_district``): any
  officer can take any household, so the fewest is ``ceil(uncovered /
  capacity)`` with ``uncovered`` the households the present officers cannot
  cover (a proven maximum); they go to the districts with most uncovered
  households (largest remainders);
* **limited reach**: an integer program over the sparse pairs within reach
  (present officers' and sites'): every reachable household paired once,
  present officers within capacity, a site's households at most ``capacity``
  times its new officers, fewest new officers (then, as a tie rule worth less
  than one officer, households nearest their site); solved exactly by HiGHS
  (:func:`scipy.optimize.milp`).  A time limit stops it with the gap to its
  bound in ``attrs["gap"]``.

Households that neither a present officer nor any site can reach are listed
in ``attrs["unreachable"]``: no number of officers at these sites covers them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree

from .answer import answer
from .errors import ValidationError
from .geo import chord_from_km, haversine_km, to_xyz
from .instance import Instance, as_policy, prepare, solve
from .parts import check_executor
from .policy import Policy
from .reference import districts as district_table
from .schema import source_of, validate_sites
from .solve import SolveOptions
from .solve.model import is_listed

__all__ = ["plan_capacity"]

PLAN_COLUMNS = (
    "site_id",
    "district",
    "lat",
    "lon",
    "officers",
    "slots",
    "households",
    "uncovered",
    "new_officers",
    "top_price",
)


def _sites(sites: Any, households: pd.DataFrame) -> pd.DataFrame:
    """The candidate sites: the caller's, checked (:func:`~kuseo_match.schema.validate_sites`;
    their districts read as the households' are), or one per district of ``households``."""
    if sites is not None:
        return validate_sites(sites, households=households)
    ref = district_table().set_index("district_code")
    rows = []
    for d, part in households.groupby("district", sort=True):
        if d in ref.index:
            lat, lon = float(ref.at[d, "lat"]), float(ref.at[d, "lon"])
        else:  # a label that is not a shipped district: its households' middle
            lat, lon = float(part["lat"].median()), float(part["lon"].median())
        rows.append((str(d), str(d), lat, lon))
    return pd.DataFrame(rows, columns=["site_id", "district", "lat", "lon"])


def plan_capacity(
    households: pd.DataFrame,
    *,
    officers: pd.DataFrame | None = None,
    policy: Policy | None = None,
    capacity: int = 2,
    sites: pd.DataFrame | None = None,
    time_limit: float | None = 60.0,
    costs: pd.DataFrame | None = None,
    locked: pd.DataFrame | None = None,
    forbidden: pd.DataFrame | None = None,
    options: SolveOptions | None = None,
    executor: Any = None,
) -> pd.DataFrame:
    """The fewest additional officers per site so that every reachable household is covered.

    Parameters
    ----------
    households : pandas.DataFrame
        As for :func:`~kuseo_match.match`.
    officers : pandas.DataFrame, optional
        The officers already there (none by default).
    policy : Policy, optional
        Its reach (``max_distance_km``, ``same_district``) applies to new officers too.
    capacity : int, default 2
        Households each new officer takes.
    sites : pandas.DataFrame, optional
        ``site_id, district, lat, lon`` (or ``coordinates``; alias headers as
        for officers) where new officers may be based (for example district
        offices); default: each district's centroid.  Checked as
        :func:`kuseo_match.schema.validate_sites` does: a district may be
        written as a code or a Thai or English name, as in the tables.
    time_limit : float or None, default 60
        Seconds for the integer program (limited reach only).
    costs, locked, forbidden, options, executor
        As for :func:`~kuseo_match.match`, for the officers already there: they
        cover what they may under these rules (only the pairs of ``costs`` when
        given; locked pairs kept; forbidden pairs never).  New officers reach
        households by the policy's geography.

    Returns
    -------
    pandas.DataFrame
        One row per site: ``site_id``, ``district``, ``lat``, ``lon``,
        ``officers`` and ``slots`` already in the district, ``households`` of
        the district, ``uncovered`` (households of the district the present
        officers leave unmatched), ``new_officers`` (the plan) and
        ``top_price`` (the dearest present officer's price in the district:
        what one more slot there saves at most, NaN without officers).
        ``attrs``: ``total`` new officers, ``method``, ``status``
        (``"optimal"`` or ``"feasible"``), ``gap``, ``unreachable`` (household ids).
        The ``plan`` command writes it as ``plan.csv`` with each district's
        Thai and English names beside its code
        (:func:`kuseo_match.io.with_district_names`).

    Raises
    ------
    ValidationError
        As :func:`~kuseo_match.match` does for the tables and rules; when the
        households table has no rows (there is nothing to plan for) or no
        positions; for a bad ``capacity`` or sites table.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=10, households=60, seed=1)
    >>> plan = km.plan_capacity(h, officers=o, capacity=2)
    >>> int(plan["new_officers"].sum()), plan.attrs["method"]
    (20, 'arithmetic: any officer can reach any household')
    """
    policy = as_policy(policy)
    check_executor(executor)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        raise ValidationError("must be a whole number >= 1", table="capacity", value=capacity)
    if officers is None:
        officers = pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ("officer_id", "agency", "district")}
            | {"lat": pd.Series(dtype=float), "lon": pd.Series(dtype=float)}
        )
    instance = prepare(
        officers,
        households,
        policy,
        costs=costs,
        locked=locked,
        forbidden=forbidden,
        options=options,
    )  # the one road: the present officers' pairs follow every rule of a match
    if len(instance.problem.households) == 0:
        source = source_of(households)
        raise ValidationError(
            "has no rows; plan_capacity plans new officers for households: give at least one",
            table="households",
            file=None if source is None else source.label,
        )
    if not {"lat", "lon"} <= set(instance.problem.households.columns):
        raise ValidationError(
            "plan_capacity places new officers by position: the households need lat and lon",
            table="households",
        )
    problem = instance.problem
    o, h = problem.officers, problem.households
    site = _sites(sites, h)
    present = answer(instance, *solve(instance, executor=executor))
    uncovered_ids = set(present.unmatched["household_id"].astype(str))
    h_id = h["household_id"].astype(str).to_numpy()
    lost = np.array([x in uncovered_ids for x in h_id])
    table = site.copy()
    slots = pd.Series(o["capacity"].to_numpy(), index=o["district"].to_numpy()).groupby(level=0)
    table["officers"] = table["district"].map(slots.size()).fillna(0).astype(int)
    table["slots"] = table["district"].map(slots.sum()).fillna(0).astype(int)
    table["households"] = table["district"].map(h["district"].value_counts()).fillna(0).astype(int)
    table["uncovered"] = (
        table["district"]
        .map(pd.Series(h["district"].to_numpy()[lost]).value_counts())
        .fillna(0)
        .astype(int)
    )
    prices = present.prices_by_district()
    top = prices.set_index("district")["top_price"] if len(prices) else pd.Series(dtype=float)
    table["top_price"] = table["district"].map(top)
    free_reach = policy.max_distance_km is None and not policy.same_district
    if free_reach:
        need = math.ceil(int(lost.sum()) / capacity)
        table["new_officers"] = _largest_remainders(table["uncovered"].to_numpy(), capacity, need)
        attrs = {
            "total": need,
            "method": "arithmetic: any officer can reach any household",
            "status": "optimal",
            "gap": 0.0,
            "unreachable": [],
        }
    else:
        new, attrs = _program(instance, site, capacity, time_limit)
        table["new_officers"] = new
    table = table[list(PLAN_COLUMNS)]
    table.attrs.update(attrs)
    return table


def _largest_remainders(uncovered: np.ndarray, capacity: int, total: int) -> np.ndarray:
    """``total`` officers over sites in proportion to their uncovered households."""
    base = uncovered // capacity
    left = total - int(base.sum())
    order = np.lexsort((np.arange(len(uncovered)), -(uncovered % capacity)))
    base[order[: max(left, 0)]] += 1
    return base


def _program(instance: Instance, site: pd.DataFrame, capacity: int, time_limit):
    """The integer program of the limited-reach case (see the module text)."""
    problem, policy, model = instance.problem, instance.policy, instance.model
    o, h = problem.officers, problem.households
    n_h, n_o, n_s = len(h), len(o), len(site)
    reach = np.inf if policy.max_distance_km is None else policy.max_distance_km
    h_lat, h_lon = h["lat"].to_numpy(float), h["lon"].to_numpy(float)

    h_xyz = to_xyz(h_lat, h_lon)
    tree = cKDTree(h_xyz)
    h_district = h["district"].to_numpy(str)

    def pairs(lat, lon, district, cap):
        """Pairs (row, household) within reach, sparse: a ball query on the households."""
        rows = np.flatnonzero(np.asarray(cap) > 0)
        if np.isfinite(reach):
            chord = float(chord_from_km(reach)) * (1 + 1e-9) + 1e-9
            hits = tree.query_ball_point(to_xyz(lat[rows], lon[rows]), chord)
            r = np.repeat(rows, [len(x) for x in hits])
            c = np.array([j for x in hits for j in x], dtype=np.int64)
        else:  # same_district only: every household of the district
            by = pd.Series(np.arange(n_h)).groupby(h_district).apply(list)
            lists = [by.get(str(d), []) for d in np.asarray(district, dtype=str)[rows]]
            r = np.repeat(rows, [len(x) for x in lists])
            c = np.array([j for x in lists for j in x], dtype=np.int64)
        if len(r) and np.isfinite(reach):  # the exact distance, as the matcher measures it
            keep = haversine_km(lat[r], lon[r], h_lat[c], h_lon[c]) <= reach
            r, c = r[keep], c[keep]
        if policy.same_district and len(r):
            keep = np.asarray(district, dtype=str)[r] == h_district[c]
            r, c = r[keep], c[keep]
        return r.astype(np.int64), c

    # the present officers: the pairs a match allows (costs, forbidden, rules), the
    # locked pairs kept (their households covered, their officers' slots taken)
    rules = instance.rules
    room = problem.capacity - np.bincount(rules.locked_o, minlength=n_o)
    if is_listed(model):
        oo, oh = model.all_pairs()
    else:
        oo, oh = pairs(
            o["lat"].to_numpy(float), o["lon"].to_numpy(float), o["district"], problem.capacity
        )
        allowed = model.costs(oo, oh).allowed
        oo, oh = oo[allowed], oh[allowed]
    free = (room[oo] > 0) & ~np.isin(oh, rules.locked_h)
    oo, oh = oo[free], oh[free]
    ss, sh = pairs(
        site["lat"].to_numpy(float), site["lon"].to_numpy(float), site["district"], np.ones(n_s)
    )
    covered = np.zeros(n_h, bool)
    covered[oh] = covered[sh] = True
    locked_h = np.zeros(n_h, bool)
    locked_h[rules.locked_h] = True
    ss, sh = ss[~locked_h[sh]], sh[~locked_h[sh]]  # a locked household has its officer
    unreachable = h["household_id"].to_numpy()[~covered & ~locked_h].tolist()
    covered &= ~locked_h
    m1, m2 = len(oo), len(ss)
    n = m1 + m2 + n_s
    cols = np.arange(m1 + m2)
    every = coo_matrix((np.ones(m1 + m2), (np.r_[oh, sh], cols)), shape=(n_h, n))
    load = coo_matrix((np.ones(m1), (oo, np.arange(m1))), shape=(max(n_o, 1), n))
    site_rows = np.r_[ss, np.arange(n_s)]
    site_cols = np.r_[m1 + np.arange(m2), m1 + m2 + np.arange(n_s)]
    site_vals = np.r_[np.ones(m2), -capacity * np.ones(n_s)]
    per_site = coo_matrix((site_vals, (site_rows, site_cols)), shape=(n_s, n))
    once = covered.astype(float)
    constraints = [
        LinearConstraint(every, once, once),
        LinearConstraint(per_site, -np.inf, 0),
    ]
    if n_o:
        constraints.append(LinearConstraint(load, 0, room.astype(float)))
    # fewest officers first; among those, households nearest their site (a tie rule worth
    # less than one officer in all)
    site_km = haversine_km(
        site["lat"].to_numpy(float)[ss], site["lon"].to_numpy(float)[ss], h_lat[sh], h_lon[sh]
    )
    tie = site_km / (2.0 * max(n_h, 1) * max(float(site_km.max(initial=0.0)), 1.0))
    cost = np.r_[np.zeros(m1), tie, np.ones(n_s)]
    upper = np.r_[np.ones(m1 + m2), np.full(n_s, math.ceil(n_h / capacity))]
    options = {} if time_limit is None else {"time_limit": float(time_limit)}
    res = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), upper),
        options=options,
    )
    if res.x is None:  # pragma: no cover - the program is always feasible
        raise ValidationError(f"the capacity plan found no answer: {res.message}", table="plan")
    new = np.rint(res.x[m1 + m2 :]).astype(int)
    total = int(new.sum())
    bound = getattr(res, "mip_dual_bound", None)  # of officers plus the tie term (< 1)
    gap = (
        0.0
        if res.status == 0
        else (
            max(total - math.ceil(bound - 1e-9), 0) / max(total, 1) if bound is not None else np.nan
        )
    )
    attrs = {
        "total": total,
        "method": f"integer program over {m1 + m2:,} pairs within reach (HiGHS)",
        "status": "optimal" if res.status == 0 else "feasible",
        "gap": gap,
        "unreachable": unreachable,
    }
    return new, attrs
