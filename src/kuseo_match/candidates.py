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

import copy
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .fit import FitTable, default_fit_table
from .geo import chord_from_km, haversine_km, km_from_chord, to_xyz
from .policy import Policy
from .schema import NEED_COLUMNS
from .solve.options import SolveOptions

__all__ = [
    "Adjust",
    "GeoCostModel",
    "PairCosts",
    "Problem",
    "TableCostModel",
    "canonical_order",
    "in_pairs",
    "pair_keys",
    "rules_allow",
]


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

    @cached_property
    def provinces(self) -> tuple[np.ndarray, np.ndarray]:
        """Officers' and households' province codes
        (:func:`~kuseo_match.reference.province_codes`; None where unknown)."""
        from .reference import province_codes

        return province_codes(self.officers), province_codes(self.households)


@dataclass(frozen=True)
class PairCosts:
    """Costs of pairs, each array of shape (n_pairs,)."""

    cost: np.ndarray
    distance_km: np.ndarray
    fit: np.ndarray
    kind_affinity: np.ndarray
    allowed: np.ndarray


@dataclass(frozen=True, eq=False)
class Adjust:
    """Terms added to the cost of pairs beyond the policy's own: ``stay_cost`` on every
    pair of a household other than the one with ``stay[h]``, its officer to stay with
    (``-1``: none; :func:`kuseo_match.rematch`'s ``churn_cost``), and ``price`` on
    every pair of each group ``(officer mask, household mask, price)`` (the Lagrangian
    prices of quotas, :mod:`kuseo_match.solve.refine`).  :meth:`least` bounds the
    added cost per household from below, so the certificate's bound ``cost >=
    distance + penalty`` holds with it.

    Examples
    --------
    >>> a = Adjust(stay=np.array([1, -1]), stay_cost=5.0)
    >>> a.of(np.array([1, 0, 0]), np.array([0, 0, 1])).tolist()
    [0.0, 5.0, 0.0]
    """

    stay: np.ndarray | None = None
    stay_cost: float = 0.0
    groups: tuple = ()

    @property
    def active(self) -> bool:
        """Whether any term adds to a pair's cost (the plain match has none)."""
        return bool((self.stay is not None and self.stay_cost) or self.groups)

    def of(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        """The added cost of pairs ``(o[i], h[i])``."""
        out = np.zeros(len(o))
        if self.stay is not None and self.stay_cost:
            s = self.stay[h]
            out += self.stay_cost * ((s >= 0) & (s != o))
        for om, hm, price in self.groups:
            if price:
                out += price * (om[o] & hm[h])
        return out

    def least(self, households: np.ndarray) -> np.ndarray:
        """A lower bound of the added cost of any pair of each household (<= 0)."""
        out = np.zeros(len(households))
        for _, hm, price in self.groups:
            if price < 0:
                out += price * hm[households]
        return out

    @property
    def most(self) -> float:
        """A bound of the size of the added cost of any pair."""
        stay = float(self.stay_cost) if self.stay is not None else 0.0
        return stay + float(sum(abs(price) for *_, price in self.groups))

    def households(self, kept: np.ndarray) -> Adjust:
        """The terms of a problem that kept only households ``kept``."""
        stay = None if self.stay is None else self.stay[kept]
        groups = tuple((om, hm[kept], price) for om, hm, price in self.groups)
        return Adjust(stay, self.stay_cost, groups)


class GeoCostModel:
    """The built-in cost on a :class:`Problem`::

        cost = distance_km + fit_weight * (1 - fit) + cross_district_penalty * [districts differ]

    It is the certificate's :class:`~kuseo_match.solve.certificate.Pricing`: its
    cost is never below the great-circle distance plus the agency's fit
    penalty, so it can find every pair cheaper than a bound by geography.

    A pair is allowed when the officer has capacity, the pair is within
    ``policy.max_distance_km`` (if set), officer and household share a district
    (if ``policy.same_district``), and the pair is not ``forbidden``.

    Parameters
    ----------
    problem : Problem
    policy : Policy
    options : SolveOptions, optional
        Threads and pass sizes of the k-d tree queries.
    forbidden : tuple of numpy.ndarray, optional
        Officer and household positions of pairs that are never allowed.
    """

    #: cost >= distance_km for every pair (the certificate's bound).
    distance_bounds_cost = True
    #: The allowed pairs are found by geography, not listed.
    lists_every_pair = False

    # the policy's rules as the solver reads them (solve/ never sees a Policy)
    @property
    def max_distance_km(self) -> float | None:
        """The distance limit of an allowed pair (None: none)."""
        return self.policy.max_distance_km

    @property
    def same_district(self) -> bool:
        """Whether officer and household must share a district."""
        return self.policy.same_district

    @property
    def cross_district_penalty(self) -> float:
        """What a pair across districts adds to the cost."""
        return self.policy.cross_district_penalty

    @property
    def fit_weight(self) -> float:
        """The weight of the agency's fit in the cost."""
        return self.policy.fit_weight

    @property
    def geo(self) -> GeoCostModel:
        """Itself: the model of distances and positions (``CostModel.geo``)."""
        return self

    def __init__(
        self,
        problem: Problem,
        policy: Policy,
        options: SolveOptions | None = None,
        forbidden: tuple[np.ndarray, np.ndarray] | None = None,
        adjust: Adjust | None = None,
    ) -> None:
        self.problem = problem
        self.policy = policy
        self.options = options or SolveOptions()
        self.adjust = adjust or Adjust()
        self._forbidden = pair_keys(forbidden, problem.n_officers)
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
        # the fit depends on the household only through its type (kind x need flags,
        # 64 types) and on the officer through its agency: tabulate it once
        self.h_type = self.h_welfare * 32 + self.h_needs @ (1 << np.arange(len(NEED_COLUMNS)))
        self._agencies, self.o_col = np.unique(self.o_agency, return_inverse=True)
        types = np.arange(64)
        welfare = types >= 32
        needs = ((types[:, None] >> np.arange(len(NEED_COLUMNS))) & 1).astype(bool)
        fit_tab = np.empty((64, len(self._agencies)))
        aff_tab = np.empty((64, len(self._agencies)))
        for j, a in enumerate(self._agencies):
            fit_tab[:, j], aff_tab[:, j] = table.score(
                np.full(64, a), welfare, needs, neutral_fit=policy.neutral_fit
            )
        self._fit_tab, self._aff_tab = fit_tab, aff_tab
        # officers who can take anyone, in a k-d tree on the sphere
        self.active = np.flatnonzero(problem.capacity > 0)
        self._o_xyz = to_xyz(self.o_lat, self.o_lon)
        self._tree = cKDTree(self._o_xyz[self.active])
        self._h_xyz = to_xyz(self.h_lat, self.h_lon)

    def limited_to(self, max_distance_km: float | None) -> GeoCostModel:
        """The same model with another distance limit, sharing its tables and k-d
        trees (the bottleneck objective's threshold probes)."""
        model = copy.copy(self)
        model.policy = self.policy.replace(max_distance_km=max_distance_km)
        return model

    @cached_property
    def groups(self) -> list[np.ndarray]:
        """Active officers grouped by agency (all agencies outside the fit table in one
        group): within a group the non-distance part of the cost depends only on the
        household, which sharpens the certificate's distance bound."""
        col = self.o_col[self.active]
        return [self.active[col == c] for c in np.unique(col)]

    def penalty_bound(self, households: np.ndarray) -> np.ndarray:
        """Lower bound of ``cost - distance_km`` per household and agency group,
        shape (len(households), len(groups)): the agency-fit term (the district term
        is bounded by 0)."""
        cols = np.array([self.o_col[g[0]] for g in self.groups], dtype=np.int64)
        fit = self._fit_tab[self.h_type[households]][:, cols]
        bound = np.maximum(self.policy.fit_weight * (1.0 - fit), 0.0)
        if self.adjust.active:
            bound += self.adjust.least(households)[:, None]
        return bound

    def with_adjust(self, adjust: Adjust) -> GeoCostModel:
        """The same model (same k-d trees) with other added terms."""
        other = copy.copy(self)
        other.adjust = adjust
        return other

    def within_group(
        self, group: int, households: np.ndarray, radius_km: np.ndarray, lift_km: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each household with the officers of an agency group that are
        within its radius once lifted: officer *o* is returned only if
        ``sqrt(chord**2 + lift_km[o]**2)`` is within the radius, which holds
        whenever ``distance + lift`` is.  The certificate lifts officers by their
        price, so that busy officers drop out of the balls.
        """
        members = self.groups[group]
        points = np.column_stack((self._h_xyz[households], np.zeros(len(households))))
        tree = self.lifted(members, lift_km)
        return self._ball(tree, members, households, radius_km, points=points, chord=False)

    def lifted(self, officers: np.ndarray, lift_km: np.ndarray) -> cKDTree:
        """A k-d tree of officers (of one agency group), each lifted by ``lift_km`` in a
        fourth coordinate (see :meth:`within_group`)."""
        return cKDTree(np.column_stack((self._o_xyz[officers], lift_km)))

    def within_lifted(
        self, tree: cKDTree, officers: np.ndarray, households: np.ndarray, radius_km: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`within_group` on a :meth:`lifted` tree of ``officers``, in one pass at
        the largest radius (the caller passes households of similar radii); allowed or
        not."""
        if len(households) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        r = np.asarray(radius_km, dtype=float) * (1 + 1e-9) + 1e-9
        points = np.column_stack((self._h_xyz[households], np.zeros(len(households))))
        hits = cKDTree(points).sparse_distance_matrix(tree, float(r.max()), output_type="ndarray")
        inside = hits["v"] <= r[hits["i"]]
        return officers[hits["j"][inside]], households[hits["i"][inside]]

    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Households' and officers' points on the sphere (km), shape (n, 3) each."""
        return self._h_xyz, self._o_xyz

    @property
    def unknown_agencies(self) -> tuple[str, ...]:
        names = self.problem.officers["agency"].to_numpy(dtype=object)[self.o_agency < 0]
        return tuple(sorted({str(a) for a in names}))

    def _workers(self, queries: int) -> int:
        """Threads for a k-d tree query of this many points (one for small ones)."""
        return self.options.worker_count() if queries >= self.options.thread_min_households else 1

    @property
    def every_pair_allowed(self) -> bool:
        """Whether every pair with an officer of capacity > 0 is allowed (no distance limit,
        no district rule, nothing forbidden)."""
        p = self.policy
        return (
            p.max_distance_km is None
            and not p.same_district
            and not p.same_province
            and len(self._forbidden) == 0
        )

    def _rules_allow(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Capacity, the district rule and the forbidden pairs (not the distance)."""
        return rules_allow(
            self.problem, self.policy, self._forbidden, o, h, (self.o_district, self.h_district)
        )

    def nearest_among(
        self, officers: np.ndarray, households: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each of ``households`` with its ``k`` nearest of ``officers``
        (allowed or not), as officer and household positions."""
        h, o = self._nearest(households, self._h_xyz, officers, self._o_xyz, k)
        return o, h

    def nearest_of(
        self, officers: np.ndarray, households: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each of ``officers`` with its ``k`` nearest of ``households``
        (allowed or not), as officer and household positions."""
        return self._nearest(officers, self._o_xyz, households, self._h_xyz, k)

    def _nearest(
        self, queries: np.ndarray, query_xyz, targets: np.ndarray, target_xyz, k: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each query point's ``k`` nearest targets: (query, target) positions."""
        if len(queries) == 0 or len(targets) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        kk = min(k, len(targets))
        tree = cKDTree(target_xyz[targets])
        _, idx = tree.query(query_xyz[queries], k=kk, workers=self._workers(len(queries) * kk))
        idx = np.asarray(idx).reshape(len(queries), kk)
        return np.repeat(queries, kk), targets[idx].ravel()

    def officers_near(self, officers: np.ndarray, radius_km: float) -> np.ndarray:
        """How many of ``officers`` lie within ``radius_km`` of each of them (itself
        included)."""
        if len(officers) == 0:
            return np.zeros(0, np.int64)
        tree = cKDTree(self._o_xyz[officers])
        chord = float(chord_from_km(radius_km)) * (1 + 1e-9) + 1e-9
        counts = tree.query_ball_point(self._o_xyz[officers], chord, return_length=True)
        return np.asarray(counts, dtype=np.int64)

    def nearest_households(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each officer with capacity with its ``m`` nearest households
        (``m`` times its capacity where that is fewer), as officer and household
        positions: where households outnumber slots, the officers' side of the
        first candidates."""
        n_h = self.problem.n_households
        if len(self.active) == 0 or n_h == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        want = np.minimum(m, m * self.problem.capacity[self.active])
        kk = int(min(want.max(), n_h))
        tree = cKDTree(self._h_xyz)
        _, idx = tree.query(
            self._o_xyz[self.active], k=kk, workers=self._workers(len(self.active) * kk)
        )
        idx = np.asarray(idx).reshape(len(self.active), kk)
        keep = np.arange(kk)[None, :] < want[:, None]
        officers = np.broadcast_to(self.active[:, None], idx.shape)
        return officers[keep], idx[keep]

    def costs(self, o: np.ndarray, h: np.ndarray) -> PairCosts:
        """Costs of pairs ``(o[i], h[i])`` (row positions), vectorised."""
        d = self.distance_km(o, h)
        t, c = self.h_type[h], self.o_col[o]
        fit, affinity = self._fit_tab[t, c], self._aff_tab[t, c]
        p = self.policy
        cost = d + p.fit_weight * (1.0 - fit)
        cost = cost + p.cross_district_penalty * (self.o_district[o] != self.h_district[h])
        if self.adjust.active:
            cost = cost + self.adjust.of(o, h)
        allowed = (
            np.ones(len(o), dtype=bool) if p.max_distance_km is None else d <= p.max_distance_km
        )
        allowed &= self._rules_allow(o, h)
        return PairCosts(cost, d, fit, affinity, allowed)

    def distance_km(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Great-circle km of pairs, from their points on the sphere (the same value
        as :func:`~kuseo_match.geo.haversine_km` to within 1e-9 km, with one
        ``arcsin`` instead of four trigonometric calls per pair)."""
        diff = self._o_xyz[o] - self._h_xyz[h]
        return km_from_chord(np.sqrt(np.einsum("ij,ij->i", diff, diff)))

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
        return dmax + p.fit_weight + p.cross_district_penalty + self.adjust.most + 1.0

    def nearest(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Each household's ``k`` nearest active officers.

        Returns
        -------
        pool : numpy.ndarray of int, shape (n_households, min(k, n_active))
            Officer row positions, nearest first.
        floor : numpy.ndarray of float, shape (n_households,)
            A lower bound of the cost of every pair with an officer outside
            the pool: the distance to the nearest such officer plus the
            household's smallest fit penalty (``inf`` when all are in it).
        """
        n_h, n_a = self.problem.n_households, len(self.active)
        if n_a == 0 or n_h == 0 or k < 1:
            return np.zeros((n_h, 0), np.int64), np.full(n_h, np.inf)
        kp = min(k, n_a)
        kq = kp + 1 if kp < n_a else kp
        dist, idx = self._tree.query(self._h_xyz, k=kq, workers=self._workers(n_h))
        dist, idx = dist.reshape(n_h, kq), idx.reshape(n_h, kq)
        floor = np.full(n_h, np.inf)
        if kq > kp:
            floor = km_from_chord(dist[:, kp]) + self.penalty_bound(np.arange(n_h)).min(axis=1)
        return self.active[idx[:, :kp]], floor

    def within(
        self, households: np.ndarray, radius_km: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of each given household with every active officer within its radius
        (capped at ``max_distance_km``)."""
        return self._ball(self._tree, self.active, households, radius_km)

    def _ball(
        self,
        tree: cKDTree,
        members: np.ndarray,
        households: np.ndarray,
        radius_km: np.ndarray,
        *,
        points: np.ndarray | None = None,
        chord: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        # radii are widened by 1e-9 relative so no officer on the boundary is missed;
        # arc radii become chords (shorter), lifted radii stay (chord <= arc)
        if len(households) == 0 or len(members) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        r = np.asarray(radius_km, dtype=float)
        if self.policy.max_distance_km is not None and chord:
            r = np.minimum(r, self.policy.max_distance_km)
        r = (chord_from_km(r) if chord else r) * (1 + 1e-9) + 1e-9
        x = self._h_xyz[households] if points is None else points
        # one C++ pass per class of radii within a factor 2 of each other (radii below
        # 1 km together), at the class's largest radius, then each household's own:
        # no Python lists, and at most a few times the hits that are kept; small
        # queries in one pass (fewer, dearer calls cost more than the extra hits)
        size = np.floor(np.log2(np.maximum(r, 1.0))).astype(np.int64)
        if len(households) * len(members) <= self.options.one_pass_pairs:
            size[:] = 0
        order = np.argsort(size, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(size[order]) != 0])
        found_o, found_h = [], []
        for part in np.split(order, starts[1:]):
            hits = cKDTree(x[part]).sparse_distance_matrix(
                tree, float(r[part].max()), output_type="ndarray"
            )
            inside = hits["v"] <= r[part][hits["i"]]
            found_o.append(members[hits["j"][inside]])
            found_h.append(households[part][hits["i"][inside]])
        o, hh = np.concatenate(found_o), np.concatenate(found_h)
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

    def count_allowed_within(self, households: np.ndarray, radius_km: float) -> np.ndarray:
        """Number of officers each household may be paired with (every rule) within
        ``radius_km``: ball counts when only capacity and distance rule, else the
        allowed pairs counted."""
        p = self.policy
        if not p.same_district and not p.same_province and len(self._forbidden) == 0:
            return self.count_within(households, radius_km)
        _, found = self.within(households, np.full(len(households), float(radius_km)))
        place = np.full(self.problem.n_households, -1, np.int64)
        place[households] = np.arange(len(households))
        return np.bincount(place[found], minlength=len(households))

    def _within_limit(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        """The pairs a ball found that are allowed (distance and rules)."""
        ok = self._rules_allow(o, h)
        if self.policy.max_distance_km is not None:
            ok &= self.distance_km(o, h) <= self.policy.max_distance_km
        return ok


def rules_allow(
    problem: Problem,
    policy: Policy,
    forbidden: np.ndarray,
    o: np.ndarray,
    h: np.ndarray,
    districts: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Whether the pairs ``(o[i], h[i])`` pass the rules other than distance: the
    officer has capacity, the provinces match under ``same_province`` and the
    districts under ``same_district``, the pair is
    not ``forbidden`` (keys of :func:`pair_keys`).  The one place the built-in cost
    and a ``costs`` table take these rules from (:func:`kuseo_match.rules.why_not_allowed`
    says which one a pair breaks).  ``districts``: the officers' and households'
    districts as codes, when the caller has them.

    Examples
    --------
    >>> import kuseo_match as km
    >>> from kuseo_match.instance import validated_problem
    >>> o, h = km.synthetic_province(officers=3, households=2, seed=0)
    >>> p = validated_problem(o, h, km.Policy(), True)
    >>> keys = pair_keys((np.array([0]), np.array([0])), p.n_officers)
    >>> rules_allow(p, km.Policy(), keys, np.array([0, 1]), np.array([0, 0])).tolist()
    [False, True]
    """
    ok = problem.capacity[o] > 0
    if policy.same_province:
        o_p, h_p = problem.provinces
        ok &= o_p[o] == h_p[h]
    if policy.same_district:
        if districts is None:
            districts = (
                problem.officers["district"].to_numpy(dtype=object),
                problem.households["district"].to_numpy(dtype=object),
            )
        ok &= districts[0][o] == districts[1][h]
    if len(forbidden):
        ok &= ~in_pairs(forbidden, o, h, problem.n_officers)
    return ok


def pair_keys(pairs: tuple[np.ndarray, np.ndarray] | None, n_officers: int) -> np.ndarray:
    """Sorted int64 keys ``h * n_officers + o`` of pairs (empty for None)."""
    if pairs is None or len(pairs[0]) == 0:
        return np.zeros(0, np.int64)
    o, h = pairs
    return np.unique(np.asarray(h, np.int64) * max(n_officers, 1) + np.asarray(o, np.int64))


def in_pairs(keys: np.ndarray, o: np.ndarray, h: np.ndarray, n_officers: int) -> np.ndarray:
    """Which pairs ``(o[i], h[i])`` have their key in the sorted ``keys`` of
    :func:`pair_keys`.

    Examples
    --------
    >>> keys = pair_keys((np.array([0, 1]), np.array([2, 2])), n_officers=3)
    >>> in_pairs(keys, np.array([1, 2]), np.array([2, 2]), n_officers=3).tolist()
    [True, False]
    """
    k = np.asarray(h, np.int64) * max(n_officers, 1) + np.asarray(o, np.int64)
    if len(keys) == 0:
        return np.zeros(len(k), dtype=bool)
    pos = np.minimum(np.searchsorted(keys, k), len(keys) - 1)
    return keys[pos] == k


class TableCostModel:
    """The user's ``costs`` table as a cost model: exactly its pairs are allowed (the
    caller leaves out pairs its rules forbid)."""

    distance_bounds_cost = False
    #: Every allowed pair is in the table: the solve needs no certificate.
    lists_every_pair = True
    #: Only the table's pairs are allowed.
    every_pair_allowed = False

    def __init__(
        self,
        problem: Problem,
        o: np.ndarray,
        h: np.ndarray,
        cost: np.ndarray,
        geo: GeoCostModel | None = None,
        adjust: Adjust | None = None,
    ) -> None:
        self.problem = problem
        self.adjust = adjust or Adjust()
        order = np.lexsort((o, h))
        self.o, self.h = o[order], h[order]
        self._own_cost = cost[order]
        self.cost = self._own_cost + self.adjust.of(self.o, self.h)
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
        return float(np.abs(self.cost).max()) if len(self.cost) else 0.0

    def with_adjust(self, adjust: Adjust) -> TableCostModel:
        """The same table with other added terms."""
        other = copy.copy(self)
        other.adjust = adjust
        other.cost = self._own_cost + adjust.of(self.o, self.h)
        return other

    def all_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        keep = self.problem.capacity[self.o] > 0
        return self.o[keep], self.h[keep]
