"""Properties of ``kuseo_match.match`` on random small instances, and an oracle.

Every instance is checked against :mod:`oracle` (a dense
``linear_sum_assignment`` over every pair): the library's sparse candidates
plus its certificate must reach exactly the all-pairs optimum -- the same
number of paired households and the same least total cost.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kuseo_match as km
from oracle import builtin_costs, capacities, optimum, table_cost_matrix
from util import Instance, costs_instances, instances

PROPERTY = settings(max_examples=100, deadline=None, derandomize=True, print_blob=True)
FEW = settings(max_examples=60, deadline=None, derandomize=True, print_blob=True)


def _run(inst: Instance) -> km.Result:
    return km.match(inst.officers, inst.households, inst.policy, costs=inst.costs)


def _positions(inst: Instance, result: km.Result) -> tuple[np.ndarray, np.ndarray]:
    """Row positions in the caller's tables of each chosen pair."""
    o_pos = {str(v): i for i, v in enumerate(inst.officers["officer_id"])}
    h_pos = {str(v): j for j, v in enumerate(inst.households["household_id"])}
    o = np.array([o_pos[str(v)] for v in result.pairs["officer_id"]], dtype=np.int64)
    h = np.array([h_pos[str(v)] for v in result.pairs["household_id"]], dtype=np.int64)
    return o, h


def check_invariants(
    inst: Instance, result: km.Result, capacity: np.ndarray, allowed: np.ndarray
) -> None:
    """What every Result must satisfy, whatever the cost model.

    ``capacity`` (n_officers,) and ``allowed`` (n_officers, n_households) are
    the oracle's reading of the raw input.
    """
    pairs, unmatched = result.pairs, result.unmatched
    assert list(pairs.columns) == list(km.result.PAIR_COLUMNS)
    assert list(unmatched.columns) == list(km.result.UNMATCHED_COLUMNS)
    # no id invented; the ids are the caller's values (same type)
    officer_ids = set(inst.officers["officer_id"])
    household_ids = set(inst.households["household_id"])
    assert set(pairs["officer_id"]) <= officer_ids
    assert set(pairs["household_id"]) <= household_ids
    assert set(unmatched["household_id"]) <= household_ids
    # every household exactly once across pairs and unmatched
    seen = list(pairs["household_id"]) + list(unmatched["household_id"])
    assert len(seen) == len(set(seen)) == len(household_ids)
    assert result.n_households == len(inst.households)
    # pairs sorted by household id (numerically for whole-number ids, else as text)
    hh = pairs["household_id"]
    if pd.api.types.is_integer_dtype(inst.households["household_id"]):
        assert hh.is_monotonic_increasing
    else:
        assert hh.map(str).tolist() == sorted(hh.map(str))
    # capacity never exceeded; officer_load agrees with the pairs
    o, h = _positions(inst, result)
    load = np.bincount(o, minlength=len(inst.officers))
    assert (load <= capacity).all()
    table = result.officer_load.set_index(result.officer_load["officer_id"].map(str))
    ids = inst.officers["officer_id"].map(str)
    assert len(table) == len(inst.officers)
    assert table.loc[ids, "capacity"].to_numpy().tolist() == capacity.tolist()
    assert table.loc[ids, "load"].to_numpy().tolist() == load.tolist()
    # only allowed pairs
    assert allowed[o, h].all()
    # the objective is the sum of the pair costs; proven optimal
    assert result.objective == pytest.approx(float(pairs["cost"].sum()), rel=1e-12, abs=1e-12)
    assert result.status == "optimal"


def expected_reasons(
    inst: Instance,
    capacity: np.ndarray,
    allowed: np.ndarray,
    unmatched: pd.DataFrame,
    pairs: pd.DataFrame,
) -> list[str]:
    """The documented reason for each unmatched household, derived from the raw input:
    why it has no helper (no officers / no capacity / nobody listed or within reach /
    those are full / all slots taken), plus the group of households that no pairing
    can all cover (:func:`group_suffixes`)."""
    h_pos = {str(v): j for j, v in enumerate(inst.households["household_id"])}
    limit = inst.policy.max_distance_km
    n_h, total = len(inst.households), int(capacity.sum())
    groups = group_suffixes(inst, capacity, allowed, pairs)
    out = []
    for hid in unmatched["household_id"]:
        j = h_pos[str(hid)]
        reach = int(allowed[:, j].sum())
        if len(inst.officers) == 0:
            base = "there are no officers"
        elif total == 0:
            base = "no officer has capacity (every capacity is 0)"
        elif inst.costs is not None:
            base = (
                "no officer with capacity is listed for this household in costs"
                if reach == 0
                else f"the {reach} officer(s) listed for it in costs are all full"
            )
        elif limit is not None:
            base = (
                f"no officer within {limit:g} km"
                if reach == 0
                else f"the {reach} officer(s) within {limit:g} km are all full"
            )
        else:
            base = (
                f"all {total:,} officer slots are taken ({n_h:,} households, "
                f"{len(inst.officers):,} officers)"
            )
        out.append(base + groups.get(j, ""))
    return out


