"""A flow network as a value, its residual graph, and the matching network's layout.

A :class:`Network` holds nodes ``0 .. n_nodes - 1``, arcs (tail, head, lower
bound, capacity, integer cost) and node supplies (positive: the node sends,
negative: it receives).  Engines (:mod:`kuseo_match.solve.engine`) solve it;
:meth:`Network.residual` gives the residual graph of a flow, on which
potentials (:mod:`kuseo_match.solve.potentials`) and the re-optimisation of a
flow (:mod:`kuseo_match.solve.repair`) work.

:class:`Matching` lays out the network of a pairing: a source, one node per
household, one per officer and a sink; arcs source -> household (capacity 1),
household -> officer for each candidate pair (capacity 1, the pair's cost) and
officer -> sink (the officer's capacity, and a lower bound where one is
asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import KuseoError

__all__ = ["Flow", "Matching", "Network", "Residual"]

IntArray = np.ndarray


def _int64(values: object, n: int, name: str) -> np.ndarray:
    out = np.asarray(values, dtype=np.int64)
    if out.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), not {out.shape}")
    return out


@dataclass(frozen=True, eq=False)
class Network:
    """A min-cost flow network.

    Attributes
    ----------
    n_nodes : int
    tail, head : numpy.ndarray of int64, shape (n_arcs,)
    capacity : numpy.ndarray of int64, shape (n_arcs,)
        Upper bound of each arc's flow.
    cost : numpy.ndarray of int64, shape (n_arcs,)
        Cost per unit of flow (any sign).
    lower : numpy.ndarray of int64, shape (n_arcs,)
        Lower bound of each arc's flow (0 <= lower <= capacity).
    supply : numpy.ndarray of int64, shape (n_nodes,)
        What each node sends (> 0) or receives (< 0).

    Examples
    --------
    >>> net = Network.build(3, [0, 1], [1, 2], capacity=[2, 2], cost=[1, 1],
    ...                     lower=[1, 0], supply=[1, 0, -1])
    >>> net.n_arcs, net.lower.tolist()
    (2, [1, 0])
    """

    n_nodes: int
    tail: IntArray
    head: IntArray
    capacity: IntArray
    cost: IntArray
    lower: IntArray
    supply: IntArray

    @classmethod
    def build(
        cls,
        n_nodes: int,
        tail: object,
        head: object,
        *,
        capacity: object,
        cost: object,
        lower: object | None = None,
        supply: object | None = None,
    ) -> Network:
        """A network from array-likes, checked: ``0 <= lower <= capacity``, nodes in range."""
        tail = np.asarray(tail, dtype=np.int64)
        n = len(tail)
        head = _int64(head, n, "head")
        capacity = _int64(capacity, n, "capacity")
        cost = _int64(cost, n, "cost")
        lower = np.zeros(n, np.int64) if lower is None else _int64(lower, n, "lower")
        supply = (
            np.zeros(n_nodes, np.int64) if supply is None else _int64(supply, n_nodes, "supply")
        )
        if n and (min(tail.min(), head.min()) < 0 or max(tail.max(), head.max()) >= n_nodes):
            raise ValueError("arc ends must be nodes 0 .. n_nodes - 1")
        if ((lower < 0) | (lower > capacity)).any():
            raise ValueError("every arc needs 0 <= lower <= capacity")
        return cls(int(n_nodes), tail, head, capacity, cost, lower, supply)

    @property
    def n_arcs(self) -> int:
        return len(self.tail)

    def flow_cost(self, flow: np.ndarray) -> int:
        """Total cost of arc flows ``flow`` (exact, in integers)."""
        return int(np.dot(self.cost, np.asarray(flow, dtype=np.int64)))

    def is_feasible(self, flow: np.ndarray) -> bool:
        """Whether ``flow`` respects the bounds and conserves flow with the supplies."""
        flow = np.asarray(flow, dtype=np.int64)
        if ((flow < self.lower) | (flow > self.capacity)).any():
            return False
        net = np.bincount(self.tail, flow, self.n_nodes) - np.bincount(
            self.head, flow, self.n_nodes
        )
        return bool(np.array_equal(net.astype(np.int64), self.supply))

    def residual(self, flow: np.ndarray) -> Residual:
        """The residual graph of arc flows ``flow``: a forward arc of weight ``cost``
        where ``flow < capacity``, a backward arc of weight ``-cost`` where
        ``flow > lower``."""
        flow = np.asarray(flow, dtype=np.int64)
        up = np.flatnonzero(flow < self.capacity)
        down = np.flatnonzero(flow > self.lower)
        return Residual(
            tail=np.concatenate([self.tail[up], self.head[down]]),
            head=np.concatenate([self.head[up], self.tail[down]]),
            weight=np.concatenate([self.cost[up], -self.cost[down]]),
            capacity=np.concatenate([self.capacity[up] - flow[up], flow[down] - self.lower[down]]),
            arc=np.concatenate([up, down]),
            forward=np.concatenate([np.ones(len(up), bool), np.zeros(len(down), bool)]),
        )


@dataclass(frozen=True, eq=False)
class Residual:
    """Residual arcs of a flow: ``tail -> head`` of ``weight``, room ``capacity``;
    ``arc`` is the network arc behind it and ``forward`` its direction."""

    tail: IntArray
    head: IntArray
    weight: IntArray
    capacity: IntArray
    arc: IntArray
    forward: np.ndarray

    def reduced(self, d: np.ndarray) -> np.ndarray:
        """Reduced weights ``weight + d[tail] - d[head]`` (>= 0 on every arc when ``d``
        is a feasible potential)."""
        return self.weight + d[self.tail] - d[self.head]


@dataclass(frozen=True, eq=False)
class Flow:
    """What an engine returns: arc flows and their total cost (lower bounds included);
    ``potentials`` where the engine computes them."""

    flow: IntArray
    cost: int
    potentials: IntArray | None = None


@dataclass(frozen=True)
class Matching:
    """The layout of a pairing network with ``n_households`` and ``n_officers``.

    Nodes: households ``0 .. n_h - 1``, officers ``n_h .. n_h + n_o - 1``, the
    source ``s = n_h + n_o`` and the sink ``t = s + 1``.  Arcs, in order: one
    per candidate pair (household -> officer), one per household that has a
    candidate pair (source -> household, in household order: a household
    without one stays unmatched and needs no arc), one per officer (officer ->
    sink).

    Examples
    --------
    >>> m = Matching(n_officers=2, n_households=2)
    >>> net = m.network(np.array([1, 1]), np.array([0, 1, 0]), np.array([0, 0, 1]),
    ...                 np.array([1, 5, 2]))
    >>> net.n_nodes, net.n_arcs, int(net.supply[m.source]), int(net.supply[m.sink])
    (6, 7, 2, -2)
    >>> m.network(np.array([1, 1]), np.array([0]), np.array([1]), np.array([3])).n_arcs
    4
    """

    n_officers: int
    n_households: int

    @property
    def source(self) -> int:
        return self.n_households + self.n_officers

    @property
    def sink(self) -> int:
        return self.source + 1

    @property
    def n_nodes(self) -> int:
        return self.sink + 1

    @cached_property
    def officer_nodes(self) -> np.ndarray:
        return self.n_households + np.arange(self.n_officers)

    def network(
        self,
        capacity: np.ndarray,
        o: np.ndarray,
        h: np.ndarray,
        cost: np.ndarray,
        *,
        min_load: np.ndarray | None = None,
    ) -> Network:
        """The network of candidate pairs ``(o[i], h[i])`` at integer ``cost[i]``.

        ``min_load`` (per officer) becomes the lower bound of its arc to the sink.
        """
        n_h, n_o = self.n_households, self.n_officers
        households = self.sources(h)
        n_s = len(households)
        tail = np.concatenate([h, np.full(n_s, self.source), self.officer_nodes])
        head = np.concatenate([n_h + np.asarray(o), households, np.full(n_o, self.sink)])
        n_pairs = len(o)
        lower = None
        if min_load is not None:
            lower = np.concatenate([np.zeros(n_pairs + n_s, np.int64), min_load])
        supply = np.zeros(self.n_nodes, np.int64)
        supply[self.source], supply[self.sink] = n_s, -n_s
        return Network.build(
            self.n_nodes,
            tail,
            head,
            capacity=np.concatenate(
                [np.ones(n_pairs + n_s, np.int64), np.asarray(capacity, np.int64)]
            ),
            cost=np.concatenate([np.asarray(cost, np.int64), np.zeros(n_s + n_o, np.int64)]),
            lower=lower,
            supply=supply,
        )

    def sources(self, h: np.ndarray) -> np.ndarray:
        """The households that get an arc from the source: those with a candidate pair."""
        has = np.zeros(self.n_households, dtype=bool)
        has[h] = True
        return np.flatnonzero(has)

    def arc_flows(self, capacity: np.ndarray, o: np.ndarray, h: np.ndarray, used: np.ndarray):
        """Arc flows of the network of these pairs when the pairs ``used`` are chosen."""
        used = np.asarray(used, dtype=bool)
        matched = np.zeros(self.n_households, np.int64)
        matched[h[used]] = 1
        load = np.bincount(o[used], minlength=self.n_officers).astype(np.int64)
        if (load > capacity).any() or (np.bincount(h[used], minlength=self.n_households) > 1).any():
            raise KuseoError("internal error: a pairing beyond capacities")  # pragma: no cover
        return np.concatenate([used.astype(np.int64), matched[self.sources(h)], load])

    def used(self, flow: np.ndarray, n_pairs: int) -> np.ndarray:
        """Which candidate pairs carry flow."""
        return np.asarray(flow[:n_pairs]) > 0
