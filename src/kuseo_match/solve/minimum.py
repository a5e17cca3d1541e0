"""Minimum loads: lower bounds on the officers' arcs to the sink, met exactly.

With ``Policy(min_load=k)`` every officer of capacity ``k`` or more carries at
least ``k`` households.  The matching network carries the bounds (the engine
solves lower bounds exactly, in one network); the rounds are unchanged.  Two
things are new:

* the candidates may not let every officer reach its minimum although the
  allowed pairs do: then :func:`widen` adds each bound officer's nearest
  allowed households (four times as many each time) until the bounds can be
  met, or until every allowed pair of the bound officers is a candidate --
  which decides it, since only their households matter for the bounds;
* when the bounds cannot be met at all, :func:`shortfall` says which officers
  fall short and by how much, per district (a flow that gives the bound
  officers as many households as they can get).
"""

from __future__ import annotations

import numpy as np

from ..errors import InfeasibleError
from .certificate import int_costs
from .engine import FlowEngine
from .network import Matching, Network
from .table import Candidates

__all__ = ["shortfall", "widen"]


def widen(model, table: Candidates, lower: np.ndarray, scale: float, width: int) -> int:
    """Add each bound officer's nearest allowed households to the table: ``width`` times
    the number of bound officers within :data:`CLUSTER_KM` of it (officers who sit at
    one office share their nearest households), at most every household.

    Returns the next width to try, or 0 when every allowed pair of the bound
    officers is in the table already (the bounds are then decided).
    """
    n_h = model.problem.n_households
    bound = np.flatnonzero(lower > 0)
    crowd = model.officers_near(bound, CLUSTER_KM)
    want = np.minimum(width * crowd * lower[bound], n_h)
    o, h = model.nearest_of(bound, np.arange(n_h), int(want.max()))
    keep = np.arange(len(o)) % int(want.max()) < np.repeat(want, int(want.max()))
    o, h = o[keep], h[keep]
    pc, cost = int_costs(model, o, h, scale)
    table.add(o[pc.allowed], h[pc.allowed], cost[pc.allowed])
    return 0 if (want >= n_h).all() else width * 4


#: Officers within this many km of each other count as one office when the candidates
#: are widened for minimum loads.
CLUSTER_KM = 2.0


def shortfall(
    problem, matching: Matching, table: Candidates, lower: np.ndarray, engine: FlowEngine
) -> InfeasibleError:
    """The error for minimum loads that no pairing meets: which officers fall short,
    and by how much, per district.

    A circulation gives the bound officers as many households as they can get
    (one unit of cost -1 per household up to each one's minimum), on the
    candidates, which hold every allowed pair of the bound officers by then.
    """
    n_h, n_o = matching.n_households, matching.n_officers
    capacity = problem.capacity
    pairs = len(table)
    sources = matching.sources(table.h)
    officers = matching.officer_nodes
    tail = np.concatenate(
        [table.h, np.full(len(sources), matching.source), officers, officers, [matching.sink]]
    )
    head = np.concatenate(
        [
            n_h + table.o,
            sources,
            np.full(n_o, matching.sink),
            np.full(n_o, matching.sink),
            [matching.source],
        ]
    )
    cap = np.concatenate([np.ones(pairs + len(sources), np.int64), lower, capacity - lower, [n_h]])
    cost = np.concatenate(
        [
            np.zeros(pairs + len(sources), np.int64),
            -np.ones(n_o, np.int64),
            np.zeros(n_o + 1, np.int64),
        ]
    )
    flow = engine.solve(Network.build(matching.n_nodes, tail, head, capacity=cap, cost=cost)).flow
    got = flow[pairs + len(sources) : pairs + len(sources) + n_o]
    short = lower - got
    who = np.flatnonzero(short > 0)
    offs = problem.officers
    by_district = (
        offs.iloc[who]
        .assign(short=short[who])
        .groupby("district")
        .agg(officers=("officer_id", "size"), short=("short", "sum"))
        .sort_values(["short", "officers"], ascending=False)
    )
    parts = [
        f"{district}: {int(r.officers)} officer(s) short of {int(r.short)} household(s)"
        for district, r in by_district.head(8).iterrows()
    ]
    more = f"; and {len(by_district) - 8} more districts" if len(by_district) > 8 else ""
    first = ", ".join(repr(v) for v in offs["officer_id"].iloc[who[:5]].tolist())
    return InfeasibleError(
        f"min_load cannot be met: {len(who)} officer(s) cannot get enough households within "
        f"the policy ({int(short.sum())} short in all; {'; '.join(parts)}{more}); for "
        f"example {first}; lower min_load, allow more distance, or move these officers"
    )
