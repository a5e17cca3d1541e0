"""Locked and forbidden pairs and the same-district rule, each exact.

On hypothesis-generated instances each rule's answer is checked against the
dense oracle of :mod:`oracle` given the same rule (forbidden and cross-district
pairs at ``inf``; locked pairs kept and the rest solved), and against the rule's
invariant (locked present, forbidden absent, every pair within its district).
One test per error message.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kuseo_match as km
from kuseo_match import InfeasibleError, ValidationError
from oracle import builtin_costs, capacities, optimum
from util import docstring_households, docstring_officers

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, print_blob=True)


@st.composite
def provinces(draw) -> tuple[pd.DataFrame, pd.DataFrame, km.Policy, np.random.Generator]:
    """A small synthetic Khon Kaen (real district codes, plausible positions) and a policy."""
    seed = draw(st.integers(0, 2**31 - 1))
    n_o = draw(st.integers(2, 14))
    n_h = draw(st.integers(2, 30))
    o, h = km.synthetic_province(officers=n_o, households=n_h, seed=seed)
    o = o.assign(capacity=np.random.default_rng(seed).integers(0, 4, n_o))
    policy = km.Policy(
        candidate_k=draw(st.sampled_from([1, 2, 24])),
        max_distance_km=draw(st.sampled_from([None, None, 25.0, 60.0])),
        same_district=draw(st.booleans()),
    )
    return o, h, policy, np.random.default_rng(seed + 1)


def _ids(frame: pd.DataFrame, column: str, positions) -> list:
    return frame[column].to_numpy()[np.asarray(positions, dtype=int)].tolist()


def _positions(o: pd.DataFrame, h: pd.DataFrame, pairs: pd.DataFrame) -> tuple[list, list]:
    op = {v: i for i, v in enumerate(o["officer_id"])}
    hp = {v: i for i, v in enumerate(h["household_id"])}
    return [op[v] for v in pairs["officer_id"]], [hp[v] for v in pairs["household_id"]]


def _oracle_matrix(o: pd.DataFrame, h: pd.DataFrame, policy: km.Policy, capacity) -> np.ndarray:
    matrix = builtin_costs(o, h, policy, capacity).matrix()
    if policy.same_district:
        differ = o["district"].to_numpy()[:, None] != h["district"].to_numpy()[None, :]
        matrix[differ] = np.inf
    return matrix


@PROPERTY
@given(provinces(), st.floats(0.0, 0.5))
def test_forbidden_and_same_district_match_the_oracle(instance, share: float) -> None:
    o, h, policy, rng = instance
    capacity = capacities(o, policy.capacity)
    matrix = _oracle_matrix(o, h, policy, capacity)
    oo, hh = np.nonzero(rng.random(matrix.shape) < share)  # forbidden, allowed or not
    forbidden = pd.DataFrame(
        {"officer_id": _ids(o, "officer_id", oo), "household_id": _ids(h, "household_id", hh)}
    )
    matrix[oo, hh] = np.inf
    best = optimum(capacity, matrix)
    result = km.match(o, h, policy, forbidden=forbidden)
    assert result.status == "optimal"
    assert len(result.pairs) == best.n_paired
    assert result.objective == pytest.approx(best.cost, rel=1e-9, abs=1e-9)
    po, ph = _positions(o, h, result.pairs)
    assert np.isfinite(matrix[po, ph]).all()  # nothing forbidden, nothing cross-district
    if policy.same_district:
        assert (result.pairs["officer_district"] == result.pairs["household_district"]).all()


@PROPERTY
@given(provinces(), st.floats(0.0, 1.0))
def test_locked_pairs_are_kept_and_the_rest_is_optimal(instance, share: float) -> None:
    o, h, policy, rng = instance
    capacity = capacities(o, policy.capacity)
    matrix = _oracle_matrix(o, h, policy, capacity)
    # lock some allowed pairs, one per household, within capacities
    left = capacity.copy()
    lo, lh = [], []
    for j in rng.permutation(len(h)):
        choices = np.flatnonzero(np.isfinite(matrix[:, j]) & (left > 0))
        if len(choices) and rng.random() < share:
            i = int(rng.choice(choices))
            lo.append(i)
            lh.append(int(j))
            left[i] -= 1
    locked = pd.DataFrame(
        {"officer_id": _ids(o, "officer_id", lo), "household_id": _ids(h, "household_id", lh)}
    )
    rest = np.setdiff1d(np.arange(len(h)), lh)
    best = optimum(left, matrix[:, rest])
    kept_cost = math.fsum(matrix[i, j] for i, j in zip(lo, lh, strict=True))
    result = km.match(o, h, policy, locked=locked)
    assert result.status == "optimal"
    assert len(result.pairs) == best.n_paired + len(lo)
    assert result.objective == pytest.approx(best.cost + kept_cost, rel=1e-9, abs=1e-9)
    chosen = set(zip(result.pairs["officer_id"], result.pairs["household_id"], strict=True))
    assert set(zip(locked["officer_id"], locked["household_id"], strict=True)) <= chosen
    load = result.officer_load.set_index("officer_id")["load"]
    assert (load.to_numpy() <= capacity).all()


def test_forbidding_the_chosen_pair_moves_the_household() -> None:
    o, h = docstring_officers(), _households()
    first = km.match(o, h)
    chosen = first.pairs.iloc[[0]][["officer_id", "household_id"]]
    again = km.match(o, h, forbidden=chosen)
    moved = again.pairs.set_index("household_id").loc[chosen["household_id"].iloc[0]]
    assert moved["officer_id"] != chosen["officer_id"].iloc[0]
    assert again.status == "optimal" and again.objective >= first.objective


def test_same_district_leaves_households_without_an_officer_of_their_district() -> None:
    o, h = docstring_officers(), _households().assign(district=["TH4001", "TH4001", "TH4002"])
    result = km.match(o, h, km.Policy(same_district=True))
    assert result.unmatched["household_id"].tolist() == [3]
    assert (
        result.unmatched["reason"]
        .iloc[0]
        .startswith("no officer with capacity in its district (same_district)")
    )
    assert (result.pairs["officer_district"] == result.pairs["household_district"]).all()


def test_same_district_within_a_distance_names_both_rules() -> None:
    o = docstring_officers().assign(capacity=[1, 1])
    h = _households()
    result = km.match(o, h, km.Policy(same_district=True, max_distance_km=30))
    assert len(result.unmatched) == 1
    assert (
        "officer(s) within 30 km in its district (same_district) are all full"
        in (result.unmatched["reason"].iloc[0])
    )


def test_locked_pairs_reach_the_outputs(tmp_path) -> None:
    o, h = docstring_officers(), _households()
    locked = pd.DataFrame({"officer_id": ["A"], "household_id": [3]})
    result = km.match(o, h, locked=locked)
    assert ("A", 3) in set(
        zip(result.pairs["officer_id"], result.pairs["household_id"], strict=True)
    )
    load = result.officer_load.set_index("officer_id")
    assert load.loc["A", "load"] == 1 and load.loc["A", "capacity"] == 1
    assert math.isnan(load.loc["A", "price"])  # its only slot is locked: no price to give


# ------------------------------------------------------------------------------- messages
def _households() -> pd.DataFrame:
    return docstring_households()


def _pairs(*pairs) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["officer_id", "household_id"])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"locked": _pairs(("Z", 1))}, ValidationError, "id not found in the officers table"),
        ({"forbidden": _pairs(("A", 99))}, ValidationError, "id not found in the households"),
        (
            {"locked": _pairs(("A", 1), ("B", 1))},
            ValidationError,
            "household is locked to two officers; a household has one officer",
        ),
        (
            {"locked": _pairs(("A", 1)), "forbidden": _pairs(("A", 1))},
            ValidationError,
            "pair ('A', 1) is both locked and forbidden; remove it from one of the tables",
        ),
        (
            {"locked": _pairs(("A", 1), ("A", 2))},
            InfeasibleError,
            "officer 'A' has 2 locked households but capacity 1; raise its capacity or unlock 1",
        ),
        (
            {"locked": _pairs(("A", 3)), "policy": km.Policy(max_distance_km=5)},
            InfeasibleError,
            "locked pair ('A', 3) is not allowed: the pair is 11.5 km apart, beyond "
            "max_distance_km = 5",
        ),
    ],
)
def test_rule_errors(kwargs: dict, error: type, message: str) -> None:
    policy = kwargs.pop("policy", None)
    with pytest.raises(error, match=re.escape(message)):
        km.match(docstring_officers(), _households(), policy, **kwargs)


def test_locked_pair_across_districts_under_same_district() -> None:
    h = _households().assign(district=["TH4001", "TH4001", "TH4002"])
    with pytest.raises(
        InfeasibleError,
        match=re.escape(
            "locked pair ('B', 3) is not allowed: same_district is set and the officer is in "
            "TH4001, the household in TH4002"
        ),
    ):
        km.match(docstring_officers(), h, km.Policy(same_district=True), locked=_pairs(("B", 3)))


def test_locked_pair_of_an_officer_without_capacity() -> None:
    o = docstring_officers().assign(capacity=[0, 2])
    with pytest.raises(InfeasibleError, match=re.escape("the officer's capacity is 0")):
        km.match(o, _households(), locked=_pairs(("A", 1)))


def test_locked_pair_outside_the_costs_table() -> None:
    costs = pd.DataFrame({"officer_id": ["A", "B"], "household_id": [1, 2], "cost": [1, 2]})
    with pytest.raises(InfeasibleError, match=re.escape("the pair is not in the costs table")):
        km.match(docstring_officers(), _households(), costs=costs, locked=_pairs(("A", 3)))


def test_same_district_must_be_true_or_false() -> None:
    with pytest.raises(ValidationError, match=re.escape("must be true or false, not str")):
        km.Policy(same_district="yes")


def test_locked_and_forbidden_with_a_costs_table() -> None:
    costs = pd.DataFrame(
        {
            "officer_id": ["A", "A", "B", "B", "B"],
            "household_id": [1, 2, 1, 2, 3],
            "cost": [1, 5, 4, 1, 1],
        }
    )
    plain = km.match(docstring_officers(), _households(), costs=costs)
    assert plain.objective == 3  # A-1, B-2, B-3
    ruled = km.match(
        docstring_officers(),
        _households(),
        costs=costs,
        locked=_pairs(("B", 1)),
        forbidden=_pairs(("B", 3)),
    )
    # B-1 kept (B has one slot left), B-3 never: household 3 has no allowed pair, and 2
    # takes B's last slot (cost 1 against A's 5)
    assert sorted(zip(ruled.pairs["officer_id"], ruled.pairs["household_id"], strict=True)) == [
        ("B", 1),
        ("B", 2),
    ]
    assert ruled.objective == 5 and ruled.unmatched["household_id"].tolist() == [3]
    assert ruled.unmatched["reason"].iloc[0].startswith("no officer with capacity is listed")


# ------------------------------------------------------------------------ capacity_by
GUANGXI = {
    "division head": 8,
    "deputy division head": 7,
    "section chief": 6,
    "deputy section chief": 5,
    "ordinary cadre": 4,
}


def test_capacities_from_a_rank_column() -> None:
    o, h = km.synthetic_province(officers=10, households=50, seed=3)
    ranks = list(GUANGXI) * 2
    o = o.drop(columns="capacity").assign(rank=[r.upper() + " " for r in ranks])
    o.loc[0, "rank"] = ""  # an empty rank takes Policy.capacity
    policy = km.Policy(capacity=3, capacity_by={"column": "rank", "values": GUANGXI})
    result = km.match(o, h, policy)
    expected = [3] + [GUANGXI[r] for r in ranks[1:]]
    assert result.officer_load["capacity"].tolist() == expected
    assert (result.officer_load["load"] <= result.officer_load["capacity"]).all()
    # a capacity cell, where given, wins
    given = o.assign(capacity=[1] + [None] * 9)
    again = km.match(given, h, policy)
    assert again.officer_load["capacity"].tolist() == [1, *expected[1:]]


def test_capacity_by_from_toml(tmp_path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[policy.capacity_by]\ncolumn = "rank"\n[policy.capacity_by.values]\n'
        '"division head" = 8\n"ordinary cadre" = 4\n',
        encoding="utf-8",
    )
    policy = km.Policy.from_toml(path)
    assert policy.capacity_by == km.CapacityBy("rank", {"division head": 8, "ordinary cadre": 4})
    assert policy.to_dict()["capacity_by"] == {
        "column": "rank",
        "values": {"division head": 8, "ordinary cadre": 4},
    }
    assert km.Policy.from_dict(policy.to_dict() | {"fit_table": None}) == policy


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"column": "rank"}, "must be a table with 'column' (the rank column) and 'values'"),
        ({"column": "", "values": {"a": 1}}, "must name the officers' rank column"),
        ({"column": "rank", "values": {}}, "values must name at least one rank"),
        ({"column": "rank", "values": {"a": -1}}, "must be >= 0"),
        ({"column": "rank", "values": {"a": 1.5}}, "must be a whole number"),
    ],
)
def test_capacity_by_is_checked(setting: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        km.Policy(capacity_by=setting)


def test_capacity_by_unknown_rank_names_the_row() -> None:
    o = docstring_officers().drop(columns="capacity").assign(rank=["division head", "intern"])
    policy = km.Policy(capacity_by={"column": "rank", "values": GUANGXI})
    with pytest.raises(ValidationError, match=re.escape("is not a rank of capacity_by")) as info:
        km.match(o, _households(), policy)
    assert info.value.column == "rank" and info.value.row == "B" and info.value.value == "intern"
    with pytest.raises(ValidationError, match=re.escape("names the column 'grade'")):
        km.match(o, _households(), km.Policy(capacity_by={"column": "grade", "values": GUANGXI}))
