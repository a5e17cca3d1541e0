"""The solve core on its own: the engines against a linear-programming oracle (with lower
bounds and supplies), the re-optimisation of a flow, the rounds of the certified solve,
the officers' prices and the shortfall witness.

The oracle for networks is :func:`scipy.optimize.linprog` (HiGHS) on the arc-flow LP,
whose constraint matrix is totally unimodular, so its optimum is the integer one.
"""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import kuseo_match as km
from kuseo_match.errors import InfeasibleError, ValidationError
from kuseo_match.solve import Matching, Network, OrToolsFlow, SolveOptions, engine, solve
from kuseo_match.solve.potentials import UNREACHED, matching_potentials
from kuseo_match.solve.repair import reoptimise
from oracle import builtin_costs, capacities, optimum
from util import geo_model

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, print_blob=True)


# --------------------------------------------------------------------------- LP oracle
def lp_optimum(net: Network, maximize: bool) -> tuple[int, float] | None:
    """(flow shipped, least cost) of the network's LP, or None when infeasible.

    Exact mode: every supply met.  ``maximize``: supplies are upper bounds, the
    most flow shipped first, then the least cost."""
    n, m = net.n_nodes, net.n_arcs
    a = np.zeros((n, m))
    a[net.tail, np.arange(m)] += 1.0
    a[net.head, np.arange(m)] -= 1.0
    bounds = list(zip(net.lower.tolist(), net.capacity.tolist(), strict=True))
    if not maximize:
        res = linprog(net.cost, A_eq=a, b_eq=net.supply, bounds=bounds, method="highs")
        if res.status == 2:
            return None
        assert res.status == 0
        return int(net.supply[net.supply > 0].sum()), float(res.fun)
    # variables: arc flows, then each node's net outflow y within [min(b, 0), max(b, 0)]
    a_eq = np.hstack([a, -np.eye(n)])
    ybounds = [(min(b, 0), max(b, 0)) for b in net.supply.tolist()]
    send = np.r_[np.zeros(m), (net.supply > 0).astype(float)]
    res = linprog(-send, A_eq=a_eq, b_eq=np.zeros(n), bounds=bounds + ybounds, method="highs")
    if res.status == 2:
        return None
    assert res.status == 0
    shipped = round(-res.fun)
    cost = np.r_[net.cost, np.zeros(n)]
    res = linprog(
        cost,
        A_eq=np.vstack([a_eq, send]),
        b_eq=np.r_[np.zeros(n), shipped],
        bounds=bounds + ybounds,
        method="highs",
    )
    assert res.status == 0
    return shipped, float(res.fun)


