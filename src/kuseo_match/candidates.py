"""Candidate pairs and their costs: the long table the solver works on.

A :class:`CostModel` knows, for any officer-household pairs given as index
arrays, whether the pair is allowed and what it costs.  Two models exist:

* :class:`GeoCostModel`, the built-in cost (distance, agency fit, district),
  which also finds pairs by geography: the k nearest officers of each
  household, or every officer within a radius (k-d tree on points of the
  sphere, see :mod:`kuseo_match.geo`).  Its cost is never below the
  great-circle distance, the bound the optimality certificate relies on.
* :class:`TableCostModel`, the user's ``costs`` table: exactly the listed
  pairs are allowed.

Indices refer to the validated, canonically ordered tables of
:class:`Problem`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .fit import FitTable, default_fit_table
from .geo import chord_from_km, haversine_km, to_xyz
from .policy import Policy
from .schema import NEED_COLUMNS

__all__ = ["GeoCostModel", "PairCosts", "Problem", "TableCostModel", "canonical_order"]


def canonical_order(ids: pd.Series) -> np.ndarray:
    """Row order that sorts ids: numerically for numeric ids, as text otherwise.

    The solver sees tables in this order, so a shuffled input gives the same
    pairs (ties are broken by this order, never by the caller's row order).
    """
    if pd.api.types.is_numeric_dtype(ids):
        return np.argsort(ids.to_numpy(), kind="stable")
    return np.argsort(ids.astype(str).to_numpy(dtype=str), kind="stable")


@dataclass(frozen=True, eq=False)
class Problem:
    """Validated officers and households in canonical order, as arrays.

    Attributes
    ----------
    officers, households : pandas.DataFrame
        Validated tables, rows in canonical (sorted id) order.
    officer_keys, household_keys : pandas.Index
        ``str(id)`` of each row, for looking ids up.
    capacity : numpy.ndarray of int64, shape (n_officers,)
    """

    officers: pd.DataFrame
    households: pd.DataFrame

    @classmethod
    def from_validated(cls, officers: pd.DataFrame, households: pd.DataFrame) -> Problem:
        o = officers.iloc[canonical_order(officers["officer_id"])].reset_index(drop=True)
        h = households.iloc[canonical_order(households["household_id"])].reset_index(drop=True)
        return cls(o, h)

    @property
    def n_officers(self) -> int:
        return len(self.officers)

    @property
    def n_households(self) -> int:
        return len(self.households)

    @cached_property
    def officer_keys(self) -> pd.Index:
        return pd.Index(self.officers["officer_id"].astype(str))

    @cached_property
    def household_keys(self) -> pd.Index:
        return pd.Index(self.households["household_id"].astype(str))

    @cached_property
    def capacity(self) -> np.ndarray:
        return self.officers["capacity"].to_numpy(dtype=np.int64)


@dataclass(frozen=True)
class PairCosts:
    """Costs of pairs, each array of shape (n_pairs,)."""

    cost: np.ndarray
    distance_km: np.ndarray
    fit: np.ndarray
    kind_affinity: np.ndarray
    allowed: np.ndarray


class GeoCostModel:
    """The built-in cost on a :class:`Problem`::

        cost = distance_km + fit_weight * (1 - fit) + cross_district_penalty * [districts differ]

    Parameters
    ----------
    problem : Problem
    policy : Policy
    """

    #: cost >= distance_km for every pair (the certificate's bound).
    distance_bounds_cost = True

    def __init__(self, problem: Problem, policy: Policy) -> None:
        self.problem = problem
        self.policy = policy
        o, h = problem.officers, problem.households
        table: FitTable = policy.fit_table if policy.fit_table is not None else default_fit_table()
        self.fit_table = table
        self.o_lat = o["lat"].to_numpy(dtype=float)
        self.o_lon = o["lon"].to_numpy(dtype=float)
        self.h_lat = h["lat"].to_numpy(dtype=float)
        self.h_lon = h["lon"].to_numpy(dtype=float)
        self.o_agency = table.resolve(o["agency"].to_numpy(dtype=object))
        districts = pd.Index(
            pd.unique(np.concatenate([o["district"].to_numpy(str), h["district"].to_numpy(str)]))
        )
        self.o_district = districts.get_indexer(o["district"].to_numpy(str))
        self.h_district = districts.get_indexer(h["district"].to_numpy(str))
        self.h_welfare = (h["kind"] == "welfare").to_numpy(dtype=bool)
        self.h_needs = h[list(NEED_COLUMNS)].to_numpy(dtype=bool)
        # officers who can take anyone, in a k-d tree on the sphere
        self.active = np.flatnonzero(problem.capacity > 0)
        self._tree = cKDTree(to_xyz(self.o_lat[self.active], self.o_lon[self.active]))
        self._h_xyz = to_xyz(self.h_lat, self.h_lon)

    @property
    def unknown_agencies(self) -> tuple[str, ...]:
        names = self.problem.officers["agency"].to_numpy(dtype=object)[self.o_agency < 0]
        return tuple(sorted({str(a) for a in names}))

    def costs(self, o: np.ndarray, h: np.ndarray) -> PairCosts:
        """Costs of pairs ``(o[i], h[i])`` (row positions), vectorised."""
        d = haversine_km(self.o_lat[o], self.o_lon[o], self.h_lat[h], self.h_lon[h])
        fit, affinity = self.fit_table.score(
            self.o_agency[o], self.h_welfare[h], self.h_needs[h],
            neutral_fit=self.policy.neutral_fit,
        )
        p = self.policy
        cost = d + p.fit_weight * (1.0 - fit)
        cost = cost + p.cross_district_penalty * (self.o_district[o] != self.h_district[h])
        allowed = np.ones(len(o), dtype=bool) if p.max_distance_km is None else d <= p.max_distance_km
        allowed &= self.problem.capacity[o] > 0
        return PairCosts(cost, d, fit, affinity, allowed)

    def max_cost_bound(self) -> float:
        """An upper bound of the cost of any allowed pair (for integer scaling)."""
        p = self.policy
        if p.max_distance_km is not None:
            dmax = p.max_distance_km
        elif self.problem.n_officers and self.problem.n_households:
            lat0 = float(np.mean(self.h_lat))
            lon0 = float(np.mean(self.h_lon))
            dmax = float(haversine_km(self.o_lat, self.o_lon, lat0, lon0).max())
            dmax += float(haversine_km(self.h_lat, self.h_lon, lat0, lon0).max())
        else:
            dmax = 0.0
        return dmax + p.fit_weight + p.cross_district_penalty + 1.0

    def nearest(self, k: int, households: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Allowed pairs of each household with its ``k`` nearest active officers."""
        h = np.arange(self.problem.n_households) if households is None else households
        k = min(k, len(self.active))
        if k == 0 or len(h) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        _, idx = self._tree.query(self._h_xyz[h], k=k)
        idx = idx.reshape(len(h), k)
        o = self.active[idx].ravel()
        hh = np.repeat(h, k)
        keep = self._within_limit(o, hh)
        return o[keep], hh[keep]

    def within(self, households: np.ndarray, radius_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each given household with every active officer within its radius
        (capped at ``max_distance_km``); radii are widened by 1e-9 relative so no
        officer at the boundary is missed."""
        if len(households) == 0 or len(self.active) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        r = np.asarray(radius_km, dtype=float)
        if self.policy.max_distance_km is not None:
            r = np.minimum(r, self.policy.max_distance_km)
        chord = chord_from_km(r) * (1 + 1e-9) + 1e-9
        hits = self._tree.query_ball_point(self._h_xyz[households], chord)
        lengths = np.fromiter((len(x) for x in hits), dtype=np.int64, count=len(hits))
        if lengths.sum() == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        o = self.active[np.concatenate([np.asarray(x, dtype=np.int64) for x in hits])]
        hh = np.repeat(households, lengths)
        keep = self._within_limit(o, hh)
        return o[keep], hh[keep]

    def count_within(self, households: np.ndarray, radius_km: float) -> np.ndarray:
        """Number of active officers within ``radius_km`` of each household."""
        if len(self.active) == 0:
            return np.zeros(len(households), dtype=np.int64)
        chord = float(chord_from_km(radius_km)) * (1 + 1e-9) + 1e-9
        return np.asarray(
            self._tree.query_ball_point(self._h_xyz[households], chord, return_length=True),
            dtype=np.int64,
        )

    def _within_limit(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        if self.policy.max_distance_km is None:
            return np.ones(len(o), dtype=bool)
        d = haversine_km(self.o_lat[o], self.o_lon[o], self.h_lat[h], self.h_lon[h])
        return d <= self.policy.max_distance_km


class TableCostModel:
    """The user's ``costs`` table as a cost model: exactly its pairs are allowed."""

    distance_bounds_cost = False

    def __init__(self, problem: Problem, o: np.ndarray, h: np.ndarray, cost: np.ndarray,
                 geo: GeoCostModel | None = None) -> None:
        self.problem = problem
        order = np.lexsort((o, h))
        self.o, self.h, self.cost = o[order], h[order], cost[order]
        self.geo = geo  # for distance_km and fit in the output, when coordinates exist
        self.unknown_agencies: tuple[str, ...] = geo.unknown_agencies if geo else ()
        self._key = pd.Index(self.h * max(problem.n_officers, 1) + self.o)

    def costs(self, o: np.ndarray, h: np.ndarray) -> PairCosts:
        """Costs of pairs ``(o[i], h[i])``; pairs not in the table are not allowed (cost inf)."""
        pos = self._key.get_indexer(h * max(self.problem.n_officers, 1) + o)
        found = pos >= 0
        cost = np.where(found, self.cost[np.maximum(pos, 0)], np.inf)
        if self.geo is not None:
            g = self.geo.costs(o, h)
            d, fit, aff = g.distance_km, g.fit, g.kind_affinity
        else:
            d = fit = aff = np.full(len(o), np.nan)
        allowed = found & (self.problem.capacity[o] > 0)
        return PairCosts(cost, d, fit, aff, allowed)

    def max_cost_bound(self) -> float:
        return float(self.cost.max()) if len(self.cost) else 0.0

    def all_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        keep = self.problem.capacity[self.o] > 0
        return self.o[keep], self.h[keep]
