"""An instance compiled once and its variants (:mod:`kuseo_match.instance`): each
variant solves to what a fresh match of the changed input gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match.answer import answer
from kuseo_match.instance import prepare, solve


def solved(instance) -> km.Result:
    return answer(instance, *solve(instance))


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return km.synthetic_province(officers=60, households=90, seed=7)


def test_a_variant_policy_solves_as_a_fresh_match(tables) -> None:
    o, h = tables
    base = prepare(o, h, km.Policy(max_distance_km=15))
    wider = km.Policy(max_distance_km=30, same_district=True)
    got = solved(base.with_policy(wider))
    fresh = km.match(o, h, wider)
    assert got.objective == pytest.approx(fresh.objective, abs=1e-9)
    assert len(got.pairs) == len(fresh.pairs)
    with pytest.raises(ValueError, match="capacity"):
        base.with_policy(km.Policy(capacity=3))


def test_variant_officers_solve_as_a_fresh_match(tables) -> None:
    o, h = tables
    base = prepare(o, h, km.Policy(max_distance_km=15))
    raised = base.problem.officers.assign(capacity=base.problem.officers["capacity"] + 1)
    got = solved(base.with_officers(raised))
    fresh = km.match(
        o.assign(
            capacity=raised.set_index("officer_id")["capacity"].reindex(o["officer_id"]).to_numpy()
        ),
        h,
        km.Policy(max_distance_km=15),
    )
    assert got.objective == pytest.approx(fresh.objective, abs=1e-9)
    assert len(got.pairs) == len(fresh.pairs)


def test_a_part_solves_as_a_match_of_its_rows(tables) -> None:
    o, h = tables
    never = pd.DataFrame(
        {"officer_id": o["officer_id"].head(3), "household_id": h["household_id"].head(3)}
    )
    base = prepare(o, h, km.Policy(max_distance_km=25), forbidden=never)
    district = base.problem.households["district"].value_counts().index[0]
    in_o = (base.problem.officers["district"] == district).to_numpy()
    in_h = (base.problem.households["district"] == district).to_numpy()
    got = solved(base.part(in_o, in_h))
    sub_o = o[o["district"] == district]
    sub_h = h[h["district"] == district]
    keep = never["officer_id"].isin(sub_o["officer_id"]) & never["household_id"].isin(
        sub_h["household_id"]
    )
    fresh = km.match(sub_o, sub_h, km.Policy(max_distance_km=25), forbidden=never[keep])
    assert got.objective == pytest.approx(fresh.objective, abs=1e-9)
    assert sorted(got.pairs["household_id"]) == sorted(fresh.pairs["household_id"])
    assert np.array_equal(
        got.pairs.sort_values("household_id")["officer_id"].to_numpy(),
        fresh.pairs.sort_values("household_id")["officer_id"].to_numpy(),
    )
