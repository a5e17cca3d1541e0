"""rematch: against an independent optimum with the surviving pairs fixed, the stability
rules (no surviving pair moves when capacity allows, a rematch with no change is the
identity), the changes table, the release of pairs when coverage needs it, and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import kuseo_match as km
from kuseo_match import ValidationError
from kuseo_match.rematch import CHANGE_COLUMNS
from oracle import builtin_costs, capacities, optimum

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, print_blob=True)


@st.composite
def years(draw):
    """A first pairing, then officers leaving, households graduating and new ones."""
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n_o, n_h = draw(st.integers(2, 10)), draw(st.integers(2, 25))
    o, h = km.synthetic_province(officers=n_o, households=n_h + 5, seed=seed)
    o = o.assign(capacity=rng.integers(0, 4, n_o))
    h, new = h.iloc[:n_h], h.iloc[n_h:]
    policy = km.Policy(max_distance_km=draw(st.sampled_from([None, 40.0, 8.0])))
    first = km.match(o, h, policy)
    if draw(st.booleans()):  # new households beside paired ones: their officers are wanted
        beside = h.sample(len(new), replace=True, random_state=seed % 2**32)
        new = beside.assign(household_id=new["household_id"].to_numpy())
    o2 = o[rng.random(n_o) > draw(st.sampled_from([0.0, 0.2, 0.5]))]
    h2 = h[rng.random(n_h) > 0.1]
    h2 = pd.concat([h2, new.iloc[: draw(st.integers(0, 5))]], ignore_index=True)
    return first, o2, h2, policy


@settings(max_examples=120, deadline=None, derandomize=True, print_blob=True)
@given(years())
def test_rematch_matches_an_optimum_with_the_surviving_pairs_fixed(year) -> None:
    first, o2, h2, policy = year
    if o2.empty or h2.empty:
        return
    result = km.rematch(first.pairs, o2, h2, policy)
    capacity = capacities(o2, policy.capacity)
    matrix = builtin_costs(o2, h2, policy, capacity).matrix()
    oi = {str(x): i for i, x in enumerate(o2["officer_id"])}
    hi = {str(x): i for i, x in enumerate(h2["household_id"])}
    survive = [
        (oi[str(a)], hi[str(b)])
        for a, b in zip(first.pairs["officer_id"], first.pairs["household_id"], strict=True)
        if str(a) in oi and str(b) in hi and np.isfinite(matrix[oi[str(a)], hi[str(b)]])
    ]
    # the rest: survivors' households out, their officers' slots used
    rest = matrix.copy()
    room = capacity.copy()
    for a, b in survive:
        rest[:, b] = np.inf
        room[a] -= 1
    assert (room >= 0).all()  # capacities did not fall in these years
    fixed = optimum(room, rest)
    free = optimum(capacity, matrix)
    kept = set(
        zip(
            result.pairs["officer_id"].astype(str),
            result.pairs["household_id"].astype(str),
            strict=True,
        )
    )
    ids_o, ids_h = (
        o2["officer_id"].astype(str).to_numpy(),
        h2["household_id"].astype(str).to_numpy(),
    )
    survivors = {(ids_o[a], ids_h[b]) for a, b in survive}
    assert len(result.pairs) == free.n_paired  # the most households first
    if len(survive) + fixed.n_paired == free.n_paired:
        assert result.stats["churn"] == "exact"
        assert survivors <= kept  # no surviving pair moves when capacity allows
        cost = sum(matrix[a, b] for a, b in survive) + fixed.cost
        assert result.objective == pytest.approx(cost, rel=1e-9, abs=1e-6)
    else:  # some survivor must move: the fewest moves, then the least cost
        event("a survivor must move")
        assert result.stats["churn"] == "exact"
        big = 1e6
        moved = matrix.copy()
        for a, b in survive:
            others = np.arange(len(o2)) != a
            moved[others, b] += big
        best = optimum(capacity, moved)
        cost = sum(matrix[a, b] for a, b in best.pairs)
        moves = round((best.cost - cost) / big)
        assert len(survivors & kept) == len(survive) - moves
        assert result.objective == pytest.approx(cost, rel=1e-9, abs=1e-6)
    assert result.stats["pairs_kept"] == len(survivors & kept)
    # every household of a departed officer is in the changes
    gone = set(first.pairs["officer_id"].astype(str)) - set(ids_o)
    left = first.pairs[first.pairs["officer_id"].astype(str).isin(gone)]["household_id"].astype(str)
    assert set(left) <= set(result.changes["household_id"].astype(str))


@PROPERTY
@given(years(), st.sampled_from([0.0, 3.0, 50.0]))
def test_churn_cost_matches_a_dense_optimum(year, churn) -> None:
    first, o2, h2, policy = year
    if o2.empty or h2.empty:
        return
    priced = policy.replace(churn_cost=churn)
    result = km.rematch(first.pairs, o2, h2, priced)
    capacity = capacities(o2, policy.capacity)
    matrix = builtin_costs(o2, h2, policy, capacity).matrix()
    oi = {str(x): i for i, x in enumerate(o2["officer_id"])}
    hi = {str(x): i for i, x in enumerate(h2["household_id"])}
    moved = matrix.copy()
    for a, b in zip(first.pairs["officer_id"], first.pairs["household_id"], strict=True):
        if str(a) in oi and str(b) in hi and np.isfinite(matrix[oi[str(a)], hi[str(b)]]):
            others = np.arange(len(o2)) != oi[str(a)]
            moved[others, hi[str(b)]] += churn  # any other officer costs the churn
    best = optimum(capacity, moved)
    assert result.stats["churn"] == "priced"
    assert len(result.pairs) == best.n_paired
    assert result.objective == pytest.approx(best.cost, rel=1e-9, abs=1e-6)
    assert result.objective == pytest.approx(
        result.pairs["cost"].sum() + result.stats["churn_cost_total"], rel=1e-12, abs=1e-9
    )


def test_a_rematch_with_no_change_is_the_identity() -> None:
    o, h = km.synthetic_province(officers=60, households=90, seed=3)
    first = km.match(o, h)
    again = km.rematch(first.pairs, o, h)
    assert again.changes.empty
    pd.testing.assert_frame_equal(again.pairs, first.pairs)
    assert again.stats["pairs_kept"] == len(first.pairs)


def test_changes_name_every_reason(tmp_path) -> None:
    o, h = km.synthetic_province(officers=40, households=60, seed=5)
    first = km.match(o, h)
    # read back from a file, as an office would
    first.pairs.to_csv(tmp_path / "pairs.csv", index=False)
    previous = pd.read_csv(tmp_path / "pairs.csv")
    leaving = first.pairs["officer_id"].iloc[0]
    graduated = first.pairs["household_id"].iloc[5]
    o2 = o[o["officer_id"] != leaving]
    new = km.synthetic_province(officers=2, households=3, seed=99)[1].assign(
        household_id=["N1", "N2", "N3"]
    )
    h2 = pd.concat([h[h["household_id"] != graduated], new], ignore_index=True)
    result = km.rematch(previous, o2, h2)
    changes = result.changes.set_index("household_id")
    for hid in first.pairs.loc[first.pairs["officer_id"] == leaving, "household_id"]:
        if hid != graduated:
            assert changes.loc[hid, "reason"] == "officer left"
            assert changes.loc[hid, "old_officer_id"] == leaving
    assert changes.loc[graduated, "reason"] == "household left the programme"
    assert pd.isna(changes.loc[graduated, "new_officer_id"])
    assert set(changes.loc[["N1", "N2", "N3"], "reason"]) <= {"new household"}
    assert list(result.changes.columns) == list(CHANGE_COLUMNS)


def test_a_pair_no_longer_allowed_says_which_rule() -> None:
    o, h = km.synthetic_province(officers=30, households=40, seed=7)
    first = km.match(o, h)
    far = first.pairs.sort_values("distance_km").iloc[-1]
    result = km.rematch(first.pairs, o, h, km.Policy(max_distance_km=far["distance_km"] - 0.01))
    row = result.changes.set_index("household_id").loc[far["household_id"]]
    assert "previous pair no longer allowed" in row["reason"]
    assert "beyond max_distance_km" in row["reason"]


def test_a_kept_pair_moves_when_another_household_needs_its_officer() -> None:
    # A (capacity 1) had H1; H2 is new and only A is within 5 km of it; B can take H1
    officers = pd.DataFrame(
        {
            "officer_id": ["A", "B"],
            "agency": "public_health",
            "district": "TH4001",
            "lat": [16.44, 16.44],
            "lon": [102.83, 102.86],
            "capacity": [1, 1],
        }
    )
    households = pd.DataFrame(
        {
            "household_id": ["H1", "H2"],
            "kind": "welfare",
            "district": "TH4001",
            "lat": [16.44, 16.44],
            "lon": [102.845, 102.80],
        }
    )
    previous = pd.DataFrame({"officer_id": ["A"], "household_id": ["H1"]})
    result = km.rematch(previous, officers, households, km.Policy(max_distance_km=5))
    assert len(result.pairs) == 2
    assert result.stats["churn"] == "exact"
    changes = result.changes.set_index("household_id")
    assert changes.loc["H1", "reason"] == "moved so that another household could be covered"
    assert changes.loc["H1", "new_officer_id"] == "B"
    assert changes.loc["H2", "reason"] == "new household"


def test_previous_pairs_are_checked() -> None:
    o, h = km.synthetic_province(officers=5, households=6, seed=1)
    twice = pd.DataFrame({"officer_id": ["x", "y"], "household_id": ["H", "H"]})
    with pytest.raises(ValidationError, match="paired twice"):
        km.rematch(twice, o, h)
    with pytest.raises(ValidationError, match="missing column"):
        km.rematch(pd.DataFrame({"officer_id": ["x"]}), o, h)


def test_cli_rematch_writes_changes(tmp_path) -> None:
    from kuseo_match.cli import main

    o, h = km.synthetic_province(officers=30, households=45, seed=2)
    first = km.match(o, h)
    first.pairs.to_csv(tmp_path / "previous.csv", index=False)
    o.iloc[1:].to_csv(tmp_path / "officers.csv", index=False)
    h.to_csv(tmp_path / "households.csv", index=False)
    code = main(
        [
            "rematch",
            str(tmp_path / "previous.csv"),
            str(tmp_path / "officers.csv"),
            str(tmp_path / "households.csv"),
            "--out",
            str(tmp_path / "out"),
            "-q",
        ]
    )
    assert code == 0
    changes = pd.read_csv(tmp_path / "out" / "changes.csv")
    moved = first.pairs.loc[first.pairs["officer_id"] == o["officer_id"].iloc[0], "household_id"]
    assert set(changes["household_id"]) == set(moved)
    assert set(changes["reason"]) == {"officer left"}
