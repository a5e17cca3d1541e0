"""Min-cost flow engines behind one interface: ``engine.solve(network) -> Flow``.

Two problems are solved:

* ``maximize=False``: a least-cost flow meeting every supply exactly and every
  arc's bounds; :class:`~kuseo_match.errors.InfeasibleError` when none exists.
* ``maximize=True``: supplies are upper bounds; the largest total flow from
  the sending to the receiving nodes, and among those the least cost.  Arc
  lower bounds still hold exactly (:class:`~kuseo_match.errors.InfeasibleError`
  when they cannot).

Engines:

* :class:`LemonFlow` (``"lemon"``, the default): the network simplex of the
  LEMON graph library (through ``pylmcf``).  It hands back node potentials
  (the dual solution) beside the flow, so the certificate needs no
  shortest-path pass of its own.
* :class:`OrToolsFlow` (``"ortools"``): OR-Tools' ``SimpleMinCostFlow`` (cost
  scaling); no potentials.

Both solve the exact-supply problem; what turns it into the others is shared
(:func:`_maximise`): without lower bounds the largest flow comes from a
maximum flow (scipy's Dinic) and then an exact-supply solve at that value;
with them, two exact solves on a circulation through a super source and sink
find the largest flow the bounds allow (cost -1 per unit shipped), then the
least cost at that flow.  Lower bounds use the standard transformation where
an engine lacks them: an arc ``u -> v`` with lower bound ``l`` becomes one of
capacity ``capacity - l``, ``u`` sends ``l`` more and ``v`` receives ``l``
more.

This module is the only one that imports ``ortools.graph`` or ``pylmcf``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from ..errors import InfeasibleError, KuseoError
from .network import Flow, Network

__all__ = ["FlowEngine", "LemonFlow", "OrToolsFlow", "engine"]


class FlowEngine(Protocol):
    """What the solver needs of a min-cost flow engine."""

    name: str

    def solve(self, network: Network, *, maximize: bool = False) -> Flow:
        """An optimal flow of ``network`` (see the module docstring); with node
        potentials ``d`` (``cost + d[tail] - d[head] >= 0`` on every residual arc)
        when the engine computes them."""
        ...


class _Exact(Protocol):
    def exact(self, network: Network) -> Flow: ...


def _solve(engine: _Exact, network: Network, maximize: bool) -> Flow:
    """The shared part of every engine's ``solve``."""
    if network.n_arcs == 0:
        if maximize or not network.supply.any():
            return Flow(np.zeros(0, np.int64), 0)
        raise InfeasibleError("no arcs, but some nodes have a supply")
    if not maximize:
        return engine.exact(network)
    if network.lower.any():
        return _max_with_lower_bounds(engine, network)
    return _max_flow_then_cost(engine, network)


def _max_flow_then_cost(engine: _Exact, network: Network) -> Flow:
    """The largest flow (scipy's maximum flow through a super source and sink), then
    the least cost at that flow."""
    n = network.n_nodes
    senders = np.flatnonzero(network.supply > 0)
    takers = np.flatnonzero(network.supply < 0)
    big_s, big_t = n, n + 1
    tail = np.concatenate([network.tail, np.full(len(senders), big_s), takers])
    head = np.concatenate([network.head, senders, np.full(len(takers), big_t)])
    capacity = np.concatenate([network.capacity, network.supply[senders], -network.supply[takers]])
    if capacity.max(initial=0) >= 2**31:
        raise KuseoError("a capacity beyond 2**31 - 1 (scipy's maximum flow takes int32)")
    graph = csr_matrix((capacity.astype(np.int32), (tail, head)), shape=(n + 2, n + 2))
    value = int(maximum_flow(graph, big_s, big_t, method="dinic").flow_value)
    m = network.n_arcs
    ends = len(senders) + len(takers)
    out = engine.exact(
        Network.build(
            n + 2,
            tail,
            head,
            capacity=capacity,
            cost=np.concatenate([network.cost, np.zeros(ends, np.int64)]),
            lower=np.concatenate([network.lower, np.zeros(ends, np.int64)]),
            supply=np.concatenate([np.zeros(n, np.int64), [value, -value]]),
        )
    )
    flow = out.flow[:m]
    d = None if out.potentials is None else out.potentials[:n]
    return Flow(flow, network.flow_cost(flow), d)


def _max_with_lower_bounds(engine: _Exact, network: Network) -> Flow:
    n = network.n_nodes
    big_s, big_t = n, n + 1
    senders = np.flatnonzero(network.supply > 0)
    takers = np.flatnonzero(network.supply < 0)
    n_arcs = network.n_arcs
    # original arcs, then S -> sender, taker -> T, and T -> S closing the circulation
    tail = np.concatenate([network.tail, np.full(len(senders), big_s), takers, [big_t]])
    head = np.concatenate([network.head, senders, np.full(len(takers), big_t), [big_s]])
    capacity = np.concatenate(
        [
            network.capacity,
            network.supply[senders],
            -network.supply[takers],
            [int(network.supply[senders].sum())],
        ]
    )
    lower = np.concatenate([network.lower, np.zeros(len(senders) + len(takers) + 1, np.int64)])
    zero = np.zeros(len(senders) + len(takers) + 1, np.int64)
    # 1: the largest flow the lower bounds allow (each unit shipped costs -1)
    ship = np.concatenate([np.zeros(n_arcs, np.int64), zero])
    ship[-1] = -1
    first = engine.exact(
        Network.build(n + 2, tail, head, capacity=capacity, cost=ship, lower=lower)
    )
    shipped = int(first.flow[-1])
    # 2: the least cost at that flow
    lower[-1] = capacity[-1] = shipped
    cost = np.concatenate([network.cost, zero])
    second = engine.exact(
        Network.build(n + 2, tail, head, capacity=capacity, cost=cost, lower=lower)
    )
    flow = second.flow[:n_arcs]
    d = None if second.potentials is None else second.potentials[:n]
    return Flow(flow, network.flow_cost(flow), d)


