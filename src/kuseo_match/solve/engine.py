"""Min-cost flow engines behind one interface: ``engine.solve(network) -> Flow``.

:class:`OrToolsFlow` wraps OR-Tools' ``SimpleMinCostFlow`` (this is the only
module that imports ``ortools.graph``).  Two problems are solved:

* ``maximize=False``: a least-cost flow meeting every supply exactly and every
  arc's bounds; :class:`~kuseo_match.errors.InfeasibleError` when none exists.
* ``maximize=True``: supplies are upper bounds; the largest total flow from
  the sending to the receiving nodes, and among those the least cost.  Arc
  lower bounds still hold exactly (:class:`~kuseo_match.errors.InfeasibleError`
  when they cannot).

Lower bounds use the standard transformation: an arc ``u -> v`` with lower
bound ``l`` becomes one of capacity ``capacity - l``, ``u`` sends ``l`` more and
``v`` receives ``l`` more, and ``l * cost`` is added to the total.  A
maximum flow with lower bounds takes two exact solves on a circulation
through a super source and sink: the first finds the largest flow the bounds
allow (cost -1 per unit shipped), the second the least cost at that flow.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..errors import InfeasibleError, KuseoError
from .network import Flow, Network

__all__ = ["FlowEngine", "OrToolsFlow", "engine"]


class FlowEngine(Protocol):
    """What the solver needs of a min-cost flow engine."""

    name: str

    def solve(self, network: Network, *, maximize: bool = False) -> Flow:
        """An optimal flow of ``network`` (see the module docstring)."""
        ...


class OrToolsFlow:
    """OR-Tools' ``SimpleMinCostFlow`` (network simplex-like cost scaling push-relabel).

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
        if network.n_arcs == 0:
            if maximize or not network.supply.any():
                return Flow(np.zeros(0, np.int64), 0)
            raise InfeasibleError("no arcs, but some nodes have a supply")
        lower = network.lower
        if not lower.any():
            flow = self._run(network.n_nodes, network, network.supply, maximize)
            return Flow(flow, network.flow_cost(flow))
        if not maximize:
            return self._with_lower_bounds(network)
        return self._max_with_lower_bounds(network)

    # -- pieces ---------------------------------------------------------------------
    @staticmethod
    def _run(
        n_nodes: int,
        net: Network,
        supply: np.ndarray,
        maximize: bool,
        capacity: np.ndarray | None = None,
    ) -> np.ndarray:
        from ortools.graph.python import min_cost_flow

        smcf = min_cost_flow.SimpleMinCostFlow()
        cap = net.capacity if capacity is None else capacity
        smcf.add_arcs_with_capacity_and_unit_cost(
            net.tail.astype(np.int32), net.head.astype(np.int32), cap, net.cost
        )
        smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supply)
        status = smcf.solve_max_flow_with_min_cost() if maximize else smcf.solve()
        if status == smcf.INFEASIBLE:
            raise InfeasibleError("no flow meets every supply and arc bound")
        if status == smcf.UNBALANCED:
            raise InfeasibleError("the supplies do not add up to zero")
        if status != smcf.OPTIMAL:
            raise KuseoError(f"the min-cost flow solver failed with status {status!r}")
        return np.asarray(smcf.flows(np.arange(net.n_arcs, dtype=np.int32)), dtype=np.int64)

    def _with_lower_bounds(self, network: Network) -> Flow:
        lower = network.lower
        supply = network.supply.copy()
        np.subtract.at(supply, network.tail, lower)
        np.add.at(supply, network.head, lower)
        shifted = self._run(
            network.n_nodes, network, supply, False, capacity=network.capacity - lower
        )
        flow = shifted + lower
        return Flow(flow, network.flow_cost(flow))

    def _max_with_lower_bounds(self, network: Network) -> Flow:
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
        first = self._with_lower_bounds(
            Network.build(n + 2, tail, head, capacity=capacity, cost=ship, lower=lower)
        )
        shipped = int(first.flow[-1])
        # 2: the least cost at that flow
        lower[-1] = capacity[-1] = shipped
        cost = np.concatenate([network.cost, zero])
        second = self._with_lower_bounds(
            Network.build(n + 2, tail, head, capacity=capacity, cost=cost, lower=lower)
        )
        flow = second.flow[:n_arcs]
        return Flow(flow, network.flow_cost(flow))


_ENGINES = {"ortools": OrToolsFlow}


def engine(name: str) -> FlowEngine:
    """The engine called ``name`` (see :class:`~kuseo_match.solve.options.SolveOptions`)."""
    try:
        return _ENGINES[name]()
    except KeyError:
        raise KuseoError(f"unknown flow engine {name!r}; known: {', '.join(_ENGINES)}") from None
