"""What a run did, said where the analyst reads it: quota attainment, the gap, the
rematch line, and the run's date, inputs and policy file in summary.json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import kuseo_match as km
from kuseo_match import cli

CARE = ["public_health", "social_development"]


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out


@pytest.fixture(scope="module")
def khon_kaen() -> tuple[pd.DataFrame, pd.DataFrame]:
    return km.synthetic_province(seed=0)


def test_quota_attainment_counts_the_quota_as_the_answer_meets_it(khon_kaen) -> None:
    o, h = khon_kaen
    welfare = int((h["kind"] == "welfare").sum())
    quota = {"households": {"kind": "welfare"}, "officers": {"agency": CARE}, "min_share": 0.5}
    result = km.match(o, h, km.Policy(quotas=[quota]))
    table = result.quota_attainment()
    assert len(table) == 1
    row = table.iloc[0]
    counted = result.pairs[(result.pairs["kind"] == "welfare") & result.pairs["agency"].isin(CARE)]
    assert int(row["selected"]) == welfare
    assert int(row["least"]) == -(-welfare // 2)
    assert int(row["pairs"]) == len(counted)
    assert bool(row["met"])
    assert row["text"] == f"at least {row['least']:,} of {welfare:,}: {len(counted):,}, met"
    assert km.match(o, h).quota_attainment().empty  # no quotas, no rows


def test_a_broken_quota_says_not_met(khon_kaen) -> None:
    o, h = khon_kaen
    quota = {"households": {"kind": "welfare"}, "officers": {"agency": CARE}, "max_count": 5}
    plain = km.match(o, h)
    hand = km.result.Result(
        plain.pairs,
        plain.unmatched,
        plain.status,
        plain.objective,
        policy=km.Policy(quotas=[quota]),
        officers=plain.officers,
        households=plain.households,
    )
    row = hand.quota_attainment().iloc[0]
    assert not row["met"] and row["text"].endswith("NOT met")
    assert row["text"].startswith("at most 5 of ")


def test_the_cli_prints_and_stores_quotas_gap_and_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], khon_kaen
) -> None:
    o, h = khon_kaen
    o.to_csv(tmp_path / "officers.csv", index=False)
    h.to_csv(tmp_path / "households.csv", index=False)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[policy]\n[[policy.quotas]]\nname = "welfare with care"\n'
        'households = { kind = "welfare" }\n'
        'officers = { agency = ["public_health", "social_development"] }\n'
        "min_share = 0.5\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, printed = _run(
        capsys,
        "solve",
        tmp_path / "officers.csv",
        tmp_path / "households.csv",
        "--policy",
        policy,
        "--out",
        out,
    )
    assert code == 0
    data = json.loads((out / "summary.json").read_text("utf-8"))
    (quota,) = data["quotas"]
    assert quota["quota"] == "welfare with care" and quota["met"] is True
    assert f"welfare with care: {quota['text']}" in printed
    assert data["gap"] == 0.0 and "Gap" in printed
    run = data["run"]
    assert run["command"] == "solve" and run["policy_file"] == str(policy)
    assert run["inputs"]["officers"] == {"file": str(tmp_path / "officers.csv"), "rows": len(o)}
    assert run["inputs"]["households"]["rows"] == len(h)
    assert run["date"].endswith("+00:00")


def test_the_cli_prints_the_rematch_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    o, h = km.synthetic_province(officers=30, households=45, seed=2)
    first = km.match(o, h)
    first.pairs.to_csv(tmp_path / "previous.csv", index=False)
    o.iloc[1:].to_csv(tmp_path / "officers.csv", index=False)
    h.iloc[:-1].to_csv(tmp_path / "households.csv", index=False)
    gone = first.pairs["officer_id"] == o["officer_id"].iloc[0]
    left = int(first.pairs["household_id"].eq(h["household_id"].iloc[-1]).sum())
    code, printed = _run(
        capsys,
        "rematch",
        tmp_path / "previous.csv",
        tmp_path / "officers.csv",
        tmp_path / "households.csv",
        "--out",
        tmp_path / "out",
    )
    assert code == 0
    line = next(x for x in printed.splitlines() if x.strip().startswith("Rematch"))
    moved = int(gone.sum()) - int(
        (gone & first.pairs["household_id"].eq(h["household_id"].iloc[-1])).sum()
    )
    kept = len(first.pairs) - moved - left
    assert f"kept {kept:,}, moved {moved:,} (officer left {moved:,}), new 0, left {left:,}" in line
    data = json.loads((tmp_path / "out" / "summary.json").read_text("utf-8"))
    assert data["run"]["command"] == "rematch"
    assert data["run"]["inputs"]["previous"]["rows"] == len(first.pairs)


def test_households_re_paired_far_are_named_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], khon_kaen
) -> None:
    o, h = khon_kaen
    first = km.match(o, h)
    gone = o[o["district"] != "TH4008"]  # Ubolratana's officers leave
    again = km.rematch(first.pairs, gone, h)
    longest = again.stats["fresh_longest_km"]
    fresh = km.match(gone, h)
    assert longest == pytest.approx(fresh.pairs["distance_km"].max())
    beyond = again.stats["beyond_fresh"]
    assert beyond
    far = again.pairs.set_index("household_id").loc[beyond, "distance_km"]
    assert (far > longest).all()
    first.pairs.to_csv(tmp_path / "previous.csv", index=False)
    gone.to_csv(tmp_path / "officers.csv", index=False)
    h.to_csv(tmp_path / "households.csv", index=False)
    code, printed = _run(
        capsys,
        "rematch",
        tmp_path / "previous.csv",
        tmp_path / "officers.csv",
        tmp_path / "households.csv",
        "--out",
        tmp_path / "out",
    )
    assert code in (0, 1)
    warning = next(x for x in printed.splitlines() if x.strip().startswith("Warning"))
    assert f"{len(beyond):,} household(s) re-paired farther" in warning
    assert "churn_cost" in warning and beyond[0] in warning