@st.composite
def networks(draw) -> Network:
    """Small networks: any arcs (parallel ones too), lower bounds, costs of any sign
    on a graph without negative cycles' trouble (the LP handles those), supplies
    that add up to zero."""
    n = draw(st.integers(2, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    m = draw(st.integers(1, 12))
    tail = rng.integers(0, n, m)
    head = (tail + rng.integers(1, n, m)) % n  # no loops
    capacity = rng.integers(0, 4, m)
    lower = np.where(rng.random(m) < draw(st.sampled_from([0.0, 0.3])), capacity, 0)
    lower = np.minimum(lower, rng.integers(0, 3, m))
    cost = rng.integers(draw(st.sampled_from([0, -5])), 10, m)
    supply = np.zeros(n, np.int64)
    for _ in range(draw(st.integers(0, 3))):
        i, j = rng.choice(n, 2, replace=False)
        amount = int(rng.integers(1, 3))
        supply[i] += amount
        supply[j] -= amount
    return Network.build(n, tail, head, capacity=capacity, cost=cost, lower=lower, supply=supply)


@PROPERTY
@given(networks(), st.booleans(), st.sampled_from(["lemon", "ortools"]))
def test_engine_matches_the_lp(net: Network, maximize: bool, name: str) -> None:
    expected = lp_optimum(net, maximize)
    if expected is None:
        with pytest.raises(InfeasibleError):
            engine(name).solve(net, maximize=maximize)
        return
    got = engine(name).solve(net, maximize=maximize)
    flow = got.flow
    assert ((flow >= net.lower) & (flow <= net.capacity)).all()
    out = np.bincount(net.tail, flow, net.n_nodes) - np.bincount(net.head, flow, net.n_nodes)
    if maximize:
        assert (np.sign(out) * np.sign(net.supply) >= 0).all()  # only senders send
        assert (np.abs(out) <= np.abs(net.supply)).all()
        assert int(out[net.supply > 0].sum()) == expected[0]
    else:
        assert net.is_feasible(flow)
    assert got.cost == net.flow_cost(flow)
    assert got.cost == pytest.approx(expected[1], abs=1e-6)
    if got.potentials is not None:  # LEMON's: the dual that proves the flow optimal
        assert (net.residual(flow).reduced(got.potentials) >= 0).all()


@pytest.mark.parametrize("name", ["lemon", "ortools"])
def test_engine_lower_bounds_by_hand(name: str) -> None:
    # 0 -> 1 -> 3 is cheap, 0 -> 2 -> 3 dear, but arc 0 -> 2 must carry at least 1
    net = Network.build(
        4,
        [0, 1, 0, 2],
        [1, 3, 2, 3],
        capacity=[2, 2, 2, 2],
        cost=[1, 1, 5, 5],
        lower=[0, 0, 1, 0],
        supply=[2, 0, 0, -2],
    )
    assert engine(name).solve(net).flow.tolist() == [1, 1, 1, 1]
    assert engine(name).solve(net, maximize=True).cost == 12
    stuck = Network.build(2, [0], [1], capacity=[1], cost=[0], lower=[1])  # 1 unit, nowhere to go
    with pytest.raises(InfeasibleError):
        engine(name).solve(stuck)
    with pytest.raises(InfeasibleError):
        engine(name).solve(stuck, maximize=True)


def test_network_checks_its_arcs() -> None:
    with pytest.raises(ValueError, match=re.escape("0 <= lower <= capacity")):
        Network.build(2, [0], [1], capacity=[1], cost=[0], lower=[2])
    with pytest.raises(ValueError, match=re.escape("nodes 0 .. n_nodes - 1")):
        Network.build(2, [0], [2], capacity=[1], cost=[0])


def test_matching_network_with_min_loads_is_exact() -> None:
    """Minimum loads as lower bounds on the officers' arcs to the sink: officer 1 must
    take a household although officer 0 is cheaper for both."""
    m = Matching(n_officers=2, n_households=2)
    o, h, c = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), np.array([1, 1, 10, 20])
    free = OrToolsFlow().solve(m.network(np.array([2, 2]), o, h, c), maximize=True)
    assert free.cost == 2
    bound = m.network(np.array([2, 2]), o, h, c, min_load=np.array([0, 1]))
    forced = OrToolsFlow().solve(bound, maximize=True)
    assert forced.cost == 11 and m.used(forced.flow, 4).tolist() == [False, True, True, False]


# --------------------------------------------------------------------------- repair
@st.composite
def flow_instances(draw):
    """A small matching network with integer costs, split into first candidates and
    pairs that join later."""
    n_o = draw(st.integers(1, 7))
    n_h = draw(st.integers(1, 10))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    capacity = rng.integers(0, 4, n_o)
    oo, hh = np.meshgrid(np.arange(n_o), np.arange(n_h))
    keep = rng.random(oo.size) < draw(st.sampled_from([0.4, 0.7, 1.0]))
    o, h = oo.ravel()[keep], hh.ravel()[keep]
    cost = rng.integers(0, draw(st.sampled_from([3, 50, 10**9])), len(o)).astype(np.int64)
    first = rng.random(len(o)) < draw(st.sampled_from([0.3, 0.6, 0.9]))
    order = np.argsort(~first, kind="stable")  # first candidates, then the joiners
    return n_o, n_h, capacity, o[order], h[order], cost[order], int(first.sum())


def _feasible(net: Network, flow: np.ndarray, d: np.ndarray, m: Matching) -> None:
    """LP optimality checked arc by arc: every residual arc prices at >= 0."""
    assert d[m.sink] == 0
    assert (net.residual(flow).reduced(d) >= 0).all()


def _solve_pairs(n_o, n_h, capacity, o, h, cost):
    m = Matching(n_officers=n_o, n_households=n_h)
    net = m.network(capacity, o, h, cost)
    return m, net, OrToolsFlow().solve(net, maximize=True).flow


@PROPERTY
@given(flow_instances(), st.sampled_from([10**6, 8, 2]))
def test_repair_matches_a_fresh_solve(instance, max_arcs: int) -> None:
    n_o, n_h, capacity, o, h, cost, n_first = instance
    m, first_net, first = _solve_pairs(n_o, n_h, capacity, o[:n_first], h[:n_first], cost[:n_first])
    _, full_net, fresh = _solve_pairs(n_o, n_h, capacity, o, h, cost)
    used_first = m.used(first, n_first)
    # the solver repairs only flows whose number of pairs is already the largest
    assume(used_first.sum() == m.used(fresh, len(o)).sum())
    d = matching_potentials(m, first_net, first)
    assume((d < UNREACHED).all())
    start = m.arc_flows(capacity, o, h, np.r_[used_first, np.zeros(len(o) - n_first, bool)])
    before = start.copy()
    out = reoptimise(m, full_net, start, d, OrToolsFlow(), max_arcs=max_arcs)
    if out is None:
        assert max_arcs < 10**6  # only a cap on the arcs may stop it
        return
    flow, d2 = out
    assert m.used(flow, len(o)).sum() == m.used(fresh, len(o)).sum()
    assert full_net.flow_cost(flow) == full_net.flow_cost(fresh)
    _feasible(full_net, flow, d2, m)
    assert (start == before).all()  # the input is untouched


def test_repair_with_the_full_bound_never_declines() -> None:
    """With room for every arc below ``sum(-r)`` one circulation is exact: checked
    over many random networks where a fresh solve decides the answer."""
    rng = np.random.default_rng(7)
    done = 0
    for _ in range(300):
        n_o, n_h = int(rng.integers(2, 9)), int(rng.integers(2, 12))
        capacity = rng.integers(1, 3, n_o)
        oo, hh = np.meshgrid(np.arange(n_o), np.arange(n_h))
        o, h = oo.ravel(), hh.ravel()
        cost = rng.integers(0, 1000, len(o)).astype(np.int64)
        n_first = len(o) // 2
        perm = rng.permutation(len(o))
        o, h, cost = o[perm], h[perm], cost[perm]
        m, net1, first = _solve_pairs(n_o, n_h, capacity, o[:n_first], h[:n_first], cost[:n_first])
        _, net, fresh = _solve_pairs(n_o, n_h, capacity, o, h, cost)
        used = m.used(first, n_first)
        if used.sum() != m.used(fresh, len(o)).sum():
            continue
        d = matching_potentials(m, net1, first)
        if (d >= UNREACHED).any():
            continue
        start = m.arc_flows(capacity, o, h, np.r_[used, np.zeros(len(o) - n_first, bool)])
        out = reoptimise(m, net, start, d, OrToolsFlow(), max_arcs=len(o) * 4)
        assert out is not None
        assert net.flow_cost(out[0]) == net.flow_cost(fresh)
        _feasible(net, *out, m)
        done += 1
    assert done > 100


# --------------------------------------------------------------------------- rounds
@pytest.mark.parametrize(
    ("seed", "policy"),
    [
        (11, km.Policy(candidate_k=1)),
        (12, km.Policy(candidate_k=2, max_distance_km=30)),
        (13, km.Policy(candidate_k=1, cross_district_penalty=0)),
        (14, km.Policy(candidate_k=3, fit_weight=25)),
        # found by a search over seeds: the certificate goes wrong here when households
        # whose pool pairs were cut (seed 2), or whose pairs beyond the pool were cut
        # (seed 0), count as proven after a repair
        (0, km.Policy(candidate_k=1)),
        (2, km.Policy(candidate_k=3, fit_weight=25)),
    ],
)
@pytest.mark.parametrize("per_household", [16, 1])
def test_rounds_reach_the_oracle_on_either_engine(
    seed: int, policy: km.Policy, per_household: int
) -> None:
    """The certificate's loop gives the all-pairs optimum on either flow engine (LEMON
    with its potentials, OR-Tools with Bellman-Ford's).  With one joining pair per
    household per pass, households with more undercutting pairs than that must be
    priced again although their label did not fall."""
    o, h = km.synthetic_province(officers=45, households=80, seed=seed)
    capacity = capacities(o, policy.capacity)
    best = optimum(capacity, builtin_costs(o, h, policy, capacity).matrix())
    totals, passes = [], []
    for name in ("lemon", "ortools"):
        options = SolveOptions(engine=name, per_household=per_household)
        model = geo_model(o, h, policy, options)
        out = solve(model, k=policy.candidate_k, options=options)
        assert out.certified and out.engine == name
        assert len(out.o) == best.n_paired
        totals.append(model.costs(out.o, out.h).cost.sum())
        assert totals[-1] == pytest.approx(best.cost, rel=1e-9)
        passes.append(out.passes)
    assert totals[0] == pytest.approx(totals[1], rel=1e-12)
    assert min(passes) >= 1


def test_households_far_outnumbering_slots_reach_the_oracle() -> None:
    """900 households, 60 officers (120 slots): the pools stay narrow (never every
    officer) and the officers' side of the first candidates does the rest."""
    o, h = km.synthetic_province(officers=60, households=900, seed=5)
    policy = km.Policy(candidate_k=2)
    options = SolveOptions(pool=1, pool_max=1)
    model = geo_model(o, h, policy, options)
    out = solve(model, k=policy.candidate_k, options=options)
    capacity = capacities(o, policy.capacity)
    best = optimum(capacity, builtin_costs(o, h, policy, capacity).matrix())
    assert out.certified and len(out.o) == best.n_paired == int(capacity.sum())
    assert model.costs(out.o, out.h).cost.sum() == pytest.approx(best.cost, rel=1e-9)
    assert out.candidate_pairs < 20 * 900  # never households x officers (54,000)


def test_one_thread_spawns_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    real = threading.Thread.start

    def counting(self: threading.Thread) -> None:
        started.append(self.name)
        real(self)

    monkeypatch.setattr(threading.Thread, "start", counting)
    o, h = km.synthetic_province(officers=50, households=90, seed=4)
    policy = km.Policy(candidate_k=1)  # thin first candidates: the balls are queried
    result = km.match(o, h, policy, options=SolveOptions(threads=1))
    assert result.status == "optimal" and result.stats["rounds"] > 1
    assert started == []
    km.match(o, h, policy, options=SolveOptions(threads=2, thread_min_households=1))
    assert started  # the same run on two threads does start them: the check has teeth


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"threads": 0}, "must be a whole number >= 1, or None"),
        ({"threads": True}, "must be a whole number >= 1, or None"),
        ({"engine": "gurobi"}, "must be 'lemon' or 'ortools'"),
        ({"pool": 0}, "must be a whole number >= 1"),
        ({"ball_chunk": 2.5}, "must be a whole number >= 1"),
        ({"pair_budget": 0}, "must be a whole number >= 1"),
        ({"repair": -1}, "must be a number >= 0"),
    ],
)
def test_options_are_checked(changes: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        SolveOptions(**changes)
    assert info.value.table == "options" and info.value.column == next(iter(changes))


def test_options_replace_refuses_unknown_knobs() -> None:
    assert SolveOptions().replace(threads=1).threads == 1
    with pytest.raises(ValidationError, match="unknown option"):
        SolveOptions().replace(thread=1)


def test_match_refuses_options_of_another_type() -> None:
    o, h = km.synthetic_province(officers=5, households=5)
    with pytest.raises(ValidationError, match=re.escape("must be a kuseo_match.SolveOptions")):
        km.match(o, h, options={"threads": 1})
