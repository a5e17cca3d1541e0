"""diagnose and plan_capacity: the deficit against an independent maximum coverage, each
group a true Hall violator, each fix covering what it promises once applied, and the
capacity plan feasible and minimal against brute force; the CLI's exit codes."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kuseo_match as km
from oracle import builtin_costs, capacities, optimum

PROPERTY = settings(max_examples=30, deadline=None, derandomize=True, print_blob=True)


@st.composite
def short_instances(draw):
    seed = draw(st.integers(0, 2**31 - 1))
    n_o, n_h = draw(st.integers(1, 6)), draw(st.integers(3, 16))
    o, h = km.synthetic_province(officers=n_o, households=n_h, seed=seed)
    o = o.assign(capacity=np.random.default_rng(seed).integers(0, 3, n_o))
    policy = draw(
        st.sampled_from([km.Policy(max_distance_km=15), km.Policy(same_district=True), km.Policy()])
    )
    return o, h, policy


def _allowed(o: pd.DataFrame, h: pd.DataFrame, policy: km.Policy) -> tuple[np.ndarray, np.ndarray]:
    capacity = capacities(o, policy.capacity)
    matrix = builtin_costs(o, h, policy, capacity).matrix()
    if policy.same_district:
        matrix[o["district"].to_numpy()[:, None] != h["district"].to_numpy()[None, :]] = np.inf
    return capacity, matrix


@PROPERTY
@given(short_instances())
def test_diagnosis_is_true_and_its_fixes_work(case) -> None:
    o, h, policy = case
    capacity, matrix = _allowed(o, h, policy)
    best = optimum(capacity, matrix)
    found = km.diagnose(o, h, policy)
    assert found.deficit == len(h) - best.n_paired
    if found.deficit == 0:
        assert found.shortfalls == () and found.fixes == ()
        return
    assert sum(g.deficit for g in found.shortfalls) == found.deficit
    o_pos = {str(v): i for i, v in enumerate(o["officer_id"])}
    h_pos = {str(v): j for j, v in enumerate(h["household_id"])}
    for group in found.shortfalls:
        hs = [h_pos[str(x)] for x in group.households]
        reach = {
            i for i in np.flatnonzero(np.isfinite(matrix[:, hs]).any(axis=1)) if capacity[i] > 0
        }
        assert reach <= {o_pos[str(x)] for x in group.officers}  # every officer they reach
        assert int(capacity[sorted(reach)].sum()) < len(hs)  # too few slots: Hall fails
    for fix in found.fixes:
        assert fix.covered > 0
        if fix.kind == "add officers":
            after = km.match(pd.concat([o, fix.officers], ignore_index=True), h, policy)
        elif fix.kind == "raise capacity":
            raised = o.set_index("officer_id")["capacity"].copy()
            raised.update(fix.officers.set_index("officer_id")["capacity"])
            after = km.match(
                o.assign(capacity=raised.reindex(o["officer_id"]).to_numpy()), h, policy
            )
        else:
            after = km.match(o, h, fix.policy)
        paired = set(after.pairs["household_id"].astype(str))
        assert set(fix.covers.astype(str)) <= paired


def test_diagnose_names_the_short_district_and_a_fix() -> None:
    o, h = km.synthetic_province()
    o = o[o["district"] != "TH4008"]  # Ubolratana's officers were transferred
    found = km.diagnose(o, h, km.Policy(max_distance_km=25))
    assert found.deficit > 0
    assert "TH4008" in found.table()["districts"].iloc[0]
    add = [f for f in found.fixes if f.kind == "add officers"]
    assert add and "TH4008 Ubolratana" in add[0].action
    assert "verified" in str(found)


@pytest.mark.parametrize("capacity", [1, 2])
def test_plan_is_feasible_and_minimal_against_brute_force(capacity) -> None:
    o, h = km.synthetic_province(officers=3, households=9, seed=4)
    sites = pd.DataFrame(
        {
            "site_id": ["S1", "S2", "S3"],
            "district": h["district"].iloc[:3].to_numpy(),
            "lat": h["lat"].iloc[[0, 4, 8]].to_numpy(),
            "lon": h["lon"].iloc[[0, 4, 8]].to_numpy(),
        }
    )
    policy = km.Policy(max_distance_km=20)
    plan = km.plan_capacity(h, officers=o, policy=policy, capacity=capacity, sites=sites)
    assert plan.attrs["status"] == "optimal"
    unreachable = set(map(str, plan.attrs["unreachable"]))

    def covers_all(counts) -> bool:
        added = pd.concat(
            [
                pd.DataFrame(
                    {
                        "officer_id": [f"{s.site_id}-{k}" for k in range(n)],
                        "agency": "interior",
                        "district": s.district,
                        "lat": s.lat,
                        "lon": s.lon,
                        "capacity": capacity,
                    }
                )
                for s, n in zip(sites.itertuples(), counts, strict=True)
            ],
            ignore_index=True,
        )
        result = km.match(pd.concat([o, added], ignore_index=True), h, policy)
        return set(result.unmatched["household_id"].astype(str)) <= unreachable

    assert covers_all(plan["new_officers"].tolist())  # feasible
    total = int(plan["new_officers"].sum())
    assert total == plan.attrs["total"]
    for counts in itertools.product(range(total + 1), repeat=len(sites)):
        if sum(counts) < total:
            assert not covers_all(counts), counts  # minimal


def test_plan_without_reach_limits_is_arithmetic() -> None:
    o, h = km.synthetic_province(officers=10, households=60, seed=1)
    plan = km.plan_capacity(h, officers=o, capacity=3)
    uncovered = len(km.match(o, h).unmatched)
    assert plan.attrs["total"] == -(-uncovered // 3)
    assert plan["new_officers"].sum() == plan.attrs["total"]
    assert plan.attrs["method"].startswith("arithmetic")


def test_cli_diagnose_and_plan(tmp_path, capsys) -> None:
    from kuseo_match.cli import main

    o, h = km.synthetic_province(officers=20, households=60, seed=1)
    o.to_csv(tmp_path / "officers.csv", index=False)
    h.to_csv(tmp_path / "households.csv", index=False)
    (tmp_path / "p.toml").write_text("same_district = true\n", encoding="utf-8")
    args = [str(tmp_path / "officers.csv"), str(tmp_path / "households.csv")]
    assert main(["diagnose", *args, "--policy", str(tmp_path / "p.toml")]) == 1
    shown = capsys.readouterr().out
    assert "no pairing can cover" in shown and "verified" in shown
    assert main(["diagnose", str(tmp_path / "officers.csv"), str(tmp_path / "households.csv")]) == 1
    code = main(
        [
            "plan",
            str(tmp_path / "households.csv"),
            "--officers",
            str(tmp_path / "officers.csv"),
            "--policy",
            str(tmp_path / "p.toml"),
            "--out",
            str(tmp_path / "plan"),
        ]
    )
    assert code == 0
    plan = pd.read_csv(tmp_path / "plan" / "plan.csv")
    assert plan["new_officers"].sum() > 0
    small = km.synthetic_province(officers=30, households=20, seed=2)
    small[0].to_csv(tmp_path / "o2.csv", index=False)
    small[1].to_csv(tmp_path / "h2.csv", index=False)
    assert main(["diagnose", str(tmp_path / "o2.csv"), str(tmp_path / "h2.csv")]) == 0


def test_result_diagnosis_uses_the_same_rules() -> None:
    o, h = km.synthetic_province(officers=15, households=40, seed=6)
    never = pd.DataFrame(
        {"officer_id": [o["officer_id"].iloc[0]], "household_id": [h["household_id"].iloc[0]]}
    )
    result = km.match(o, h, forbidden=never)
    found = result.diagnosis
    assert found is result.diagnosis  # computed once
    assert found.deficit == len(result.unmatched)
    direct = km.diagnose(o, h, forbidden=never)
    assert found.fix_table().equals(direct.fix_table())
    assert km.match(o.assign(capacity=5), h).diagnosis is None


def test_each_fix_is_verified_warm_in_fewer_rounds_than_a_cold_solve() -> None:
    """The README's Ubolratana case: every fix re-solves the base instance started
    from the base solve's prices, in fewer rounds than matching the changed tables
    from scratch."""
    officers, households = km.synthetic_province()
    gone = officers[officers["district"] != "TH4008"]
    policy = km.Policy(max_distance_km=25)
    found = km.diagnose(gone, households, policy)
    warm = found.stats["fix_rounds"]
    assert {f.kind for f in found.fixes} >= {"longer distance", "add officers", "raise capacity"}
    for fix in found.fixes:
        if fix.kind == "longer distance":
            cold = km.match(gone, households, fix.policy)
            attempt = f"max_distance_km {fix.policy.max_distance_km:g}"
        elif fix.kind == "raise capacity":
            raised = gone.assign(capacity=2)
            chosen = raised["officer_id"].isin(fix.officers["officer_id"])
            raised.loc[chosen, "capacity"] = 3
            cold = km.match(raised, households, policy)
            attempt = "raise capacity"
        else:
            cold = km.match(pd.concat([gone, fix.officers], ignore_index=True), households, policy)
            attempt = "add officers"
        assert set(fix.covers) <= set(cold.pairs["household_id"])  # the same answer, cold
        assert warm[attempt] < cold.stats["rounds"], (attempt, warm, cold.stats["rounds"])


def test_plan_capacity_follows_the_rules_of_a_match() -> None:
    """Forbidden pairs, locked pairs and costs= bind the officers already there, as
    in a match; new officers are placed by geography."""
    o, h = km.synthetic_province(officers=20, households=30, seed=4)
    policy = km.Policy(max_distance_km=30)
    base = km.plan_capacity(h, officers=o, policy=policy)
    paired = km.match(o, h, policy).pairs
    x = paired["household_id"].iloc[0]
    every = pd.DataFrame({"officer_id": o["officer_id"], "household_id": x})
    no_x = km.plan_capacity(h, officers=o, policy=policy, forbidden=every)
    assert no_x["uncovered"].sum() == base["uncovered"].sum() + 1
    assert no_x.attrs["total"] >= base.attrs["total"]
    # a locked pair beyond the reach is refused as in a match
    costs = km.pair_costs(o, h, every, policy)
    far = every[~costs["allowed"].to_numpy()].head(1)
    assert len(far) == 1
    with pytest.raises(km.InfeasibleError, match=r"locked pair .* is not allowed"):
        km.plan_capacity(h, officers=o, policy=policy, locked=far)
    # a locked pair within reach: its household is covered, its officer's slot taken
    near = paired.head(1)[["officer_id", "household_id"]]
    kept = km.plan_capacity(h, officers=o, policy=policy, locked=near)
    assert kept["uncovered"].sum() == base["uncovered"].sum()
    # with costs=, the officers there cover only the listed pairs
    listed = paired.head(5)[["officer_id", "household_id"]].assign(cost=1.0)
    only = km.plan_capacity(h, officers=o, policy=policy, costs=listed)
    assert only["uncovered"].sum() == len(h) - 5
    assert only.attrs["total"] >= base.attrs["total"]


def test_cli_plan_reads_the_rules_of_a_match(tmp_path, capsys) -> None:
    """``kuseo-match plan --forbidden F``: the officers there cover less, so the plan
    sees more households uncovered than without the file."""
    from kuseo_match.cli import main

    o, h = km.synthetic_province(officers=20, households=30, seed=4)
    o.to_csv(tmp_path / "officers.csv", index=False)
    h.to_csv(tmp_path / "households.csv", index=False)
    (tmp_path / "p.toml").write_text("max_distance_km = 30\n", encoding="utf-8")
    x = km.match(o, h, km.Policy(max_distance_km=30)).pairs["household_id"].iloc[0]
    pd.DataFrame({"officer_id": o["officer_id"], "household_id": x}).to_csv(
        tmp_path / "never.csv", index=False
    )
    base = ["plan", str(tmp_path / "households.csv"), "--officers", str(tmp_path / "officers.csv")]
    base += ["--policy", str(tmp_path / "p.toml"), "-q"]
    assert main([*base, "--out", str(tmp_path / "a")]) == 0
    assert (
        main([*base, "--forbidden", str(tmp_path / "never.csv"), "--out", str(tmp_path / "b")]) == 0
    )
    a = pd.read_csv(tmp_path / "a" / "plan.csv")
    b = pd.read_csv(tmp_path / "b" / "plan.csv")
    assert b["uncovered"].sum() == a["uncovered"].sum() + 1


#: The input options every command that reads tables shares (cli/inputs.py).
INPUT_OPTIONS = ("--costs", "--locked", "--forbidden", "--encoding", "--header-row", "--sheet")


def _options(command: str) -> dict[str, tuple]:
    import argparse

    from kuseo_match.cli import build_parser

    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    actions = sub.choices[command]._option_string_actions
    return {
        option: (a.dest, a.metavar, a.default, a.help, type(a).__name__)
        for option in INPUT_OPTIONS
        if (a := actions.get(option)) is not None
    }


@pytest.mark.parametrize("command", ["rematch", "diagnose", "plan"])
def test_commands_share_the_input_options_of_solve(command: str) -> None:
    """One definition: the same names, metavars, defaults and help as solve's."""
    assert _options(command) == _options("solve")
    assert len(_options("solve")) == len(INPUT_OPTIONS)