class OrToolsFlow:
    """OR-Tools' ``SimpleMinCostFlow`` (cost scaling push-relabel); no potentials.

    Examples
    --------
    >>> from kuseo_match.solve.network import Network
    >>> net = Network.build(3, [0, 0, 1], [1, 2, 2], capacity=[1, 1, 1], cost=[1, 5, 1],
    ...                     supply=[2, 0, -2])
    >>> OrToolsFlow().solve(net).flow.tolist()
    [1, 1, 1]
    """

    name = "ortools"

    def solve(self, network: Network, *, maximize: bool = False) -> Flow:
        if maximize and network.n_arcs and not network.lower.any():
            flow = self._run(network, network.supply, True, network.capacity)
            return Flow(flow, network.flow_cost(flow))
        return _solve(self, network, maximize)

    def exact(self, network: Network) -> Flow:
        """A least-cost flow meeting every supply and bound exactly."""
        lower = network.lower
        supply = network.supply.copy()
        np.subtract.at(supply, network.tail, lower)
        np.add.at(supply, network.head, lower)
        flow = self._run(network, supply, False, network.capacity - lower) + lower
        return Flow(flow, network.flow_cost(flow))

    @staticmethod
    def _run(net: Network, supply: np.ndarray, maximize: bool, capacity: np.ndarray) -> np.ndarray:
        from ortools.graph.python import min_cost_flow

        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(
            net.tail.astype(np.int32), net.head.astype(np.int32), capacity, net.cost
        )
        smcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), supply)
        status = smcf.solve_max_flow_with_min_cost() if maximize else smcf.solve()
        if status == smcf.INFEASIBLE:
            raise InfeasibleError("no flow meets every supply and arc bound")
        if status == smcf.UNBALANCED:
            raise InfeasibleError("the supplies do not add up to zero")
        if status != smcf.OPTIMAL:
            raise KuseoError(f"the min-cost flow solver failed with status {status!r}")
        return np.asarray(smcf.flows(np.arange(net.n_arcs, dtype=np.int32)), dtype=np.int64)


class LemonFlow:
    """LEMON's network simplex (through ``pylmcf``), with the node potentials.

    LEMON takes arcs sorted by (tail, head) and costs >= 0: arcs of negative cost
    are turned around (saturated, their supplies moved), which changes neither
    the optimum nor the potentials' feasibility.

    Examples
    --------
    >>> from kuseo_match.solve.network import Network
    >>> net = Network.build(3, [0, 0, 1], [1, 2, 2], capacity=[1, 1, 1], cost=[1, 5, 1],
    ...                     supply=[2, 0, -2])
    >>> out = LemonFlow().solve(net)
    >>> out.flow.tolist(), out.cost
    ([1, 1, 1], 7)
    >>> bool((net.residual(out.flow).reduced(out.potentials) >= 0).all())
    True
    """

    name = "lemon"

    def solve(self, network: Network, *, maximize: bool = False) -> Flow:
        return _solve(self, network, maximize)

    def exact(self, network: Network) -> Flow:
        """A least-cost flow meeting every supply and bound exactly, and its potentials."""
        import pylmcf

        n = network.n_nodes
        flip = network.cost < 0
        tail = np.where(flip, network.head, network.tail)
        head = np.where(flip, network.tail, network.head)
        cost = np.abs(network.cost)
        # a turned arc carries capacity - f where the original carries f
        capacity = network.capacity.copy()
        lower = network.lower.copy()
        capacity[flip] = network.capacity[flip] - network.lower[flip]
        lower[flip] = 0
        supply = network.supply.copy()
        if flip.any():
            # the original arc at full capacity: tail sends it, head receives it
            full = network.capacity[flip]
            np.subtract.at(supply, network.tail[flip], full)
            np.add.at(supply, network.head[flip], full)
        order = np.lexsort((head, tail))
        graph = pylmcf.Graph(n, tail[order].astype(np.int32), head[order].astype(np.int32))
        graph.set_node_supply(supply)
        graph.set_edge_capacities(np.ascontiguousarray(capacity[order]))
        graph.set_edge_costs(np.ascontiguousarray(cost[order]))
        if lower.any():
            graph.set_edge_minimums(np.ascontiguousarray(lower[order]))
        try:
            graph.solve()
        except RuntimeError as exc:
            if "INFEASIBLE" in str(exc):
                raise InfeasibleError("no flow meets every supply and arc bound") from None
            raise KuseoError(f"the min-cost flow solver failed: {exc}") from exc
        sorted_flow = np.asarray(graph.result(), dtype=np.int64)
        flow = np.empty_like(sorted_flow)
        flow[order] = sorted_flow
        flow[flip] = network.capacity[flip] - flow[flip]
        d = np.asarray(graph.raw_potentials(), dtype=np.int64)
        return Flow(flow, network.flow_cost(flow), d)


_ENGINES: dict[str, type[LemonFlow] | type[OrToolsFlow]] = {
    "lemon": LemonFlow,
    "ortools": OrToolsFlow,
}


def engine(name: str) -> FlowEngine:
    """The engine called ``name`` (see :class:`~kuseo_match.solve.options.SolveOptions`)."""
    try:
        return _ENGINES[name]()
    except KeyError:
        raise KuseoError(f"unknown flow engine {name!r}; known: {', '.join(_ENGINES)}") from None
