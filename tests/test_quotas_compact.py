"""Quotas and compact pairs (CP-SAT): against a dense integer program of our own over every
pair, the invariants (quotas met, the gap bounds the true optimum), infeasible quotas, the
time limit, and policies from TOML through the CLI."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

import kuseo_match as km
from kuseo_match import InfeasibleError, Quota, ValidationError
from oracle import builtin_costs, capacities, haversine_matrix

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, print_blob=True)
CARE = ("public_health", "social_development")


def dense_optimum(matrix, capacity, rows, weight, lat, lon):
    """(paired, least objective) over every finite pair of ``matrix``, each quota row
    ``(officer mask, household mask, lo, hi)`` met, plus ``weight`` x km between every two
    households of one officer; None when no pairing meets the quotas.  Two integer
    programs: the most pairs, then the least objective with that many."""
    oo, hh = np.nonzero(np.isfinite(matrix))
    n_o, n_h = matrix.shape
    m = len(oo)
    if m == 0:
        return (0, 0.0) if all(lo <= 0 for *_, lo, _ in rows) else None
    # y[o, a, b] >= x[o, a] + x[o, b] - 1 for every two households of one officer
    links = [(i, j) for i in range(m) for j in range(i + 1, m) if oo[i] == oo[j]] if weight else []
    n_y = len(links)
    n = m + n_y
    by_o = coo_matrix((np.ones(m), (oo, np.arange(m))), shape=(n_o, n))
    by_h = coo_matrix((np.ones(m), (hh, np.arange(m))), shape=(n_h, n))
    parts = [LinearConstraint(by_o, 0, capacity), LinearConstraint(by_h, 0, 1)]
    for om, hm, lo, hi in rows:
        sel = (om[oo] & hm[hh]).astype(float)
        parts.append(LinearConstraint(np.r_[sel, np.zeros(n_y)][None, :], lo, hi))
    if n_y:
        r = np.repeat(np.arange(n_y), 3)
        c = np.array([[i, j, m + t] for t, (i, j) in enumerate(links)]).ravel()
        v = np.tile([1.0, 1.0, -1.0], n_y)
        parts.append(LinearConstraint(coo_matrix((v, (r, c)), shape=(n_y, n)), -np.inf, 1))
    integrality = np.ones(n)
    first = milp(
        np.r_[-np.ones(m), np.zeros(n_y)],
        constraints=parts,
        integrality=integrality,
        bounds=Bounds(0, 1),
    )
    if first.status == 2:
        return None
    assert first.status == 0
    paired = round(-first.fun)
    km_pairs = haversine_matrix(lat, lon, lat, lon)
    link_cost = np.array([weight * km_pairs[hh[i], hh[j]] for i, j in links])
    cover = LinearConstraint(np.r_[np.ones(m), np.zeros(n_y)][None, :], paired, paired)
    second = milp(
        np.r_[matrix[oo, hh], link_cost],
        constraints=[*parts, cover],
        integrality=integrality,
        bounds=Bounds(0, 1),
    )
    assert second.status == 0
    return paired, float(second.fun)


@st.composite
def cases(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    n_o, n_h = draw(st.integers(2, 6)), draw(st.integers(2, 10))
    o, h = km.synthetic_province(officers=n_o, households=n_h, seed=seed)
    rng = np.random.default_rng(seed)
    o = o.assign(
        capacity=rng.integers(0, 4, n_o), agency=rng.choice([*CARE, "police", "education"], n_o)
    )
    quotas = []
    if draw(st.booleans()):
        quotas.append(
            Quota(
                households={"kind": "welfare"},
                officers={"agency": list(CARE)},
                min_share=draw(st.sampled_from([0.3, 0.6, 1.0])),
            )
        )
    if draw(st.booleans()):
        quotas.append(Quota(officers={"agency": "police"}, max_count=draw(st.integers(0, 2))))
    weight = draw(st.sampled_from([0.0, 0.5, 3.0])) if quotas else draw(st.sampled_from([0.5, 3.0]))
    policy = km.Policy(
        quotas=quotas,
        pair_distance_weight=weight,
        max_distance_km=draw(st.sampled_from([None, 40.0])),
        min_load=draw(st.sampled_from([0, 0, 1])),
    )
    return o, h, policy


def oracle_rows(o: pd.DataFrame, h: pd.DataFrame, policy: km.Policy):
    rows = []
    for q in policy.quotas:
        om = np.ones(len(o), bool)
        hm = np.ones(len(h), bool)
        for key, values in q.officers:
            om &= o[key].isin(values).to_numpy()
        for key, values in q.households:
            hm &= h[key].isin(values).to_numpy()
        n = int(hm.sum())
        lo = max(q.min_count or 0, math.ceil((q.min_share or 0) * n - 1e-9))
        hi = min(
            n if q.max_count is None else q.max_count,
            n if q.max_share is None else math.floor(q.max_share * n + 1e-9),
        )
        rows.append((om, hm, lo, hi))
    return rows


@PROPERTY
@given(cases())
def test_quotas_and_compact_pairs_match_a_dense_integer_program(case) -> None:
    o, h, policy = case
    capacity = capacities(o, policy.capacity)
    matrix = builtin_costs(o, h, policy, capacity).matrix()
    rows = oracle_rows(o, h, policy)
    lower = np.where(capacity >= policy.min_load, policy.min_load, 0)
    # minimum loads as a quota per officer
    for j in np.flatnonzero(lower):
        om = np.zeros(len(o), bool)
        om[j] = True
        rows.append((om, np.ones(len(h), bool), lower[j], capacity[j]))
    expected = dense_optimum(
        matrix, capacity, rows, policy.pair_distance_weight, h["lat"], h["lon"]
    )
    options = km.SolveOptions(sat_k=16)  # >= 2 x officers: every allowed pair is a candidate
    if expected is None:
        with pytest.raises(InfeasibleError):
            km.match(o, h, policy, options=options)
        return
    try:
        result = km.match(o, h, policy, options=options)
    except InfeasibleError:
        # minimum loads the flow cannot meet without the quotas' help do not arise:
        # every quota here only removes pairings, so the flow is infeasible too
        pytest.fail("InfeasibleError although a pairing meets every rule")
    paired, best = expected
    assert result.status == "optimal"
    assert result.gap == pytest.approx(0.0, abs=1e-9)
    assert len(result.pairs) == paired
    assert result.objective == pytest.approx(best, rel=1e-6, abs=1e-6)
    # the invariants, from the pairs themselves
    pairs = result.pairs.merge(o[["officer_id", "agency"]], on="officer_id", suffixes=("", "_o"))
    for (om, hm, lo, hi), q in zip(rows, policy.quotas, strict=False):
        counted = (
            pairs["officer_id"].isin(o["officer_id"][om])
            & pairs["household_id"].isin(h["household_id"][hm])
        ).sum()
        assert lo <= counted <= hi, q.label
    load = result.officer_load.set_index("officer_id")["load"]
    assert (load.reindex(o["officer_id"]).to_numpy() >= lower).all()


def test_welfare_quota_on_khon_kaen_is_met_and_costs_more() -> None:
    """One quota the flow breaks: the walk between the two flows at its price's
    breakpoint meets it exactly, at the Lagrangian bound, so CP-SAT is not needed and
    the answer is proven over every allowed pair."""
    o, h = km.synthetic_province()
    plain = km.match(o, h)
    quota = Quota(households={"kind": "welfare"}, officers={"agency": list(CARE)}, min_share=0.5)
    result = km.match(o, h, km.Policy(quotas=[quota]), time_limit=120)  # a guard only
    welfare = result.pairs[result.pairs["kind"] == "welfare"]
    least = math.ceil(0.5 * (h["kind"] == "welfare").sum())
    assert welfare["agency"].isin(CARE).sum() == least  # met with equality
    assert len(result.pairs) == len(plain.pairs)
    assert result.objective >= plain.objective - 1e-6
    assert result.stats["engine"].startswith("quota prices and a walk")
    assert result.status == "optimal" and result.gap == 0.0
    # the bound is valid over every allowed pair, and the answer reaches it
    assert result.stats["proven_over"] == "every allowed pair"
    assert result.stats["quota_bound"] > plain.objective
    tolerance = result.stats["objective_tolerance"]
    assert result.objective <= result.stats["quota_bound"] + tolerance


def test_a_quota_the_flow_meets_needs_no_cp_sat() -> None:
    o, h = km.synthetic_province(officers=60, households=80, seed=3)
    result = km.match(o, h, km.Policy(quotas=[Quota(officers={"agency": "police"}, max_share=1.0)]))
    assert result.status == "optimal"
    assert "meets the quotas" in result.stats["engine"]
    assert result.objective == pytest.approx(km.match(o, h).objective)


def test_an_impossible_quota_says_which_and_why() -> None:
    o, h = km.synthetic_province()
    quota = Quota(households={"kind": "welfare"}, officers={"agency": list(CARE)}, min_share=0.9)
    with pytest.raises(InfeasibleError, match="kind=welfare -> agency=public_health"):
        km.match(o, h, km.Policy(quotas=[quota]))


def test_locked_pairs_count_towards_quotas() -> None:
    o, h = km.synthetic_province(officers=20, households=30, seed=5)
    police = o.loc[o["agency"] == "police", "officer_id"]
    if police.empty:
        o.loc[o.index[0], "agency"] = "police"
        police = o.loc[o["agency"] == "police", "officer_id"]
    locked = pd.DataFrame(
        {"officer_id": [police.iloc[0]], "household_id": [h["household_id"].iloc[0]]}
    )
    quota = Quota(officers={"agency": "police"}, max_count=0)
    with pytest.raises(InfeasibleError, match="locked pairs alone break"):
        km.match(o, h, km.Policy(quotas=[quota]), locked=locked)


def test_the_broken_quota_message_gives_its_own_numbers() -> None:
    """With several quotas, the message gives the broken quota's count and bound."""
    o, h = km.synthetic_province(officers=20, households=30, seed=5)
    o.loc[o.index[0], "agency"] = "police"
    locked = pd.DataFrame(
        {"officer_id": [o["officer_id"].iloc[0]], "household_id": [h["household_id"].iloc[0]]}
    )
    loose = Quota(max_count=25, name="loose")
    none = Quota(officers={"agency": "police"}, max_count=0, name="no police")
    with pytest.raises(InfeasibleError, match=r"'no police' \(1 pairs, at most 0\)"):
        km.match(o, h, km.Policy(quotas=[loose, none]), locked=locked)


