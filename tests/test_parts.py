"""Runs solved in parts (kuseo_match.parts): the same answer as one piece, whatever
solves the parts (this process, local processes, a Dask cluster, a worker killed)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match.errors import ValidationError
from kuseo_match.instance import prepare
from kuseo_match.parts import components, groups, part_gb
from oracle import builtin_costs, capacities, optimum, table_cost_matrix

#: Small enough for the dense oracle, in several provinces.
SMALL = {"households": 260, "officers": 170, "seed": 3}
#: Parts of at most this many households, so that small runs split.
SPLIT = km.SolveOptions(part_households=40)
WHOLE = km.SolveOptions(part_households=None)


@pytest.fixture(scope="module")
def country() -> tuple[pd.DataFrame, pd.DataFrame]:
    return km.synthetic_country(**SMALL)


def _oracle(o: pd.DataFrame, h: pd.DataFrame, policy: km.Policy):
    capacity = capacities(o, policy.capacity)
    return optimum(capacity, builtin_costs(o, h, policy, capacity).matrix())


def _officer_of(result: km.Result) -> dict[str, str]:
    p = result.pairs
    return dict(zip(p["household_id"].astype(str), p["officer_id"].astype(str), strict=True))


@pytest.mark.parametrize(
    "policy",
    [
        km.Policy(same_province=True),
        km.Policy(same_district=True),
        km.Policy(max_distance_km=25),
        km.Policy(same_province=True, max_distance_km=40, capacity=1),
        km.Policy(),  # no split: the provinces' prices start one solve
    ],
    ids=["same_province", "same_district", "distance", "province_distance", "warm_start"],
)
def test_parts_give_the_one_call_optimum(country, policy: km.Policy) -> None:
    o, h = country
    parts = km.match(o, h, policy, options=SPLIT.replace(warm_parts=True))
    whole = km.match(o, h, policy, options=WHOLE)
    best = _oracle(o, h, policy)
    assert parts.status == whole.status == "optimal"
    assert len(parts.pairs) == len(whole.pairs) == best.n_paired
    assert parts.objective == pytest.approx(best.cost, rel=1e-9, abs=1e-6)
    assert whole.objective == pytest.approx(best.cost, rel=1e-9, abs=1e-6)
    assert parts.stats["parts"] > 1
    table = parts.parts
    assert list(table.columns) == list(km.result.PART_COLUMNS)
    assert (table["status"] == "optimal").all()
    if parts.stats["part_mode"] == "exact":
        assert table["households"].sum() <= len(h)
        assert table["paired"].sum() == len(parts.pairs)
        assert table["objective"].sum() == pytest.approx(parts.objective)
    else:
        assert policy == km.Policy()
        assert parts.stats["repair_changed"] >= 0
    # the prices are an equilibrium of the whole run: every part's officer is cheapest
    prices = parts.officer_load.set_index("officer_id")["price"]
    assert prices.notna().sum() == (parts.officer_load["capacity"] > 0).sum()


def test_a_costs_table_splits_by_its_components(country) -> None:
    o, h = country
    rng = np.random.default_rng(0)
    # each household lists three officers of its own province: components within provinces
    rows = []
    for hid, prov in zip(h["household_id"], h["province"], strict=True):
        pool = o.loc[o["province"] == prov, "officer_id"].to_numpy()
        if len(pool) == 0:
            continue
        for oid in rng.choice(pool, size=min(3, len(pool)), replace=False):
            rows.append((oid, hid, float(rng.integers(1, 50))))
    costs = pd.DataFrame(rows, columns=["officer_id", "household_id", "cost"])
    parts = km.match(o, h, costs=costs, options=SPLIT)
    whole = km.match(o, h, costs=costs, options=WHOLE)
    capacity = capacities(o, 2)
    best = optimum(capacity, table_cost_matrix(o, h, costs, capacity))
    assert parts.stats["part_mode"] == "exact"
    assert len(parts.pairs) == len(whole.pairs) == best.n_paired
    assert parts.objective == whole.objective == pytest.approx(best.cost)


def test_the_distance_components_stay_the_same_when_the_edges_are_cut(country) -> None:
    o, h = country
    policy = km.Policy(max_distance_km=30)
    loose = components(prepare(o, h, policy))
    tight = components(prepare(o, h, policy, options=km.SolveOptions(pair_budget=50)))
    assert loose is not None and tight is not None
    for a, b in zip(loose, tight, strict=True):  # the same partition, whatever the labels
        assert pd.crosstab(a, b).astype(bool).sum(axis=1).max() == 1
        assert pd.crosstab(b, a).astype(bool).sum(axis=1).max() == 1


def test_groups_pack_whole_labels_largest_first() -> None:
    label_h = np.array([0, 0, 0, 1, 1, 2, 3])
    label_o = np.array([0, 1, 2, -1])  # label 3 has no officer: no part
    parts = groups(label_o, label_h, target=3)
    assert [h.tolist() for _, h in parts] == [[0, 1, 2], [3, 4, 5]]
    assert [o.tolist() for o, _ in parts] == [[0], [1, 2]]


def test_what_couples_the_run_keeps_it_whole(country) -> None:
    o, h = country
    for policy in (
        km.Policy(same_province=True, objective="bottleneck"),
        km.Policy(same_province=True, pair_distance_weight=0.1),
        km.Policy(same_province=True, quotas=[{"households": {"kind": "welfare"}, "min_count": 1}]),
    ):
        assert components(prepare(o, h, policy)) is None


def test_a_province_short_of_officers_leaves_the_others_unchanged(country) -> None:
    o, h = country
    policy = km.Policy(same_province=True)
    short = h["province"].value_counts().index[0]
    stay = o[o["province"] == short].head(2)
    few = pd.concat([o[o["province"] != short], stay])
    result = km.match(few, h, policy, options=SPLIT)
    assert result.status == "optimal"
    province = h.set_index("household_id")["province"]
    lost = result.unmatched[result.unmatched["household_id"].map(province) == short]
    assert len(lost) == (h["province"] == short).sum() - stay["capacity"].sum()
    assert lost["reason"].str.contains("officer.s. of its province are all full").all()
    assert result.shortfall is not None and result.shortfall.deficit == len(result.unmatched)
    # the other provinces are paired as they are without the short one
    others = km.match(few, h[h["province"] != short], policy, options=SPLIT)
    mine = _officer_of(result)
    theirs = _officer_of(others)
    assert set(result.unmatched["household_id"]) - set(lost["household_id"]) == set(
        others.unmatched["household_id"]
    )
    assert {k: mine[k] for k in theirs} == theirs


def test_executors_give_identical_pairs(country) -> None:
    o, h = country
    policy = km.Policy(same_province=True)
    serial = km.match(o, h, policy, options=SPLIT)
    local = km.match(o, h, policy, options=SPLIT, executor=2)
    pd.testing.assert_frame_equal(serial.pairs, local.pairs)
    pd.testing.assert_frame_equal(serial.officer_load, local.officer_load)


class _Watched(ThreadPoolExecutor):
    """Threads that note the households of each part submitted and of the parts in
    flight beside it (each task takes at least 0.05 s)."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.lock = threading.Lock()
        self.flying: dict[int, int] = {}  # id of the task -> its households
        self.seen: list[tuple[int, list[int]]] = []  # (households, beside it in flight)

    def submit(self, fn, piece, *args):
        n = len(piece.households)
        with self.lock:
            self.seen.append((n, sorted(self.flying.values())))
            key = len(self.seen)
            self.flying[key] = n

        def run():
            try:
                time.sleep(0.05)  # long enough for the next submissions to see it in flight
                return fn(piece, *args)
            finally:
                with self.lock:
                    del self.flying[key]

        return super().submit(run)


