"""An independent oracle for ``kuseo_match.match``: a dense assignment problem.

The library solves a min-cost flow on sparse candidate pairs and then proves
that no excluded pair could improve the answer.  The oracle knows nothing of
that: it prices *every* officer-household pair itself (its own haversine, its
own reading of the fit table's numbers, the cost formula of
:class:`kuseo_match.Policy`) and solves the whole problem with
:func:`scipy.optimize.linear_sum_assignment` on the slot-expanded matrix:

* one row per officer *slot* (an officer of capacity 3 is three rows),
* one "unmatched" row per household, at a cost ``M`` so large that pairing
  one more household always beats any saving in cost
  (``M > n_households * max_cost + 1``),
* forbidden pairs at ``inf`` (scipy never picks them; the unmatched rows keep
  the problem feasible).

Minimising the total then maximises the number of paired households first
and the cost second -- the library's objective.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from kuseo_match import Policy, default_fit_table

#: Mean Earth radius (km) the library documents for its great-circle distance.
EARTH_RADIUS_KM = 6371.0088
#: Kind labels and what they mean (the schema's documented aliases, case-folded).
KINDS = {
    "developable": "developable",
    "welfare": "welfare",
    "พัฒนาได้": "developable",
    "สงเคราะห์": "welfare",
    "ครัวเรือนพัฒนาได้": "developable",
    "ครัวเรือนสงเคราะห์": "welfare",
}
NEEDS = ("health", "living", "education", "income", "access")
_TRUE = {"true", "t", "yes", "y", "1", "1.0", "ใช่"}


@dataclass(frozen=True)
class Optimum:
    """The oracle's answer: how many households are paired, at what least total cost."""

    n_paired: int
    cost: float
    pairs: list[tuple[int, int]]  # (officer row, household row) of one optimal pairing


# ----------------------------------------------------------------------------- the solver
def optimum(capacity: np.ndarray, cost: np.ndarray) -> Optimum:
    """Most households paired, then least total cost, over a dense cost matrix.

    Parameters
    ----------
    capacity : numpy.ndarray of int, shape (n_officers,)
    cost : numpy.ndarray of float, shape (n_officers, n_households)
        ``inf`` marks a pair that is not allowed.
    """
    capacity = np.asarray(capacity, dtype=np.int64)
    cost = np.asarray(cost, dtype=float)
    n_o, n_h = cost.shape
    if n_h == 0:
        return Optimum(0, 0.0, [])
    finite = cost[np.isfinite(cost)]
    max_cost = float(finite.max()) if finite.size else 0.0
    big = (n_h + 1) * (max_cost + 1.0)  # > n_households * max_cost + 1
    slot_officer = np.repeat(np.arange(n_o), capacity)
    matrix = np.vstack([cost[slot_officer], np.full((n_h, n_h), big)])
    rows, cols = linear_sum_assignment(matrix)
    real = rows < len(slot_officer)
    pairs = [(int(slot_officer[r]), int(c)) for r, c in zip(rows[real], cols[real], strict=True)]
    total = math.fsum(cost[o, h] for o, h in pairs)
    return Optimum(len(pairs), total, pairs)


# ----------------------------------------------------------------------------- reading raw tables
def capacities(officers: pd.DataFrame, default: int) -> np.ndarray:
    """Each officer's capacity: the ``capacity`` cell, or ``default`` where the
    column is absent or the cell is empty."""
    if "capacity" not in officers.columns:
        return np.full(len(officers), default, dtype=np.int64)
    out = []
    for value in officers["capacity"]:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out.append(default)
        elif isinstance(value, str):
            out.append(int(value) if value.strip() else default)
        else:
            out.append(int(value))
    return np.array(out, dtype=np.int64)