def test_compact_pairs_save_travel_and_report_a_gap() -> None:
    o, h = km.synthetic_province(officers=200, households=320, seed=2)
    plain = km.match(o, h)
    result = km.match(o, h, km.Policy(pair_distance_weight=1.0), time_limit=5)
    assert result.stats["pair_distance_km"] <= plain.stats["pair_distance_km"] + 1e-6
    assert result.pairs["cost"].sum() >= plain.objective - 1e-6
    assert result.objective == pytest.approx(
        result.pairs["cost"].sum() + result.stats["pair_distance_km"]
    )
    assert result.gap is not None and 0 <= result.gap < 1
    assert result.status in ("optimal", "feasible")
    assert result.objective * (1 - result.gap) <= result.objective + 1e-9
    # no pairing costs less than the plain optimum (to CP-SAT's rounding)
    assert result.stats["lower_bound"] >= plain.objective - result.stats["objective_tolerance"]


def test_compact_pairs_are_deterministic_without_a_time_limit() -> None:
    o, h = km.synthetic_province(officers=40, households=60, seed=4)
    options = km.SolveOptions(sat_work=1.0)
    first = km.match(o, h, km.Policy(pair_distance_weight=2.0), options=options)
    second = km.match(o, h, km.Policy(pair_distance_weight=2.0), options=options)
    pd.testing.assert_frame_equal(first.pairs, second.pairs)