@pytest.mark.parametrize("budget", [None, 0.2, 0.31])
def test_a_memory_budget_limits_the_parts_in_flight(country, budget) -> None:
    o, h = country
    policy = km.Policy(same_province=True)
    serial = km.match(o, h, policy, options=SPLIT)
    with _Watched() as pool:
        watched = km.match(
            o, h, policy, options=SPLIT.replace(parts_memory_gb=budget), executor=pool
        )
    pd.testing.assert_frame_equal(serial.pairs, watched.pairs)
    assert len(pool.seen) == watched.stats["parts"] > 4
    beside = [sum(part_gb(m) for m in flying) for _, flying in pool.seen]
    if budget is None:  # two tasks per worker: several parts at once
        assert max(len(flying) for _, flying in pool.seen) >= 2
    else:  # a part goes when it fits beside those in flight, or alone
        for (n, flying), gb in zip(pool.seen, beside, strict=True):
            assert not flying or gb + part_gb(n) <= budget
        # 0.2 GB holds one part of about 40 households (0.152 GB), 0.31 GB two
        assert max(len(flying) for _, flying in pool.seen) <= (0 if budget == 0.2 else 1)


def test_a_smaller_part_goes_ahead_of_one_that_does_not_fit() -> None:
    """Parts of 300, 200 and 50 households (0.16, 0.16, 0.15 GB) under a 0.32 GB
    budget, on one worker: 300 first, then 50 beside it (200 does not fit)."""
    from kuseo_match.parts import _each

    order: list[int] = []

    class Slow(ThreadPoolExecutor):
        def submit(self, fn, *args):
            order.append(args[0])
            return super().submit(lambda: (time.sleep(0.05), args[0])[1])

    def task(i: int):
        return [300, 200, 50][i], None

    need = [part_gb(n) for n in (300, 200, 50)]
    budget = need[0] + need[2] + 1e-9
    with Slow(max_workers=2) as pool:
        done = [i for i, _, _ in _each(task, need, pool, retries=0, budget=budget)]
    assert order == [300, 50, 200]
    assert sorted(done) == [0, 1, 2]


@pytest.mark.slow
def test_a_dask_cluster_gives_identical_pairs(country) -> None:
    distributed = pytest.importorskip("distributed")
    o, h = country
    policy = km.Policy(same_province=True)
    serial = km.match(o, h, policy, options=SPLIT)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_cluster = km.match(o, h, policy, options=SPLIT, executor=client.get_executor())
    pd.testing.assert_frame_equal(serial.pairs, on_cluster.pairs)
    assert on_cluster.stats["parts"] == serial.stats["parts"]


