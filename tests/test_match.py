"""Examples of ``kuseo_match.match`` and ``pair_costs``: documented cases pinned as tests."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match.result import PAIR_COLUMNS, UNMATCHED_COLUMNS
from oracle import builtin_costs, capacities, optimum
from util import docstring_households, docstring_officers


def officers() -> pd.DataFrame:
    """The two officers of the ``match`` docstring."""
    return docstring_officers()


def households() -> pd.DataFrame:
    """The three households of the ``match`` docstring."""
    return docstring_households()


def far_household() -> pd.DataFrame:
    """The docstring households plus one ~110 km away, at the centroid of Phu Pha Man
    (TH4020), a district without officers."""
    far = pd.DataFrame(
        {
            "household_id": [4],
            "kind": ["welfare"],
            "district": ["TH4020"],
            "lat": [16.7213],
            "lon": [101.8707],
        }
    )
    return pd.concat([households(), far], ignore_index=True)


def assignment(result: km.Result) -> dict:
    return dict(zip(result.pairs["household_id"], result.pairs["officer_id"], strict=True))


# ----------------------------------------------------------------------------- the docstring
def test_docstring_example() -> None:
    result = km.match(officers(), households())
    assert result.pairs[["household_id", "officer_id"]].to_dict("list") == {
        "household_id": [1, 2, 3],
        "officer_id": ["A", "B", "B"],
    }
    assert (result.status, len(result.unmatched)) == ("optimal", 0)
    assert list(result.pairs.columns) == list(PAIR_COLUMNS)
    assert result.objective == pytest.approx(result.pairs["cost"].sum())
    assert result.officer_load.set_index("officer_id")["load"].to_dict() == {"A": 1, "B": 2}
    assert result.policy == km.Policy()


def test_result_is_frozen() -> None:
    result = km.match(officers(), households())
    with pytest.raises(AttributeError):
        result.status = "feasible"  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.stats["rounds"] = 0  # type: ignore[index]


# ----------------------------------------------------------------------------- edge cases
def test_no_households_gives_an_empty_result() -> None:
    result = km.match(officers(), households().iloc[:0])
    assert result.status == "optimal"
    assert result.objective == 0
    assert result.pairs.empty and list(result.pairs.columns) == list(PAIR_COLUMNS)
    assert result.unmatched.empty and list(result.unmatched.columns) == list(UNMATCHED_COLUMNS)
    assert result.officer_load["load"].tolist() == [0, 0]
    summary = result.summary()
    assert (summary["households"], summary["paired"], summary["unmatched"]) == (0, 0, 0)
    assert summary["mean_distance_km"] is None


def test_no_officers_leaves_every_household_unmatched() -> None:
    result = km.match(officers().iloc[:0], households())
    assert result.status == "optimal"
    assert result.pairs.empty and result.objective == 0
    assert result.unmatched["household_id"].tolist() == [1, 2, 3]
    assert result.unmatched["reason"].str.startswith("there are no officers").all()
    assert result.unmatched["kind"].tolist() == ["welfare", "developable", "developable"]


def test_nothing_at_all() -> None:
    result = km.match(officers().iloc[:0], households().iloc[:0])
    assert (len(result.pairs), len(result.unmatched), result.status) == (0, 0, "optimal")


def test_all_capacities_zero() -> None:
    result = km.match(officers().assign(capacity=0), households())
    assert result.pairs.empty
    assert (
        result.unmatched["reason"]
        .str.startswith("no officer has capacity (every capacity is 0)")
        .all()
    )


def test_policy_capacity_fills_missing_and_empty_capacities() -> None:
    o = officers().drop(columns="capacity")
    assert km.match(o, households(), km.Policy(capacity=1)).officer_load["capacity"].tolist() == [
        1,
        1,
    ]
    o = officers().assign(capacity=[np.nan, 0.0])
    result = km.match(o, households(), km.Policy(capacity=3))
    assert result.officer_load["capacity"].tolist() == [3, 0]
    assert set(result.pairs["officer_id"]) == {"A"}


def test_isolated_household_beyond_max_distance() -> None:
    result = km.match(officers(), far_household(), km.Policy(max_distance_km=30))
    assert len(result.pairs) == 3
    (reason,) = result.unmatched.loc[result.unmatched["household_id"] == 4, "reason"]
    assert reason.startswith("no officer within 30 km")
    assert (result.pairs["distance_km"] <= 30).all()


def test_full_officers_within_max_distance() -> None:
    h = households().assign(lat=16.44, lon=102.83)  # all three next to officer A
    result = km.match(officers().assign(capacity=[1, 0]), h, km.Policy(max_distance_km=5))
    assert len(result.pairs) == 1
    assert (
        result.unmatched["reason"].str.startswith("the 1 officer(s) within 5 km are all full").all()
    )


def test_shortfall_reason_names_slots_and_the_group() -> None:
    result = km.match(officers().assign(capacity=[1, 1]), far_household())
    assert len(result.pairs) == 2
    reasons = dict(zip(result.unmatched["household_id"], result.unmatched["reason"], strict=True))
    assert len(reasons) == 2 and 4 in reasons  # the far one, and one of 2 and 3
    for reason in reasons.values():
        assert "all 2 officer slots are taken (4 households, 2 officers)" in reason
    # every pair is allowed: one group of all 4 households, 2 slots
    for reason in reasons.values():
        assert reason.endswith(
            "one of 4 households that 2 officer(s) with 2 slots can reach, 2 more than any "
            "pairing covers"
        )


# ----------------------------------------------------------------------------- input forms
def test_unknown_agencies_are_reported_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    o = officers().assign(agency=["police", "ตำรวจ"])
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        result = km.match(o, households(), km.Policy(neutral_fit=0.25))
    assert result.unknown_agencies == ("police", "ตำรวจ")
    assert result.summary()["unknown_agencies"] == ["police", "ตำรวจ"]
    assert (result.pairs["fit"] == 0.25).all()
    (record,) = [r for r in caplog.records if r.name == "kuseo_match"]
    assert record.levelno == logging.WARNING
    assert "police" in record.getMessage() and "0.25" in record.getMessage()


def test_known_agencies_by_thai_and_english_name() -> None:
    codes = km.match(officers(), households())
    names = km.match(officers().assign(agency=["สาธารณสุข", "Agricultural Extension"]), households())
    assert names.unknown_agencies == ()
    pd.testing.assert_series_equal(names.pairs["cost"], codes.pairs["cost"])


def test_thai_kind_labels_are_normalised() -> None:
    h = households().assign(kind=["สงเคราะห์", "พัฒนาได้", "ครัวเรือนพัฒนาได้"])
    result = km.match(officers(), h)
    assert result.pairs["kind"].tolist() == ["welfare", "developable", "developable"]
    english = km.match(
        officers(), households().assign(kind=["welfare", "developable", "Developable"])
    )
    pd.testing.assert_frame_equal(result.pairs, english.pairs)


def test_need_flags_in_words_and_numbers() -> None:
    words = households().assign(need_health=["yes", "no", ""], need_income=[0, 1, None])
    bools = households().assign(need_health=[True, False, False], need_income=[False, True, False])
    assert km.match(officers(), words).pairs.equals(km.match(officers(), bools).pairs)


def test_coordinates_as_decimal_text() -> None:
    text = officers().assign(lat=["16.44", " 16.50 "], lon=["102.83", "102.90"])
    pd.testing.assert_frame_equal(
        km.match(text, households()).pairs, km.match(officers(), households()).pairs
    )


def test_coordinates_as_degrees_minutes_seconds_text() -> None:
    # 16.44 = 16° 26' 24", 102.83 = 102° 49' 48"
    dms = officers().assign(lat=["16°26'24\"N", "16.50"], lon=["102°49'48\"E", "102.90"])
    pd.testing.assert_frame_equal(
        km.match(dms, households()).pairs, km.match(officers(), households()).pairs
    )


def test_coordinates_column_instead_of_lat_lon() -> None:
    pairs = ["16.44, 102.83", "16 30' 0\" N, 102 54' 0\" E"]  # decimal and DMS
    o = officers().drop(columns=["lat", "lon"]).assign(coordinates=pairs)
    h = households()
    h = h.drop(columns=["lat", "lon"]).assign(
        coordinates=[f"{a}, {b}" for a, b in zip(h["lat"], h["lon"], strict=True)]
    )
    pd.testing.assert_frame_equal(km.match(o, h).pairs, km.match(officers(), households()).pairs)


def test_extra_columns_are_allowed() -> None:
    o = officers().assign(province="TH40", phone=["081", "082"])
    h = households().assign(members=[3, 4, 5])
    assert km.match(o, h).pairs.equals(km.match(officers(), households()).pairs)


def test_one_unknown_agency_is_logged_in_the_singular(caplog: pytest.LogCaptureFixture) -> None:
    o = officers().assign(agency=["police", "public_health"])
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        km.match(o, households())
    assert "1 agency is not in the fit table and gets the neutral fit 0.50: police" in caplog.text


def test_policy_as_a_dict() -> None:
    result = km.match(officers(), far_household(), {"max_distance_km": 30})
    assert result.policy == km.Policy(max_distance_km=30)
    assert len(result.unmatched) == 1


# ----------------------------------------------------------------------------- costs=
COSTS = pd.DataFrame(
    {
        "officer_id": ["A", "A", "B", "B", "B"],
        "household_id": [1, 2, 1, 2, 3],
        "cost": [4, 1, 1, 5, 2],
    }
)


def test_costs_allow_exactly_the_listed_pairs() -> None:
    result = km.match(officers(), households(), costs=COSTS)
    # A (capacity 1) -> 2 at 1, B -> 1 and 3 at 1 + 2
    assert assignment(result) == {1: "B", 2: "A", 3: "B"}
    assert result.objective == 4.0
    assert result.stats["objective_tolerance"] == 0.0
    assert result.pairs["distance_km"].notna().all()  # coordinates given: reported


def test_costs_without_coordinates() -> None:
    o = officers().drop(columns=["lat", "lon"])
    h = households().drop(columns=["lat", "lon"])
    result = km.match(o, h, costs=COSTS)
    assert assignment(result) == {1: "B", 2: "A", 3: "B"}
    assert result.pairs["distance_km"].isna().all()


def test_costs_with_text_ids_for_whole_number_ids() -> None:
    text = COSTS.assign(household_id=COSTS["household_id"].map(str))
    by_int = km.match(officers(), households(), costs=COSTS)
    by_text = km.match(officers(), households(), costs=text)
    pd.testing.assert_frame_equal(by_int.pairs, by_text.pairs)
    assert by_text.pairs["household_id"].tolist() == [1, 2, 3]  # the table's own ids
    h = households().assign(household_id=["1", "2", "3"])
    assert km.match(officers(), h, costs=COSTS).pairs["household_id"].tolist() == ["1", "2", "3"]


def test_costs_unlisted_household_and_zero_capacity_officer() -> None:
    costs = COSTS[COSTS["household_id"] != 3]
    result = km.match(officers().assign(capacity=[0, 2]), households(), costs=costs)
    assert assignment(result) == {1: "B", 2: "B"}
    (reason,) = result.unmatched["reason"]
    assert reason.startswith("no officer with capacity is listed for this household in costs")


def test_costs_listed_officers_full() -> None:
    costs = pd.DataFrame({"officer_id": ["A", "A"], "household_id": [1, 2], "cost": [0, 0]})
    result = km.match(officers(), households(), costs=costs)
    reasons = dict(zip(result.unmatched["household_id"], result.unmatched["reason"], strict=True))
    assert len(result.pairs) == 1
    assert any(
        r.startswith("the 1 officer(s) listed for it in costs are all full")
        for r in reasons.values()
    )
    assert reasons[3].startswith("no officer with capacity is listed")


def test_fractional_costs_report_their_tolerance() -> None:
    result = km.match(officers(), households(), costs=COSTS.assign(cost=COSTS["cost"] + 0.1))
    assert result.objective == pytest.approx(4.3)
    assert 0 < result.stats["objective_tolerance"] < 1e-9
    assert result.status == "optimal"


# An issue found status="optimal" for costs mixing 1e15 and 1e-3, whose rounding bound
# was larger than the objective (0.0977 against a true optimum of 0.0694).
def test_costs_spanning_too_wide_a_range_are_not_called_optimal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    costs = pd.DataFrame(
        {
            "officer_id": ["A", "A", "A", "B", "B", "B"],
            "household_id": [1, 2, 3, 1, 2, 3],
            "cost": [0.031, 0.0384, 1e15, 0.0413, 0.0281, 0.05],  # 1e15: never chosen
        }
    )
    with caplog.at_level(logging.WARNING, logger="kuseo_match"):
        result = km.match(officers(), households(), costs=costs)
    tolerance = result.stats["objective_tolerance"]
    assert result.status == "approximate"
    assert tolerance > 1e-6 * result.objective
    assert "costs span too wide a range" in caplog.text and f"{tolerance:.3g}" in caplog.text
    # the same pairs, rescaled into a narrow range, are exact again
    narrow = km.match(officers(), households(), costs=costs.assign(cost=costs["cost"].clip(0, 1)))
    assert narrow.status == "optimal"


# ----------------------------------------------------------------------------- pair_costs
def test_pair_costs_for_a_pair_that_was_not_chosen() -> None:
    result = km.match(officers(), households())
    asked = pd.DataFrame({"officer_id": ["A", "B"], "household_id": [3, 3]})
    got = km.pair_costs(officers(), households(), asked)
    assert got["allowed"].tolist() == [True, True]
    chosen = result.pairs.set_index(["officer_id", "household_id"])
    assert got.loc[1, "cost"] == pytest.approx(chosen.loc[("B", 3), "cost"])
    assert got.loc[0, "cost"] > got.loc[1, "cost"]  # why B was chosen for 3
    assert np.isfinite(got["cost"]).all()


def test_pair_costs_beyond_max_distance_is_not_allowed() -> None:
    asked = pd.DataFrame({"officer_id": ["A", "A"], "household_id": [1, 4]})
    got = km.pair_costs(officers(), far_household(), asked, km.Policy(max_distance_km=30))
    assert got["allowed"].tolist() == [True, False]
    assert np.isfinite(got.loc[0, "cost"]) and got.loc[1, "cost"] == np.inf
    assert got.loc[1, "distance_km"] > 30  # the distance is still reported


def test_pair_costs_for_a_zero_capacity_officer_is_not_allowed() -> None:
    asked = pd.DataFrame({"officer_id": ["A"], "household_id": [1]})
    got = km.pair_costs(officers().assign(capacity=[0, 2]), households(), asked)
    assert got["allowed"].tolist() == [False] and got["cost"].tolist() == [np.inf]


def test_pair_costs_docstring_formula() -> None:
    asked = pd.DataFrame({"officer_id": ["A"], "household_id": [1]})
    policy = km.Policy(fit_weight=4.0, cross_district_penalty=7.0)
    h = households().assign(district="TH4002")
    (row,) = km.pair_costs(officers(), h, asked, policy).to_dict("records")
    assert row["cost"] == pytest.approx(row["distance_km"] + 4.0 * (1 - row["fit"]) + 7.0)
    assert row["fit"] == 1.0  # public health for a welfare household without need flags


# ----------------------------------------------------------------------------- time limit
def test_time_limit_large_enough_is_optimal() -> None:
    assert km.match(officers(), households(), time_limit=30).status == "optimal"


def test_tiny_time_limit_returns_a_valid_pairing() -> None:
    """A time limit stops the proof after the first round: the pairing is valid,
    and either proven ("optimal") or marked "feasible" and no better than the optimum."""
    o, h = km.synthetic_province(officers=200, households=300, seed=3)
    policy = km.Policy(candidate_k=1)
    quick = km.match(o, h, policy, time_limit=1e-9)
    best = km.match(o, h, policy)
    assert best.status == "optimal"
    assert quick.stats["rounds"] == 1
    if quick.status == "optimal":  # the first round happened to be provably optimal
        assert quick.objective == pytest.approx(best.objective, rel=1e-9)
    else:
        assert quick.status == "feasible"
        assert len(quick.pairs) < len(best.pairs) or quick.objective >= best.objective - 1e-6
    assert (quick.officer_load["load"] <= quick.officer_load["capacity"]).all()
    assert len(quick.pairs) + len(quick.unmatched) == 300
    assert quick.objective == pytest.approx(quick.pairs["cost"].sum())


def test_progress_callback_is_called() -> None:
    seen: list[str] = []
    km.match(officers(), households(), progress=seen.append)
    assert seen and seen[-1].startswith("round ")


# ----------------------------------------------------------------------------- Khon Kaen
@pytest.fixture(scope="module")
def khon_kaen() -> tuple[pd.DataFrame, pd.DataFrame, km.Result]:
    o, h = km.synthetic_province()
    return o, h, km.match(o, h)


def test_khon_kaen_default_is_fully_paired(khon_kaen) -> None:
    o, h, result = khon_kaen
    assert (len(o), len(h)) == (740, 1174)
    assert result.status == "optimal"
    assert len(result.pairs) == 1174 and result.unmatched.empty
    assert result.pairs["household_id"].is_unique
    load = result.officer_load
    assert (load["load"] <= 2).all() and (load["load"] <= load["capacity"]).all()
    assert load["load"].sum() == 1174
    counts = result.pairs["officer_id"].value_counts()
    assert load.set_index("officer_id")["load"][counts.index].tolist() == counts.tolist()


def test_khon_kaen_summary_is_consistent(khon_kaen) -> None:
    _, _, result = khon_kaen
    s = result.summary()
    assert (s["households"], s["paired"], s["unmatched"], s["officers"]) == (1174, 1174, 0, 740)
    assert s["status"] == "optimal"
    assert s["objective"] == pytest.approx(result.pairs["cost"].sum(), rel=1e-12)
    assert sum(s["officers_by_load"].values()) == 740
    assert sum(k * v for k, v in s["officers_by_load"].items()) == 1174
    assert s["mean_distance_km"] == pytest.approx(result.pairs["distance_km"].mean())
    assert s["max_distance_km"] == pytest.approx(result.pairs["distance_km"].max())
    assert s["kind_fit_share"] == pytest.approx((result.pairs["kind_affinity"] >= 0.5).mean())
    assert s["unmatched_reasons"] == {}
    assert s["unknown_agencies"] == list(result.unknown_agencies)


def test_khon_kaen_default_equals_the_all_pairs_oracle(khon_kaen) -> None:
    o, h, result = khon_kaen
    capacity = capacities(o, 2)
    best = optimum(capacity, builtin_costs(o, h, km.Policy(), capacity).matrix())
    assert best.n_paired == len(result.pairs) == 1174
    assert result.objective == pytest.approx(best.cost, rel=1e-9)


@pytest.mark.parametrize(
    ("seed", "policy"),
    [
        (1, km.Policy(candidate_k=1)),
        (2, km.Policy(candidate_k=2, max_distance_km=25)),
        (3, km.Policy(candidate_k=3, cross_district_penalty=0)),
    ],
)
def test_officer_prices_are_an_equilibrium_over_every_pair(seed: int, policy: km.Policy) -> None:
    """``officer_load.price`` is the documented dual: every paired household's officer
    minimises ``cost + price`` over all the officers it may be paired with (checked on
    every allowed pair, not only the candidates), prices are >= 0, and 0 where an
    officer has a free slot."""
    o, h = km.synthetic_province(officers=40, households=70, seed=seed)
    result = km.match(o, h, policy)
    assert result.status == "optimal"
    load = result.officer_load.set_index("officer_id")
    price = load["price"]
    assert (price >= 0).all()
    assert (price[load["load"] < load["capacity"]] == 0).all()
    every = pd.DataFrame(
        [(a, b) for a in o["officer_id"] for b in h["household_id"]],
        columns=["officer_id", "household_id"],
    )
    priced = km.pair_costs(o, h, every, policy)
    priced = priced[priced["allowed"]]
    priced["total"] = priced["cost"] + priced["officer_id"].map(price)
    best = priced.groupby("household_id")["total"].min()
    chosen = result.pairs.assign(total=result.pairs["cost"] + result.pairs["officer_id"].map(price))
    tolerance = 2 * result.stats["objective_tolerance"] + 1e-9
    assert (
        chosen.set_index("household_id")["total"]
        <= best[chosen["household_id"]].to_numpy() + tolerance
    ).all()


@pytest.mark.parametrize("seed", [6, 7])
def test_one_more_slot_saves_at_most_the_officers_price(seed: int) -> None:
    """Raising a busy officer's capacity by one lowers the least total cost (of
    pairing as many households) by at most its price; the dearest officer's extra
    slot is checked, and one of price 0, which saves nothing."""
    o, h = km.synthetic_province(officers=30, households=60, seed=seed)
    result = km.match(o, h)
    load = result.officer_load
    for row in (load.loc[load["price"].idxmax()], load.loc[load["price"].idxmin()]):
        more = o.assign(capacity=np.where(o["officer_id"] == row["officer_id"], 3, 2))
        again = km.match(more, h)
        assert len(again.pairs) == len(result.pairs)
        saved = result.objective - again.objective
        assert -1e-9 <= saved <= row["price"] + 1e-6
        assert saved > 0 if row["price"] > 0 else saved == pytest.approx(0, abs=1e-9)


def test_shortfall_is_a_hall_witness() -> None:
    """With a distance limit some households cannot all be covered: the shortfall
    names households whose allowed officers all lie in the named group, whose
    slots are fewer than the households; its deficit is what stays unmatched."""
    o, h = km.synthetic_province(officers=40, households=60, seed=3)  # 80 slots for 60
    policy = km.Policy(max_distance_km=8)
    result = km.match(o, h, policy)
    gap = result.shortfall
    assert gap is not None and len(result.unmatched) > 0
    assert gap.deficit == len(result.unmatched)
    assert gap.slots < len(gap.households)
    assert set(result.unmatched["household_id"]) <= set(gap.households)
    every = pd.DataFrame(
        [(a, b) for a in o["officer_id"] for b in gap.households],
        columns=["officer_id", "household_id"],
    )
    allowed = km.pair_costs(o, h, every, policy).query("allowed")
    assert set(allowed["officer_id"]) <= set(gap.officers)
    capacity = o.set_index("officer_id")["capacity"]
    assert int(capacity[list(gap.officers)].sum()) == gap.slots
    assert 0 < len(gap.officers) < len(o)  # a local shortfall, not the whole province
    assert km.match(o, h).shortfall is None  # without the limit every household is paired


@pytest.mark.parametrize("seed", [4, 5])
def test_certificate_in_chunks_and_radius_classes_reaches_the_oracle(seed: int) -> None:
    """Large inputs run the certificate's ball queries per chunk of households and per
    class of radii; forced on a small instance, the answer is still the optimum."""
    o, h = km.synthetic_province(officers=50, households=90, seed=seed)
    policy = km.Policy(candidate_k=1)  # thin first candidates: the balls must find pairs
    expected = km.match(o, h, policy)
    result = km.match(o, h, policy, options=km.SolveOptions(ball_chunk=7, one_pass_pairs=1))
    assert result.status == "optimal" and result.stats["rounds"] > 1
    capacity = capacities(o, 2)
    best = optimum(capacity, builtin_costs(o, h, policy, capacity).matrix())
    assert len(result.pairs) == best.n_paired
    assert result.objective == pytest.approx(best.cost, rel=1e-9)
    assert result.objective == pytest.approx(expected.objective, rel=1e-12)


def test_costs_far_below_the_grid_are_no_loss() -> None:
    """Costs of 1e-38 and none larger: the rounding bound is negligible in absolute
    terms (below answer.TOLERANCE_FLOOR), so the proof stands (hypothesis found this)."""
    o = pd.DataFrame(
        {
            "officer_id": ["A"],
            "agency": ["an agency not in the fit table"],
            "district": ["D2"],
            "lat": [16.5828],
            "lon": [102.1317],
        }
    )
    h = pd.DataFrame(
        {
            "household_id": [1],
            "kind": ["welfare"],
            "district": ["D3"],
            "lat": [16.5828],
            "lon": [102.1317],
        }
    )
    result = km.match(
        o,
        h,
        km.Policy(
            fit_weight=1.1754943508222875e-38,
            cross_district_penalty=0,
            neutral_fit=0.0,
            coordinate_check="warn",
        ),
    )
    assert len(result.pairs) == 1
    assert result.status == "optimal"