def group_suffixes(
    inst: Instance, capacity: np.ndarray, allowed: np.ndarray, pairs: pd.DataFrame
) -> dict[int, str]:
    """The documented group of each unmatched household: the households reachable from
    the unmatched ones by alternating paths (allowed pair to an officer, that officer's
    paired households), split into the connected groups of their allowed pairs; a group
    with more households than its officers' slots is named."""
    ok = allowed & (capacity[:, None] > 0)
    o_pos = {str(v): i for i, v in enumerate(inst.officers["officer_id"])}
    h_pos = {str(v): j for j, v in enumerate(inst.households["household_id"])}
    po = np.array([o_pos[str(v)] for v in pairs["officer_id"]], dtype=int)
    ph = np.array([h_pos[str(v)] for v in pairs["household_id"]], dtype=int)
    n_o, n_h = ok.shape
    paired = np.zeros(n_h, bool)
    paired[ph] = True
    seen_h, seen_o = ~paired, np.zeros(n_o, bool)
    frontier = np.flatnonzero(seen_h)
    while len(frontier):
        new_o = ok[:, frontier].any(axis=1) & ~seen_o
        seen_o |= new_o
        nxt = np.unique(ph[new_o[po]])
        frontier = nxt[~seen_h[nxt]]
        seen_h[frontier] = True
    # connected groups over the allowed pairs of the reached households
    label = -np.ones(n_h, int)
    out: dict[int, str] = {}
    for start in np.flatnonzero(seen_h):
        if label[start] >= 0:
            continue
        label[start] = start
        hs, os_ = [start], set()
        stack = [start]
        while stack:
            j = stack.pop()
            for i in np.flatnonzero(ok[:, j]):
                if i not in os_:
                    os_.add(i)
                    for k in np.flatnonzero(ok[i] & seen_h & (label < 0)):
                        label[k] = start
                        hs.append(k)
                        stack.append(k)
        slots = int(capacity[sorted(os_)].sum())
        if len(hs) > slots and os_:
            text = (
                f"; one of {len(hs):,} households that {len(os_):,} officer(s) with "
                f"{slots:,} slots can reach, {len(hs) - slots:,} more than any pairing covers"
            )
            out.update({k: text for k in hs})
    return out


def check_optimal(result: km.Result, matrix: np.ndarray, capacity: np.ndarray, exact: bool) -> None:
    """Same number of pairs and same total cost as the dense oracle."""
    best = optimum(capacity, matrix)
    assert len(result.pairs) == best.n_paired
    if exact:
        assert result.objective == best.cost
    else:
        assert result.objective == pytest.approx(best.cost, rel=1e-6, abs=1e-9)