def test_time_limit_stops_a_long_compact_pairs_run_with_a_gap() -> None:
    o, h = km.synthetic_province()
    messages: list[str] = []
    start = time.perf_counter()
    result = km.match(
        o,
        h,
        km.Policy(pair_distance_weight=1.0),
        time_limit=3,
        progress=messages.append,
        options=km.SolveOptions(sat_work=1000.0),
    )
    elapsed = time.perf_counter() - start
    assert result.status == "feasible"
    assert result.gap is not None and result.gap > 0
    assert any(m.startswith("CP-SAT") for m in messages)
    assert elapsed < 3 * 1.5  # generous here; benchmarks/bench_policies.py measures the 10 %


def test_quota_grammar_errors_name_the_field() -> None:
    with pytest.raises(ValidationError, match="needs a bound"):
        Quota(households={"kind": "welfare"})
    with pytest.raises(ValidationError, match="unknown key 'kinds'"):
        Quota(households={"kinds": "welfare"}, min_count=1)
    with pytest.raises(ValidationError, match="need 'wealth'"):
        Quota(households={"need": "wealth"}, min_count=1)
    with pytest.raises(ValidationError, match="share in"):
        Quota(max_share=1.5)
    with pytest.raises(ValidationError, match="bottleneck"):
        km.Policy(objective="bottleneck", pair_distance_weight=1.0)
    policy = km.Policy.from_dict({"quotas": [{"officers": {"agency": "police"}, "max_share": 0.1}]})
    assert policy.quotas[0].max_share == 0.1
    assert km.Policy.from_dict(policy.to_dict() | {"fit_table": None}) == policy


