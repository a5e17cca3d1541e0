"""The candidate table: the long table of pairs the flow sees, and each household's pool.

Built once, before the rounds of :func:`kuseo_match.solve.certified.solve`,
and grown by the certificate: the same long table (officer, household,
integer cost) can feed another engine later (CP-SAT for side constraints).

For a cost model that lists every allowed pair (a ``costs`` table), the table
is those pairs.  For the built-in cost it starts from

* each household's ``k`` cheapest pairs among its *pool*, its nearest
  officers (:func:`pool_size` of them), whose costs the certificate prices
  directly in every round; and
* where households outnumber slots, each officer's nearest households
  (:meth:`nearest_households <kuseo_match.candidates.GeoCostModel.nearest_households>`),
  so that the officers choose among their nearest households too, and no
  household needs a pool of every officer;
* elsewhere, in large tables, the pairs of a pairing of grid cells
  (:func:`~kuseo_match.solve.seed.transport_seed`), so that the first round
  pairs as many households as the slots allow, however the officers cluster.

No structure here has a row per household *and* a column per officer: a pool
holds at most ``options.pool_max * k`` officers however many officers there are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .certificate import int_costs
from .engine import engine
from .options import SolveOptions
from .seed import transport_seed

__all__ = ["Candidates", "cheapest", "pool_size"]


def cheapest(cost: np.ndarray, k: int) -> np.ndarray:
    """Mask of each row's ``k`` smallest entries, ties taken in column order (the
    set a stable sort would give, without sorting).

    Examples
    --------
    >>> cheapest(np.array([[3.0, 1.0, 2.0, 1.0]]), 2).tolist()
    [[False, True, False, True]]
    >>> cheapest(np.array([[1.0, 1.0, 1.0]]), 2).tolist()
    [[True, True, False]]
    """
    if k >= cost.shape[1]:
        return np.ones(cost.shape, dtype=bool)
    kth = np.partition(cost, k - 1, axis=1)[:, k - 1 : k]
    below = cost < kth
    tie = cost == kth
    room = k - below.sum(axis=1, keepdims=True)
    return below | (tie & (np.cumsum(tie, axis=1) <= room))


def pool_size(model, k: int, options: SolveOptions) -> int:
    """Officers in each household's pool: ``options.pool * k``, or, where officers are
    dense, as many as the median household has within ``fit_weight +
    cross_district_penalty`` km (the fit and district terms alone can make an
    officer that far away cheaper than a near one), up to ``options.pool_max * k``.

    Only speed depends on it (``benchmarks/bench_density.py`` measures the rule
    against a fixed pool).
    """
    base = options.pool * k
    n_h = model.problem.n_households
    reach = model.fit_weight + model.cross_district_penalty
    if reach <= 0 or n_h == 0:
        return base
    sample = np.arange(0, n_h, max(1, n_h // 1000))
    typical = float(np.median(model.count_within(sample, reach)))
    return int(min(max(base, typical), options.pool_max * k))


@dataclass(eq=False)
class Candidates:
    """Candidate pairs (``o``, ``h``, integer ``cost``: the long table) and the pools.

    ``pool_o[i]`` are household ``i``'s nearest officers, ``pool_c`` their integer
    costs, ``pool_ok`` which are allowed, ``taken`` which are candidates, and
    ``floor[i]`` a lower bound of the cost of any pair of household ``i`` with an
    officer outside its pool (``inf`` when the pool holds every officer).  The
    pools are empty (shape ``(n_households, 0)``) when every allowed pair is in
    the table from the start.
    """

    o: np.ndarray
    h: np.ndarray
    cost: np.ndarray
    pool_o: np.ndarray
    pool_c: np.ndarray
    pool_ok: np.ndarray
    taken: np.ndarray
    floor: np.ndarray

    @classmethod
    def listed(cls, model, scale: float) -> Candidates:
        """Every allowed pair of a model that lists them (a ``costs`` table)."""
        o, h = model.all_pairs()
        _, cost = int_costs(model, o, h, scale)
        n_h = model.problem.n_households
        none = np.zeros((n_h, 0), np.int64)
        return cls(
            o, h, cost, none, none, none.astype(bool), none.astype(bool), np.full(n_h, np.inf)
        )

    @classmethod
    def first(cls, model, k: int, scale: float, options: SolveOptions) -> Candidates:
        """The first candidates of the built-in cost (see the module docstring)."""
        n_h = model.problem.n_households
        slots = int(model.problem.capacity.sum())
        crowded = n_h > slots  # households outnumber slots: most stay unmatched
        kh = max(1, -(-k * slots // n_h)) if crowded else k
        pool_o, floor = model.nearest(pool_size(model, kh, options))
        pool_h = np.broadcast_to(np.arange(n_h)[:, None], pool_o.shape)
        pc, pool_c = int_costs(model, pool_o.ravel(), pool_h.ravel(), scale)
        pool_c = pool_c.reshape(pool_o.shape)
        pool_ok = pc.allowed.reshape(pool_o.shape)
        taken = (
            cheapest(np.where(pool_ok, pc.cost.reshape(pool_o.shape), np.inf), kh) & pool_ok
            if not crowded
            else np.zeros(pool_o.shape, dtype=bool)
        )
        table = cls(
            pool_o[taken],
            np.nonzero(taken)[0],
            pool_c[taken],
            pool_o,
            pool_c,
            pool_ok,
            taken,
            floor,
        )
        if crowded:
            so, sh = model.nearest_households(options.pool * k)
        elif n_h >= options.seed_min_households:  # so that the first round pairs everyone
            so, sh = transport_seed(model, engine(options.engine))
        else:
            return table
        spc, sc = int_costs(model, so, sh, scale)
        table.add(so[spc.allowed], sh[spc.allowed], sc[spc.allowed])
        return table

    def __len__(self) -> int:
        return len(self.o)

    def add(
        self, o: np.ndarray, h: np.ndarray, cost: np.ndarray, *, outside_pool: bool = False
    ) -> None:
        """Add pairs, dropping those already in the table and repeats, and marking pool
        pairs taken; ``outside_pool``: the caller knows them all to be new and outside
        the pools (pairs beyond the pool with a negative reduced cost: candidates never
        have one, the potentials being feasible for them)."""
        if not outside_pool and len(o):
            fresh = np.flatnonzero(~self.contains(o, h))
            _, first = np.unique(np.stack([h[fresh], o[fresh]]), axis=1, return_index=True)
            rows = fresh[np.sort(first)]
            o, h, cost = o[rows], h[rows], cost[rows]
            if self.pool_o.shape[1] and len(o):
                hit = self.pool_o[h] == o[:, None]
                inside = hit.any(axis=1)
                self.taken[h[inside], hit[inside].argmax(axis=1)] = True
        self._append(o, h, cost)

    def undercutting(
        self, d_h: np.ndarray, d_o: np.ndarray, rows: np.ndarray, per: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pool pairs of the households ``rows`` that undercut the potentials
        (``d_h``, ``d_o``) and are not candidates: each household's ``per`` most
        negative, as rows and columns of the pool, and the households that had more."""
        every = len(rows) == len(self.floor)  # no copies then
        pool_o, pool_c = self.pool_o, self.pool_c
        p_o, p_c = (pool_o, pool_c) if every else (pool_o[rows], pool_c[rows])
        reduced = p_c + d_h[rows, None]
        reduced -= d_o[p_o]
        skip = self.taken | ~self.pool_ok if every else self.taken[rows] | ~self.pool_ok[rows]
        reduced[skip] = 0
        join = reduced < 0
        many = np.flatnonzero(join.sum(axis=1) > per)
        if len(many):
            # each household's most negative pairs only
            worst = reduced[many]
            nth = np.partition(worst, per - 1, axis=1)[:, per - 1]
            join[many] &= worst <= nth[:, None]
        jr, jc = np.nonzero(join)
        return rows[jr], jc, rows[many]

    def take(self, rows: np.ndarray, cols: np.ndarray) -> None:
        """Add the pool pairs ``pool_o[rows, cols]`` (not taken yet) to the table."""
        self.taken[rows, cols] = True
        self._append(self.pool_o[rows, cols], rows, self.pool_c[rows, cols])

    def _append(self, o: np.ndarray, h: np.ndarray, cost: np.ndarray) -> None:
        self.o = np.concatenate([self.o, o])
        self.h = np.concatenate([self.h, h])
        self.cost = np.concatenate([self.cost, cost])

    def contains(self, o: np.ndarray, h: np.ndarray) -> np.ndarray:
        """Which pairs ``(o[i], h[i])`` are in the table already (checked against the
        candidates of the same households only: hashing the whole table costs more)."""
        if len(o) == 0 or len(self.o) == 0:
            return np.zeros(len(o), dtype=bool)
        n_h = len(self.floor)
        mine = np.zeros(n_h, dtype=bool)
        mine[h] = True
        sel = mine[self.h]
        width = int(max(self.o.max(initial=0), o.max(initial=0))) + 1
        have = self.h[sel].astype(np.int64) * width + self.o[sel]
        return np.isin(h.astype(np.int64) * width + o, have)