# ----------------------------------------------------------------------------- built-in cost
@PROPERTY
@given(instances())
def test_builtin_cost_matches_all_pairs_oracle(inst: Instance) -> None:
    """Sparse candidates + certificate == dense optimum over every pair (with
    distance limits and candidate_k as small as 1, so the certificate must add
    pairs the first round never saw)."""
    result = _run(inst)
    capacity = capacities(inst.officers, inst.policy.capacity)
    model = builtin_costs(inst.officers, inst.households, inst.policy, capacity)
    check_invariants(inst, result, capacity, model.allowed)
    check_optimal(result, model.matrix(), capacity, exact=False)
    assert result.unmatched["reason"].tolist() == expected_reasons(
        inst, capacity, model.allowed, result.unmatched, result.pairs
    )
    # each chosen pair carries the oracle's own numbers
    o, h = _positions(inst, result)
    np.testing.assert_allclose(
        result.pairs["distance_km"], model.distance_km[o, h], rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(result.pairs["cost"], model.cost[o, h], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(result.pairs["fit"], model.fit[o, h], rtol=1e-12, atol=1e-12)
    if inst.policy.max_distance_km is not None:
        assert (result.pairs["distance_km"] <= inst.policy.max_distance_km).all()


@PROPERTY
@given(instances())
def test_pair_costs_is_the_documented_cost(inst: Instance) -> None:
    """``pair_costs`` on every pair equals the oracle's own haversine, fit and cost."""
    n_o, n_h = len(inst.officers), len(inst.households)
    o, h = (a.ravel() for a in np.meshgrid(np.arange(n_o), np.arange(n_h), indexing="ij"))
    asked = pd.DataFrame(
        {
            "officer_id": inst.officers["officer_id"].to_numpy()[o],
            "household_id": inst.households["household_id"].to_numpy()[h],
        }
    )
    got = km.pair_costs(inst.officers, inst.households, asked, inst.policy)
    capacity = capacities(inst.officers, inst.policy.capacity)
    model = builtin_costs(inst.officers, inst.households, inst.policy, capacity)
    assert list(got.columns) == [
        "officer_id",
        "household_id",
        "cost",
        "distance_km",
        "fit",
        "kind_affinity",
        "allowed",
    ]
    assert got["officer_id"].tolist() == asked["officer_id"].tolist()
    np.testing.assert_allclose(got["distance_km"], model.distance_km[o, h], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got["fit"], model.fit[o, h], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got["kind_affinity"], model.kind_affinity[o, h], atol=1e-12)
    assert got["allowed"].tolist() == model.allowed[o, h].tolist()
    np.testing.assert_allclose(got["cost"], model.matrix()[o, h], rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------------------------- costs= table
@PROPERTY
@given(costs_instances())
def test_costs_table_matches_oracle(inst: Instance) -> None:
    """With ``costs=`` exactly the listed pairs are allowed, at their costs; the
    optimum equals the oracle's (exactly for whole-number costs)."""
    result = _run(inst)
    capacity = capacities(inst.officers, inst.policy.capacity)
    matrix = table_cost_matrix(inst.officers, inst.households, inst.costs, capacity)
    check_invariants(inst, result, capacity, np.isfinite(matrix))
    integral = pd.api.types.is_integer_dtype(inst.costs["cost"])
    check_optimal(result, matrix, capacity, exact=integral)
    assert result.unmatched["reason"].tolist() == expected_reasons(
        inst, capacity, np.isfinite(matrix), result.unmatched, result.pairs
    )
    o, h = _positions(inst, result)
    assert result.pairs["cost"].tolist() == matrix[o, h].tolist()  # the user's costs, untouched
    if integral:
        assert result.stats["objective_tolerance"] == 0.0
    if "lat" not in inst.officers.columns:
        assert result.pairs["distance_km"].isna().all()


# ----------------------------------------------------------------------------- purity, determinism
def _deep(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else copy.deepcopy(frame)


def _same_frame(before: pd.DataFrame | None, after: pd.DataFrame | None) -> None:
    if before is None:
        assert after is None
        return
    pd.testing.assert_frame_equal(after, before, check_exact=True)
    assert after.index.equals(before.index)


@FEW
@given(st.one_of(instances(), costs_instances()))
def test_inputs_are_never_changed(inst: Instance) -> None:
    before = Instance(_deep(inst.officers), _deep(inst.households), inst.policy, _deep(inst.costs))
    _run(inst)
    if inst.costs is None:
        n = min(len(inst.officers), len(inst.households))
        pairs = pd.DataFrame(
            {
                "officer_id": inst.officers["officer_id"].to_numpy()[:n],
                "household_id": inst.households["household_id"].to_numpy()[:n],
            }
        )
        kept = pairs.copy(deep=True)
        km.pair_costs(inst.officers, inst.households, pairs, inst.policy)
        _same_frame(kept, pairs)
    _same_frame(before.officers, inst.officers)
    _same_frame(before.households, inst.households)
    _same_frame(before.costs, inst.costs)


def _pair_set(result: km.Result) -> set[tuple[str, str]]:
    return set(
        zip(result.pairs["officer_id"].map(str), result.pairs["household_id"].map(str), strict=True)
    )


def _shuffled(frame: pd.DataFrame | None, seed: int, new_index: bool) -> pd.DataFrame | None:
    if frame is None:
        return None
    out = frame.sample(frac=1.0, random_state=seed)
    return out.reset_index(drop=True) if new_index else out


@FEW
@given(st.one_of(instances(), costs_instances()), st.integers(0, 2**31), st.booleans())
def test_same_pairs_for_repeated_and_shuffled_input(
    inst: Instance, seed: int, new_index: bool
) -> None:
    """Ties (shared coordinates, equal costs) are broken by id, never by row order:
    a repeated run gives an identical Result, shuffled rows the same pairs."""
    first = _run(inst)
    again = _run(inst)
    pd.testing.assert_frame_equal(first.pairs, again.pairs)
    pd.testing.assert_frame_equal(first.unmatched, again.unmatched)
    shuffled = Instance(
        _shuffled(inst.officers, seed, new_index),
        _shuffled(inst.households, seed + 1, new_index),
        inst.policy,
        _shuffled(inst.costs, seed + 2, new_index),
    )
    other = _run(shuffled)
    assert _pair_set(other) == _pair_set(first)
    assert other.objective == first.objective
    # the same tables, row for row (both come out in canonical id order)
    pd.testing.assert_frame_equal(other.pairs, first.pairs)
    pd.testing.assert_frame_equal(other.unmatched, first.unmatched)
    pd.testing.assert_frame_equal(other.officer_load, first.officer_load)
