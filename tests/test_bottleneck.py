"""``Policy(objective="bottleneck")``: the least longest pair (distance, or cost with
``costs=``), then the least total cost among the pairings that achieve it, the most
households still paired first; against a dense oracle that tries every threshold."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kuseo_match as km
from oracle import builtin_costs, capacities, optimum, table_cost_matrix

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, print_blob=True)


def oracle_bottleneck(values: np.ndarray, cost: np.ndarray, capacity: np.ndarray):
    """(paired, least longest value, least total cost at it) by trying every threshold;
    ``values`` and ``cost`` are (n_officers, n_households), ``inf`` where not allowed."""
    most = optimum(capacity, cost).n_paired
    for t in np.unique(values[np.isfinite(values)]):
        at = np.where(values <= t, cost, np.inf)
        best = optimum(capacity, at)
        if best.n_paired == most:
            return most, float(t), best.cost
    return most, 0.0, 0.0


@st.composite
def cases(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    o, h = km.synthetic_province(
        officers=draw(st.integers(1, 10)), households=draw(st.integers(1, 25)), seed=seed
    )
    o = o.assign(capacity=np.random.default_rng(seed).integers(0, 4, len(o)))
    policy = km.Policy(
        objective="bottleneck",
        candidate_k=draw(st.sampled_from([1, 2, 24])),
        max_distance_km=draw(st.sampled_from([None, None, 40.0])),
    )
    return o, h, policy


@PROPERTY
@given(cases())
def test_bottleneck_matches_the_oracle(case) -> None:
    o, h, policy = case
    capacity = capacities(o, policy.capacity)
    costs = builtin_costs(o, h, policy, capacity)
    cost = costs.matrix()
    values = np.where(np.isfinite(cost), costs.distance_km, np.inf)
    paired, longest, total = oracle_bottleneck(values, cost, capacity)
    result = km.match(o, h, policy)
    assert result.status == "optimal"
    assert len(result.pairs) == paired
    if paired:
        assert result.pairs["distance_km"].max() == pytest.approx(longest, abs=1e-6)
        assert result.stats["bottleneck_km"] == pytest.approx(longest, abs=1e-6)
        assert result.objective == pytest.approx(total, rel=1e-9, abs=1e-6)


@PROPERTY
@given(cases(), st.integers(0, 2**31 - 1))
def test_bottleneck_on_a_costs_table_is_on_the_cost(case, seed: int) -> None:
    o, h, policy = case
    rng = np.random.default_rng(seed)
    oo, hh = np.nonzero(rng.random((len(o), len(h))) < 0.6)
    costs = pd.DataFrame(
        {
            "officer_id": o["officer_id"].to_numpy()[oo],
            "household_id": h["household_id"].to_numpy()[hh],
            "cost": rng.integers(0, 20, len(oo)),
        }
    )
    capacity = capacities(o, policy.capacity)
    matrix = table_cost_matrix(o, h, costs, capacity)
    paired, longest, total = oracle_bottleneck(matrix, matrix, capacity)
    result = km.match(o, h, policy, costs=costs)
    assert len(result.pairs) == paired
    if paired:
        assert result.pairs["cost"].max() == longest
        assert result.stats["bottleneck_cost"] == longest
        assert result.objective == pytest.approx(total)


def test_bottleneck_on_khon_kaen_shortens_the_longest_pair() -> None:
    o, h = km.synthetic_province()
    plain = km.match(o, h)
    short = km.match(o, h, km.Policy(objective="bottleneck"))
    assert len(short.pairs) == len(plain.pairs) == 1174
    assert short.pairs["distance_km"].max() < plain.pairs["distance_km"].max()
    assert short.objective >= plain.objective
    assert short.stats["engine"] == "threshold flows (lemon)"
    assert short.stats["threshold_probes"] > 1


def test_the_two_threshold_searches_agree() -> None:
    """Over the pairs' own distances (when they fit in ``pair_budget``) or over the
    real line (when they do not): the same longest pair, objective and pairs."""
    o, h = km.synthetic_province(officers=60, households=90, seed=3)
    policy = km.Policy(objective="bottleneck")
    listed = km.match(o, h, policy)
    bisected = km.match(o, h, policy, options=km.SolveOptions(pair_budget=100))
    assert listed.stats["bottleneck_km"] == bisected.stats["bottleneck_km"]
    assert listed.objective == pytest.approx(bisected.objective, abs=1e-9)
    assert listed.stats["threshold_probes"] < bisected.stats["threshold_probes"]


def test_bottleneck_keeps_locked_pairs_and_minimum_loads() -> None:
    o, h = km.synthetic_province(officers=8, households=14, seed=4)
    locked = pd.DataFrame({"officer_id": ["OF00001"], "household_id": ["HH000001"]})
    policy = km.Policy(objective="bottleneck", min_load=1)
    result = km.match(o, h, policy, locked=locked)
    assert ("OF00001", "HH000001") in set(
        zip(result.pairs["officer_id"], result.pairs["household_id"], strict=True)
    )
    assert (result.officer_load["load"] >= 1).all()
    locked_km = km.pair_costs(o, h, locked)["distance_km"].iloc[0]
    assert result.stats["bottleneck_km"] >= locked_km - 1e-9


def test_objective_must_be_total_or_bottleneck() -> None:
    with pytest.raises(km.ValidationError, match=re.escape("must be 'total' or 'bottleneck'")):
        km.Policy(objective="minmax")
