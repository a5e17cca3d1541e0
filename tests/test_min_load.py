"""Minimum loads (``Policy(min_load=k)``), exact: against a linear-programming oracle over
every pair, the invariant (every officer of capacity >= k carries >= k), the shortfall
message when no pairing meets it, and the cost of the rule on synthetic Khon Kaen."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, vstack

import kuseo_match as km
from kuseo_match import InfeasibleError
from oracle import builtin_costs, capacities

PROPERTY = settings(max_examples=50, deadline=None, derandomize=True, print_blob=True)


def lp_optimum(matrix: np.ndarray, capacity: np.ndarray, lower: np.ndarray):
    """(paired, least cost) with every officer's load in [lower, capacity], each household
    at most once, over the finite pairs of ``matrix``; None when the bounds cannot hold.
    Two LPs (most pairs, then least cost at that); the matrix is totally unimodular."""
    oo, hh = np.nonzero(np.isfinite(matrix))
    n_o, n_h = matrix.shape
    m = len(oo)
    if m == 0:
        return (0, 0.0) if not lower.any() else None
    by_o = coo_matrix((np.ones(m), (oo, np.arange(m))), shape=(n_o, m))
    by_h = coo_matrix((np.ones(m), (hh, np.arange(m))), shape=(n_h, m))
    a_ub = vstack([by_o, -by_o, by_h]).tocsr()
    b_ub = np.r_[capacity, -lower, np.ones(n_h)]
    first = linprog(-np.ones(m), A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if first.status == 2:
        return None
    paired = round(-first.fun)
    second = linprog(
        matrix[oo, hh],
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=np.ones((1, m)),
        b_eq=[paired],
        bounds=(0, 1),
        method="highs",
    )
    assert second.status == 0
    return paired, float(second.fun)


@st.composite
def cases(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    n_o, n_h = draw(st.integers(2, 12)), draw(st.integers(2, 30))
    o, h = km.synthetic_province(officers=n_o, households=n_h, seed=seed)
    o = o.assign(capacity=np.random.default_rng(seed).integers(0, 4, n_o))
    policy = km.Policy(
        min_load=draw(st.sampled_from([1, 1, 2])),
        candidate_k=draw(st.sampled_from([1, 2, 24])),
        max_distance_km=draw(st.sampled_from([None, None, 30.0])),
        same_district=draw(st.sampled_from([False, False, True])),
    )
    return o, h, policy


@PROPERTY
@given(cases())
def test_min_load_matches_the_lp_oracle(case) -> None:
    o, h, policy = case
    capacity = capacities(o, policy.capacity)
    matrix = builtin_costs(o, h, policy, capacity).matrix()
    if policy.same_district:
        matrix[o["district"].to_numpy()[:, None] != h["district"].to_numpy()[None, :]] = np.inf
    k = policy.min_load
    lower = np.where(capacity >= k, k, 0)
    expected = lp_optimum(matrix, capacity, lower)
    if expected is None:
        with pytest.raises(InfeasibleError, match="min_load cannot be met"):
            km.match(o, h, policy)
        return
    result = km.match(o, h, policy)
    assert result.status == "optimal"
    assert len(result.pairs) == expected[0]
    assert result.objective == pytest.approx(expected[1], rel=1e-9, abs=1e-9)
    load = result.officer_load["load"].to_numpy()
    assert (load >= lower).all() and (load <= capacity).all()


def test_every_officer_carries_a_household_in_khon_kaen() -> None:
    o, h = km.synthetic_province()
    plain = km.match(o, h)
    ruled = km.match(o, h, km.Policy(min_load=1))
    assert (plain.officer_load["load"] == 0).sum() > 0  # 144 idle officers without the rule
    assert (ruled.officer_load["load"] >= 1).all()
    assert len(ruled.pairs) == len(plain.pairs) == 1174
    assert ruled.objective > plain.objective  # the rule has a cost
    assert ruled.stats["engine"] == "flow with lower bounds (lemon)"


def test_min_load_counts_locked_pairs() -> None:
    o, h = km.synthetic_province(officers=6, households=12, seed=1)
    first = km.match(o, h, km.Policy(min_load=2))
    keep = first.pairs.groupby("officer_id").head(1)[["officer_id", "household_id"]]
    again = km.match(o, h, km.Policy(min_load=2), locked=keep)
    assert again.objective == pytest.approx(first.objective)
    assert (again.officer_load["load"] >= 2).all()


def test_min_load_that_cannot_be_met_names_the_officers_per_district() -> None:
    officers = pd.DataFrame(
        {
            "officer_id": ["A", "B", "C"],
            "agency": "interior",
            "district": ["TH4001", "TH4001", "TH4020"],
            "lat": [16.44, 16.45, 16.7213],
            "lon": [102.83, 102.84, 101.8707],
        }
    )
    households = pd.DataFrame(
        {
            "household_id": [1, 2, 3],
            "kind": "welfare",
            "district": "TH4001",
            "lat": [16.45, 16.46, 16.47],
            "lon": [102.84, 102.85, 102.86],
        }
    )
    with pytest.raises(
        InfeasibleError,
        match=re.escape(
            "min_load cannot be met: 1 officer(s) cannot get enough households within the "
            "policy (1 short in all; TH4020: 1 officer(s) short of 1 household(s)); for "
            "example 'C'"
        ),
    ):
        km.match(officers, households, km.Policy(min_load=1, max_distance_km=30))
    # without the distance limit, C reaches a household: it is met
    assert (km.match(officers, households, km.Policy(min_load=1)).officer_load["load"] >= 1).all()


def test_min_load_above_the_households_cannot_be_met() -> None:
    o, h = km.synthetic_province(officers=10, households=8, seed=2)
    with pytest.raises(InfeasibleError, match=r"min_load cannot be met: \d+ officer"):
        km.match(o, h, km.Policy(min_load=1))


def test_min_load_must_be_a_whole_number() -> None:
    with pytest.raises(km.ValidationError, match="must be >= 0"):
        km.Policy(min_load=-1)
