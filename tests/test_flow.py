"""The flow layer on its own: re-optimising a flow after pairs join (``_repair``).

``_repair`` replaces a full re-solve between the certificate's rounds.  It must
give a flow as cheap as OR-Tools' on the enlarged candidates, with the same
number of pairs, and potentials that satisfy LP optimality on every residual
arc -- both checked here independently of the checks inside it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import kuseo_match as km
from kuseo_match import flow
from oracle import builtin_costs, capacities, optimum
from util import geo_model

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, print_blob=True)


def _check_optimality(n_o, n_h, capacity, o, h, cost, used, d) -> None:
    """LP optimality of a flow with potentials ``d`` (sink 0), arc by arc: unused
    pairs and free slots price at >= 0, used pairs and used slots at <= 0."""
    s, t = n_h + n_o, n_h + n_o + 1
    assert d[t] == 0
    d_h, d_o = d[:n_h], d[n_h : n_h + n_o]
    reduced = cost + d_h[h] - d_o[o]
    assert (reduced[~used] >= 0).all()
    assert (reduced[used] <= 0).all()
    load = np.bincount(o[used], minlength=n_o)
    assert (load <= capacity).all()
    assert (d_o[(load < capacity) & (capacity > 0)] >= 0).all()  # o -> t
    assert (d_o[load > 0] <= 0).all()  # t -> o
    matched = np.bincount(h[used], minlength=n_h)
    assert matched.max(initial=0) <= 1
    assert (d_h[matched == 1] >= d[s]).all()  # h -> s
    assert (d_h[matched == 0] <= d[s]).all()  # s -> h


@st.composite
def flow_instances(draw):
    """A small network with integer costs, split into first candidates and pairs
    that join later."""
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


@PROPERTY
@given(flow_instances(), st.sampled_from([10**6, 8, 2]))
def test_repair_matches_a_fresh_solve(instance, max_arcs: int) -> None:
    n_o, n_h, capacity, o, h, cost, n_first = instance
    used = flow.solve_flow(n_o, n_h, capacity, o[:n_first], h[:n_first], cost[:n_first])
    fresh = flow.solve_flow(n_o, n_h, capacity, o, h, cost)
    # the solver repairs only flows whose number of pairs is already the largest
    assume(used.sum() == fresh.sum())
    d = flow._distances(n_o, n_h, capacity, o[:n_first], h[:n_first], cost[:n_first], used)
    assume((d < flow._UNREACHED).all())
    before = np.concatenate([used, np.zeros(len(o) - n_first, dtype=bool)])
    out = flow._repair(n_o, n_h, capacity, o, h, cost, before, d, max_arcs=max_arcs)
    if out is None:
        assert max_arcs < 10**6  # only a cap on the arcs may stop it
        return
    repaired, d2 = out
    assert repaired.sum() == fresh.sum()
    assert cost[repaired].sum() == cost[fresh].sum()
    _check_optimality(n_o, n_h, capacity, o, h, cost, repaired, d2)
    assert (before == used.tolist() + [False] * (len(o) - n_first)).all()  # input untouched


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
        used = flow.solve_flow(n_o, n_h, capacity, o[:n_first], h[:n_first], cost[:n_first])
        fresh = flow.solve_flow(n_o, n_h, capacity, o, h, cost)
        if used.sum() != fresh.sum():
            continue
        d = flow._distances(n_o, n_h, capacity, o[:n_first], h[:n_first], cost[:n_first], used)
        if (d >= flow._UNREACHED).any():
            continue
        before = np.concatenate([used, np.zeros(len(o) - n_first, dtype=bool)])
        out = flow._repair(n_o, n_h, capacity, o, h, cost, before, d, max_arcs=len(o) * 4)
        assert out is not None
        assert cost[out[0]].sum() == cost[fresh].sum()
        _check_optimality(n_o, n_h, capacity, o, h, cost, *out)
        done += 1
    assert done > 100


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
def test_rounds_repaired_or_solved_afresh_reach_the_oracle(
    seed: int, policy: km.Policy, per_household: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The certificate's loop gives the all-pairs optimum whether every round is
    solved afresh (``repair=0``) or repaired whenever possible (``repair=inf``),
    and the repaired run did repair rounds (the test is not vacuous).  After a
    repair only households whose pairs may undercut are priced again; with one
    joining pair per household per round, households with more undercutting
    pairs than that must stay among them."""
    o, h = km.synthetic_province(officers=45, households=80, seed=seed)
    model = geo_model(o, h, policy)
    capacity = capacities(o, policy.capacity)
    best = optimum(capacity, builtin_costs(o, h, policy, capacity).matrix())
    repairs = []
    real = flow._repair

    def counting(*args, **kwargs):
        out = real(*args, **kwargs)
        repairs.append(out is not None)
        return out

    monkeypatch.setattr(flow, "_repair", counting)
    monkeypatch.setattr(flow, "_REPAIR_SHARE", 4.0)  # room for every arc: never declined
    totals = []
    for repair in (0.0, np.inf):
        repairs.clear()
        out = flow.solve_certified(
            model, k=policy.candidate_k, repair=repair, per_household=per_household
        )
        assert out.certified
        assert len(out.o) == best.n_paired
        totals.append(model.costs(out.o, out.h).cost.sum())
        assert totals[-1] == pytest.approx(best.cost, rel=1e-9)
        if repair == 0.0:
            assert repairs == []
        else:
            assert repairs and all(repairs)
    assert totals[0] == pytest.approx(totals[1], rel=1e-12)