def test_cli_reads_quotas_and_compact_pairs_from_toml(tmp_path) -> None:
    from kuseo_match.cli import main

    o, h = km.synthetic_province(officers=40, households=60, seed=8)
    o.to_csv(tmp_path / "officers.csv", index=False)
    h.to_csv(tmp_path / "households.csv", index=False)
    (tmp_path / "policy.toml").write_text(
        "[policy]\npair_distance_weight = 0.5\n\n[[policy.quotas]]\n"
        'name = "welfare with care agencies"\nhouseholds = { kind = "welfare" }\n'
        'officers = { agency = ["public_health", "social_development"] }\nmin_share = 0.3\n',
        encoding="utf-8",
    )
    code = main(
        [
            "solve",
            str(tmp_path / "officers.csv"),
            str(tmp_path / "households.csv"),
            "--policy",
            str(tmp_path / "policy.toml"),
            "--out",
            str(tmp_path / "out"),
            "--time-limit",
            "5",
            "-q",
        ]
    )
    assert code in (0, 3)  # 3: CP-SAT stopped at the time limit, with a gap
    pairs = pd.read_csv(tmp_path / "out" / "pairs.csv")
    welfare = pairs[pairs["kind"] == "welfare"]
    assert welfare["agency"].isin(CARE).sum() >= math.ceil(0.3 * (h["kind"] == "welfare").sum())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("share", "at_least"), [(0.3, True), (0.05, False)])
def test_the_walk_between_priced_flows_reaches_the_integer_optimum(
    seed: int, share: float, at_least: bool
) -> None:
    """A quota on at least (or at most) a share of the welfare households going to
    care agencies, which the plain optimum breaks: whenever the walk proves the
    answer, it is the dense integer program's optimum and meets the quota with
    equality; otherwise CP-SAT does, with the same optimum."""
    o, h = km.synthetic_province(officers=50, households=90, seed=seed)
    bound = {"min_share": share} if at_least else {"max_share": share}
    quota = Quota(households={"kind": "welfare"}, officers={"agency": list(CARE)}, **bound)
    policy = km.Policy(quotas=[quota])
    capacity = capacities(o, policy.capacity)
    matrix = builtin_costs(o, h, policy, capacity).matrix()
    expected = dense_optimum(matrix, capacity, oracle_rows(o, h, policy), 0.0, h["lat"], h["lon"])
    assert expected is not None
    result = km.match(o, h, policy)
    assert result.status == "optimal"
    assert len(result.pairs) == expected[0]
    assert result.objective == pytest.approx(expected[1], rel=1e-6, abs=1e-6)
    if result.stats["engine"].startswith("quota prices and a walk"):
        welfare = result.pairs[result.pairs["kind"] == "welfare"]
        count = int(welfare["agency"].isin(CARE).sum())
        n = int((h["kind"] == "welfare").sum())
        assert count == (math.ceil(share * n - 1e-9) if at_least else math.floor(share * n + 1e-9))


def test_the_walk_moves_the_count_by_exactly_the_change() -> None:
    from kuseo_match.solve.walk import walk

    rng = np.random.default_rng(5)
    done = 0
    for _ in range(300):
        n_o, n_h = 6, 10
        pairs = []
        for _side in range(2):  # two pairings of the same households, capacity 2
            slots = rng.permutation(np.repeat(np.arange(n_o), 2))[:n_h]
            pairs.append((slots, np.arange(n_h)))
        counted_o = rng.random(n_o) < 0.5

        def counted(o, h, counted_o=counted_o):
            return counted_o[o]

        start = int(counted(*pairs[0]).sum())
        end = int(counted(*pairs[1]).sum())
        for change in range(min(0, end - start), max(0, end - start) + 1):
            out = walk(pairs[0], pairs[1], counted, change)
            if out is None:
                continue
            o, h = out
            assert sorted(h.tolist()) == list(range(n_h))  # every household once
            assert np.bincount(o, minlength=n_o).max() <= 2
            assert int(counted(o, h).sum()) == start + change
            done += 1
    assert done > 300