@pytest.mark.slow
def test_a_killed_worker_is_retried_and_the_answer_stays() -> None:
    # parts that take long enough that a worker is killed while it solves one
    o, h = km.synthetic_country(households=24_000, officers=15_000, seed=2)
    policy = km.Policy(same_province=True)
    options = km.SolveOptions(part_households=3_000)
    serial = km.match(o, h, policy, options=options)
    killed: list[int] = []

    def kill_one() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            children = multiprocessing.active_children()
            busy = [c for c in children if c.pid is not None and _cpu_seconds(c.pid) > 1.5]
            if busy:
                os.kill(busy[0].pid, signal.SIGKILL)
                killed.append(busy[0].pid)
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one)
    killer.start()
    try:
        again = km.match(o, h, policy, options=options, executor=2)
    finally:
        killer.join()
    assert killed, "no worker was seen solving"
    assert again.stats["parts_retried"] >= 1
    assert (again.parts["tries"] > 1).any()
    pd.testing.assert_frame_equal(serial.pairs, again.pairs)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_rematch_diagnose_and_plan_take_an_executor(country) -> None:
    o, h = country
    policy = km.Policy(same_province=True)
    first = km.match(o, h, policy, options=SPLIT)
    again = km.rematch(first.pairs, o.iloc[3:], h, policy, options=SPLIT, executor=2)
    serial = km.rematch(first.pairs, o.iloc[3:], h, policy, options=SPLIT)
    assert again.stats["parts"] > 1
    pd.testing.assert_frame_equal(again.pairs, serial.pairs)
    pd.testing.assert_frame_equal(again.changes, serial.changes)
    d = km.diagnose(o.iloc[: len(o) // 3], h, policy, options=SPLIT, executor=None)
    assert d.deficit == len(d.result.unmatched) > 0
    plan = km.plan_capacity(h, officers=o, policy=policy, options=SPLIT, executor=2)
    assert int(plan["new_officers"].sum()) >= 0


@pytest.mark.parametrize("bad", ["dask", 0, True, 1.5, object()])
def test_a_bad_executor_is_refused_before_the_tables(bad) -> None:
    with pytest.raises(ValidationError, match="executor"):
        km.match(pd.DataFrame(), pd.DataFrame(), executor=bad)


def test_same_province_needs_a_province_for_every_row(country) -> None:
    o, h = country
    h = h.drop(columns="province").assign(district="Somewhere")
    with pytest.raises(ValidationError, match="same_province needs each row's province"):
        km.match(o, h, km.Policy(same_province=True), progress=None)


# ---------------------------------------------------------------------- command line
def _cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    from kuseo_match import cli

    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "0"], "--workers: value 0: must be a whole number >= 1"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
        (["--scheduler", "nowhere://scheduler"], "no Dask scheduler answered"),
        (["--workers", "2", "--memory", "0"], "--memory: value 0.0: must be a number > 0"),
        (["--workers", "2", "--memory", "nan"], "--memory: value nan: must be a number > 0"),
        (["--workers", "2", "--memory", "inf"], "--memory: value inf: must be a number > 0"),
    ],
    ids=["zero", "both", "no_scheduler", "memory_zero", "memory_nan", "memory_inf"],
)
def test_the_cli_refuses_bad_workers_and_schedulers(
    tmp_path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, err = _cli(capsys, "demo", "--out", tmp_path / "out", "-q", *extra)
    assert code == 2
    assert message in err
    assert not (tmp_path / "out" / "pairs.csv").exists()


def test_the_cli_solves_with_workers(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _cli(capsys, "demo", "--out", tmp_path / "out", "-q", "--workers", "2")
    assert code == 0, err
    assert (tmp_path / "out" / "pairs.csv").is_file()


def test_the_cli_passes_its_memory_budget_to_the_solve(
    tmp_path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuseo_match.cli import command

    seen = []
    real = command.match

    def match(*args, **kwargs):
        seen.append(kwargs["options"])
        return real(*args, **kwargs)

    monkeypatch.setattr(command, "match", match)
    for extra in ([], ["--memory", "0.5"]):
        code, err = _cli(capsys, "demo", "--out", tmp_path / "out", "-q", "--workers", "2", *extra)
        assert code == 0, err
    assert seen == [None, km.SolveOptions(parts_memory_gb=0.5)]


def test_under_a_budget_each_part_gets_a_fresh_worker_process(country) -> None:
    """A worker holds its last part's peak until it exits: under a memory budget our
    own pool replaces it after each part; without one it keeps its workers."""
    from kuseo_match.parts import _each

    o, h = country
    whole = prepare(o, h)
    pieces = [whole.piece(np.arange(30), np.arange(i, i + 20)) for i in (0, 20, 40, 60)]

    def pids(budget: float | None) -> set[int]:
        answers = _each(lambda i: (pieces[i], None), [0.2] * 4, 2, retries=0, budget=budget)
        return {answer.pid for _, answer, _ in answers}

    assert len(pids(10.0)) == 4
    assert len(pids(None)) <= 2