def haversine_matrix(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle km between every point of set 1 (rows) and set 2 (columns)."""
    p1 = np.radians(np.asarray(lat1, dtype=float))[:, None]
    p2 = np.radians(np.asarray(lat2, dtype=float))[None, :]
    dl = (
        np.radians(np.asarray(lon2, dtype=float))[None, :]
        - np.radians(np.asarray(lon1, dtype=float))[:, None]
    )
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _flag(value) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if isinstance(value, bool | np.bool_):
        return bool(value)
    return str(value).strip().casefold() in _TRUE


def _agency_rows() -> tuple[dict[str, int], np.ndarray]:
    """Name -> row of the shipped fit table (code, Thai and English names as written),
    and its numbers (developable, welfare, then the five needs)."""
    frame = default_fit_table().frame
    names: dict[str, int] = {}
    for i, row in frame.iterrows():
        for col in ("agency", "name_th", "name_en"):
            names[str(row[col])] = int(i)
    numbers = frame[["developable", "welfare", *NEEDS]].to_numpy(dtype=float)
    return names, numbers


@dataclass(frozen=True)
class BuiltinCosts:
    """The built-in cost of every pair, each array of shape (n_officers, n_households)."""

    distance_km: np.ndarray
    fit: np.ndarray
    kind_affinity: np.ndarray
    cost: np.ndarray
    allowed: np.ndarray

    def matrix(self) -> np.ndarray:
        """The cost with ``inf`` where the pair is not allowed."""
        return np.where(self.allowed, self.cost, np.inf)


def builtin_costs(
    officers: pd.DataFrame, households: pd.DataFrame, policy: Policy, capacity: np.ndarray
) -> BuiltinCosts:
    """The documented built-in cost, computed from the raw tables (default fit table)::

    cost = distance_km + fit_weight * (1 - fit) + cross_district_penalty * [districts differ]
    fit  = 0.5 * affinity[kind] + 0.5 * mean(competence[need] for flagged needs)
           (affinity alone without flags; neutral_fit for unknown agencies)
    """
    assert policy.fit_table is None, "the oracle knows only the shipped fit table"
    d = haversine_matrix(officers["lat"], officers["lon"], households["lat"], households["lon"])
    names, numbers = _agency_rows()
    agency = np.array([names.get(str(a).strip(), -1) for a in officers["agency"]])
    welfare = np.array([KINDS[str(k).strip().casefold()] == "welfare" for k in households["kind"]])
    flags = np.zeros((len(households), len(NEEDS)), dtype=bool)
    for j, need in enumerate(NEEDS):
        if f"need_{need}" in households.columns:
            flags[:, j] = [_flag(v) for v in households[f"need_{need}"]]
    n_o, n_h = len(officers), len(households)
    fit = np.full((n_o, n_h), float(policy.neutral_fit))
    affinity = np.full((n_o, n_h), float(policy.neutral_fit))
    for i in range(n_o):
        if agency[i] < 0:
            continue
        row = numbers[agency[i]]
        aff = np.where(welfare, row[1], row[0])
        n_flags = flags.sum(axis=1)
        comp = (flags * row[2:]).sum(axis=1) / np.maximum(n_flags, 1)
        affinity[i] = aff
        fit[i] = np.where(n_flags > 0, 0.5 * aff + 0.5 * comp, aff)
    o_district = officers["district"].astype(str).str.strip().to_numpy()
    h_district = households["district"].astype(str).str.strip().to_numpy()
    differ = o_district[:, None] != h_district[None, :]
    cost = d + policy.fit_weight * (1.0 - fit) + policy.cross_district_penalty * differ
    allowed = np.repeat((np.asarray(capacity) > 0)[:, None], n_h, axis=1)
    if policy.max_distance_km is not None:
        allowed &= d <= policy.max_distance_km
    if policy.same_district:
        allowed &= ~differ
    if policy.same_province:  # the raw province column (the synthetic tables carry one)
        o_p, h_p = officers["province"].to_numpy(str), households["province"].to_numpy(str)
        allowed &= o_p[:, None] == h_p[None, :]
    return BuiltinCosts(d, fit, affinity, cost, allowed)


def table_cost_matrix(
    officers: pd.DataFrame, households: pd.DataFrame, costs: pd.DataFrame, capacity: np.ndarray
) -> np.ndarray:
    """The ``costs`` table as a dense matrix: ``inf`` for pairs it does not list
    (and for officers of capacity 0).  Ids are matched as text."""
    o_pos = {str(v): i for i, v in enumerate(officers["officer_id"])}
    h_pos = {str(v): j for j, v in enumerate(households["household_id"])}
    matrix = np.full((len(officers), len(households)), np.inf)
    for o, h, c in zip(costs["officer_id"], costs["household_id"], costs["cost"], strict=True):
        if capacity[o_pos[str(o)]] > 0:
            matrix[o_pos[str(o)], h_pos[str(h)]] = float(c)
    return matrix
