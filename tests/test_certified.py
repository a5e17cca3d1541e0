"""The certified solve at its edges: instances built to need many rounds, the start
prices, the dual completion and the memory bound of the search beyond the pool.

Every optimum is checked against the dense oracle (:func:`oracle.optimum`, the
Hungarian method on every pair of the raw tables); every set of undercutting pairs
against brute force over every pair.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match.solve import Matching, SolveOptions, solve
from kuseo_match.solve.certificate import int_costs, priced_out, top_per_household
from kuseo_match.solve.potentials import LabelSearch
from kuseo_match.solve.table import Candidates
from oracle import builtin_costs, capacities, optimum
from util import geo_model


def _oracle(o: pd.DataFrame, h: pd.DataFrame, policy: km.Policy):
    capacity = capacities(o, policy.capacity)
    return optimum(capacity, builtin_costs(o, h, policy, capacity).matrix())


def _saturated(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every slot needed: as many slots as households, officers at a few offices."""
    o, h = km.synthetic_province(officers=40, households=80, seed=seed)
    return o, h


def _far(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Officers crowded at two far ends of the province, households everywhere."""
    o, h = km.synthetic_province(officers=60, households=90, seed=seed)
    rng = np.random.default_rng(seed)
    at_hall = rng.random(len(o)) < 0.5
    o = o.assign(
        lat=np.where(at_hall, 16.44, 15.85) + rng.normal(0, 0.002, len(o)),
        lon=np.where(at_hall, 102.84, 102.05) + rng.normal(0, 0.002, len(o)),
        district=np.where(at_hall, "TH4001", "TH4024"),
    )
    return o, h


@pytest.mark.parametrize("make", [_saturated, _far], ids=["saturated", "officers far"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("engine", ["lemon", "ortools"])
def test_instances_that_need_many_rounds_reach_the_oracle(make, seed: int, engine: str) -> None:
    o, h = make(seed)
    policy = km.Policy(candidate_k=1)  # the thinnest first candidates: many rounds
    best = _oracle(o, h, policy)
    options = SolveOptions(engine=engine, pool=1, pool_max=1)
    model = geo_model(o, h, policy, options)
    out = solve(model, k=1, options=options)
    assert out.certified and out.rounds > 1
    assert len(out.o) == best.n_paired
    assert model.costs(out.o, out.h).cost.sum() == pytest.approx(best.cost, rel=1e-9)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_start_at_the_optimal_prices_proves_in_one_round(seed: int) -> None:
    o, h = km.synthetic_province(officers=50, households=90, seed=seed)
    policy = km.Policy(candidate_k=2)
    model = geo_model(o, h, policy)
    cold = solve(model, k=2)
    assert cold.rounds > 1  # the cold solve needs more than one: the test has teeth
    warm = solve(model, k=2, start=cold.prices)
    assert warm.certified and warm.rounds == 1
    cost = model.costs
    assert cost(warm.o, warm.h).cost.sum() == pytest.approx(cost(cold.o, cold.h).cost.sum())
    np.testing.assert_allclose(warm.prices, cold.prices, atol=1e-9)


@pytest.mark.parametrize("seed", [3, 6])
def test_wrong_start_prices_still_give_the_optimum(seed: int) -> None:
    o, h = km.synthetic_province(officers=50, households=90, seed=seed)
    policy = km.Policy(candidate_k=2)
    model = geo_model(o, h, policy)
    best = _oracle(o, h, policy)
    right = solve(model, k=2).prices
    rng = np.random.default_rng(seed)
    for start in (
        rng.uniform(0, 40, len(right)),  # any prices
        right[::-1].copy(),  # the right prices on the wrong officers
        np.full(len(right), np.nan),  # none known
        3 * right,
    ):
        out = solve(model, k=2, start=start)
        assert out.certified and len(out.o) == best.n_paired
        assert model.costs(out.o, out.h).cost.sum() == pytest.approx(best.cost, rel=1e-9)


def test_start_prices_must_fit_the_officers() -> None:
    o, h = km.synthetic_province(officers=10, households=12)
    model = geo_model(o, h, km.Policy())
    with pytest.raises(ValueError, match=r"start must have shape \(10,\)"):
        solve(model, k=2, start=np.zeros(3))


# --------------------------------------------------------------------------- beyond the pool
def _undercutting(model, scale: float, d_h, d_o, households):
    """Every allowed pair of ``households`` whose reduced cost is negative (brute force)."""
    n_o = model.problem.n_officers
    oo, hh = np.meshgrid(np.arange(n_o), households)
    oo, hh = oo.ravel(), hh.ravel()
    pc, c = int_costs(model, oo, hh, scale)
    bad = pc.allowed & (c + d_h[hh] - d_o[oo] < 0)
    return set(zip(oo[bad].tolist(), hh[bad].tolist(), strict=True))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("budget", [2_000_000, 40])
def test_the_search_beyond_the_pool_finds_every_undercutting_pair(seed: int, budget: int) -> None:
    """Random potentials, so that many pairs undercut: the search returns exactly the
    brute-force set (none kept back when ``per_household`` allows all), and with a
    tiny budget no ball query holds more than ``pair_budget`` pairs."""
    o, h = km.synthetic_province(officers=70, households=120, seed=seed)
    options = SolveOptions(pair_budget=budget, ball_chunk=4096)
    model = geo_model(o, h, km.Policy(), options)
    n_h, n_o = model.problem.n_households, model.problem.n_officers
    rng = np.random.default_rng(seed)
    scale = 1e6
    d_o = -rng.integers(0, 15_000_000, n_o)  # prices up to 15 km
    d_h = -rng.integers(0, 40_000_000, n_h)  # households' totals up to 40 km
    held = []
    real = model.within_lifted

    def watched(tree, officers, households, radius_km):
        held.append(len(households) * len(officers))
        return real(tree, officers, households, radius_km)

    model.within_lifted = watched  # type: ignore[method-assign]
    households = np.arange(n_h)
    floor = np.zeros(n_h)  # no pool: every pair is beyond it
    bo, bh, _, more = priced_out(model, scale, floor, d_h, d_o, n_o, households, options)
    expected = _undercutting(model, scale, d_h, d_o, households)
    assert len(expected) > 100  # there are many to find
    assert set(zip(bo.tolist(), bh.tolist(), strict=True)) == expected
    assert len(more) == 0
    largest = max(len(g) for g in model.groups)
    assert max(held) <= max(budget, largest)  # one household at a time at worst
    # each household's most negative few, and the households that had more
    bo, bh, bc, more = priced_out(model, scale, floor, d_h, d_o, 2, households, options)
    counts = np.bincount(bh, minlength=n_h)
    assert counts.max() <= 2
    every = np.bincount([x for _, x in expected], minlength=n_h)
    assert set(more.tolist()) == set(np.flatnonzero(every > 2).tolist())
    reduced = bc + d_h[bh] - d_o[bo]
    for household in np.flatnonzero(every > 2)[:10]:
        all_reduced = sorted(
            int(model_cost - d_o[oo] + d_h[household])
            for oo, model_cost in (
                (x, int_costs(model, np.array([x]), np.array([household]), scale)[1][0])
                for x, hh in expected
                if hh == household
            )
        )
        assert sorted(reduced[bh == household].tolist()) == all_reduced[:2]


def test_top_per_household_keeps_the_smallest_in_order() -> None:
    h = np.array([2, 0, 2, 2, 0, 1])
    key = np.array([5, 1, 3, 3, 0, 7])
    keep = top_per_household(h, key, 2)
    assert keep.tolist() == [1, 2, 3, 4, 5]  # household 2 keeps its two 3s, not the 5


# --------------------------------------------------------------------------- dual completion
def test_label_search_finds_a_negative_cycle() -> None:
    # 0 -> 1 -> 2 -> 1 with the cycle 1 -> 2 -> 1 of weight -1
    search = LabelSearch(np.array([0, 1, 2]), np.array([1, 2, 1]), np.array([1, 2, -3]), 3)
    d = np.array([0, 1, 3])
    pred = np.array([0, 0, 1])
    assert not search.run(d, np.array([2]), pred=pred, root=0)
    # through the root: its label falls
    back = LabelSearch(np.array([0, 1]), np.array([1, 0]), np.array([1, -2]), 2)
    assert not back.run(np.array([0, 1]), np.array([1]), pred=np.array([0, 0]), root=0)


def test_label_search_without_a_cycle_gives_shortest_paths() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = 8
        tail = rng.integers(0, n, 20)
        head = (tail + rng.integers(1, n, 20)) % n
        weight = rng.integers(0, 9, 20)
        # shortest paths from 0 by brute force (Floyd-Warshall on non-negative weights)
        dist = np.full((n, n), np.inf)
        np.fill_diagonal(dist, 0)
        for t, hh, w in zip(tail, head, weight, strict=True):
            dist[t, hh] = min(dist[t, hh], w)
        for k in range(n):
            dist = np.minimum(dist, dist[:, [k]] + dist[[k], :])
        search = LabelSearch(tail, head, weight, n)
        d = np.full(n, 10**12, np.int64)
        d[0] = 0
        pred = np.full(n, -1, np.int64)
        pred[0] = 0
        assert search.run(d, np.array([0]), pred=pred, root=0)
        reached = np.isfinite(dist[0])
        assert (d[reached] == dist[0][reached]).all()


def test_a_round_whose_flow_is_optimal_is_proven_without_another_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """First candidates that hold an optimal pairing but little else: the first
    round's flow is optimal, its potentials still undercut thousands of pairs left
    out, and the completion carries the shortest paths over them, pass after pass,
    instead of solving the flow again."""
    o, h = km.synthetic_province(officers=300, households=500, seed=2)
    policy = km.Policy(candidate_k=1)
    options = SolveOptions(pool=1, pool_max=1)
    model = geo_model(o, h, policy, options)
    best = solve(model, k=1, options=options)
    first = Candidates.first

    def with_the_optimum(model, k, scale, options):
        table = first(model, k, scale, options)
        _, cost = int_costs(model, best.o, best.h, scale)
        table.add(best.o, best.h, cost)
        return table

    monkeypatch.setattr(Candidates, "first", staticmethod(with_the_optimum))
    again = solve(model, k=1, options=options)
    assert again.certified and again.rounds == 1 and again.passes > 1
    np.testing.assert_allclose(again.prices, best.prices, atol=1e-9)


def test_the_first_candidates_of_a_start_hold_the_cheapest_pairs_at_those_prices() -> None:
    from kuseo_match.solve.certified import _start_pairs, choose_scale

    o, h = km.synthetic_province(officers=60, households=100, seed=8)
    model = geo_model(o, h, km.Policy())
    out = solve(model, k=2)
    matching = Matching(n_officers=len(o), n_households=len(h))
    scale = choose_scale(model.max_cost_bound(), matching.n_nodes, False)
    table = Candidates.first(model, 2, scale, SolveOptions())
    _start_pairs(model, table, out.prices, scale, SolveOptions())
    have = set(zip(table.o.tolist(), table.h.tolist(), strict=True))
    assert set(zip(out.o.tolist(), out.h.tolist(), strict=True)) <= have


def test_a_large_solve_says_its_size_first() -> None:
    """From ``announce_households`` on, the first progress line gives the first
    round's candidate pairs and the expected peak memory."""
    o, h = km.synthetic_province(officers=60, households=100, seed=1)
    lines: list[str] = []
    options = SolveOptions(announce_households=100)
    km.match(o, h, options=options, progress=lines.append)
    said = [line for line in lines if "expect about" in line]
    assert len(said) == 1
    assert said[0].startswith("100 households: ") and "GB at the peak" in said[0]
    assert lines.index(said[0]) < next(i for i, x in enumerate(lines) if x.startswith("round 1"))
    quiet: list[str] = []
    km.match(o, h, progress=quiet.append)  # below the default: nothing said
    assert not any("expect about" in line for line in quiet)


def test_match_starts_from_an_earlier_runs_prices() -> None:
    o, h = km.synthetic_province(officers=120, households=200, seed=4)
    policy = km.Policy(candidate_k=2)
    cold = km.match(o, h, policy)
    assert cold.stats["rounds"] > 1
    warm = km.match(o, h, policy, start=cold.officer_load)
    assert warm.stats["rounds"] == 1
    assert warm.objective == pytest.approx(cold.objective)
    by_id = km.match(o, h, policy, start=cold.officer_load.set_index("officer_id")["price"])
    assert by_id.stats["rounds"] == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (pd.DataFrame({"officer_id": ["x"]}), "must have the columns officer_id and price"),
        ([1.0, 2.0], "must be a pandas Series of prices by officer_id"),
        (pd.Series([-1.0], index=["OF001"]), "must be a number >= 0"),
        (pd.Series(["cheap"], index=["OF001"]), "must be a number >= 0"),
        (pd.Series([1.0, 2.0], index=["OF001", "OF001"]), "an officer_id is given twice"),
    ],
)
def test_start_prices_are_checked(start, message: str) -> None:
    o, h = km.synthetic_province(officers=10, households=12)
    with pytest.raises(km.ValidationError, match=message) as info:
        km.match(o, h, start=start)
    assert info.value.table == "start"