def test_cli_plan_reads_its_inputs_as_solve_does(tmp_path, capsys) -> None:
    """``plan --sheet`` and ``--header-row``: a workbook whose data sheet comes second
    and a CSV with a title row are read as ``solve`` reads them; a ``TABLE=`` naming
    a table the run does not read is refused."""
    from kuseo_match.cli import main

    o, h = km.synthetic_province(officers=20, households=30, seed=4)
    with pd.ExcelWriter(tmp_path / "households.xlsx") as book:
        pd.DataFrame({"note": ["2567 round"]}).to_excel(book, sheet_name="notes", index=False)
        h.to_excel(book, sheet_name="data", index=False)
    (tmp_path / "officers.csv").write_text(
        "officers of Khon Kaen\n" + o.to_csv(index=False), encoding="utf-8"
    )
    base = ["plan", str(tmp_path / "households.xlsx"), "--officers", str(tmp_path / "officers.csv")]
    base += ["--out", str(tmp_path / "out"), "-q"]
    assert main([*base, "--sheet", "households=data", "--header-row", "officers=2"]) == 0
    assert pd.read_csv(tmp_path / "out" / "plan.csv")["households"].sum() == len(h)
    assert main([*base, "--sheet", "sites=data"]) == 2
    assert "names sites, but this run reads no sites table" in capsys.readouterr().err
