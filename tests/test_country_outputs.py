"""Outputs that stay usable at country size.

:meth:`Result.by_province` and the per-province tables it feeds (``summary.json``, the
workbook, the report), and, above :data:`kuseo_match.report.AGGREGATE_HOUSEHOLDS`
households, districts instead of households: the two-panel district map, the unmatched
households counted per district, ``pairs.geojson`` only with ``--geojson``.  The threshold
is passed as ``aggregate_above`` so that a 3,000-household country shows the large path.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from matplotlib.figure import Figure

import kuseo_match as km
from kuseo_match import cli, io, reference, report
from kuseo_match.cli.outputs import not_written, write_outputs
from kuseo_match.cli.progress import Progress
from kuseo_match.result import PAIR_COLUMNS, Result

#: ``aggregate_above`` for the 3,000-household country below.
THRESHOLD = 1_000


@pytest.fixture(scope="module")
def country() -> tuple[Result, pd.DataFrame, pd.DataFrame]:
    # 1,200 officers of capacity 2: 2,400 slots, so at least 600 households stay unmatched.
    officers, households = km.synthetic_country(households=3_000, officers=1_200, seed=1)
    return km.match(officers, households), officers, households


def _unmatched_hand_built(n: int, district: str = "TH4001") -> Result:
    lost = pd.DataFrame(
        {
            "household_id": [f"H{i:06d}" for i in range(n)],
            "kind": "welfare",
            "household_district": district,
            "reason": "no officer within reach",
        }
    )
    return Result(pd.DataFrame(columns=list(PAIR_COLUMNS)), lost, "optimal", 0.0)


def _households_by_district(result: Result) -> pd.Series:
    both = (result.pairs["household_district"], result.unmatched["household_district"])
    return pd.concat(both, ignore_index=True).astype(str).value_counts().sort_index()


# ----------------------------------------------------------------------- by_province
def test_by_province_adds_up_to_the_whole(country) -> None:
    result, officers, households = country
    table = result.by_province()
    whole = result.summary()
    assert table["households"].sum() == whole["households"] == 3_000
    assert table["paired"].sum() == whole["paired"]
    assert table["unmatched"].sum() == whole["unmatched"] >= 600
    assert table["officers"].sum() == len(officers)
    assert table["slots"].sum() == result.officer_load["capacity"].sum() == 2_400
    assert table["objective"].sum() == pytest.approx(result.objective)
    assert table["province_code"].tolist() == sorted(table["province_code"])
    by_code = table.set_index("province_code")
    with_households = by_code[by_code["households"] > 0]
    assert (
        with_households["households"].to_dict() == households["province"].value_counts().to_dict()
    )
    assert by_code["officers"][by_code["officers"] > 0].to_dict() == (
        officers["province"].value_counts().to_dict()
    )
    assert (by_code["unmatched_share"] == by_code["unmatched"] / by_code["households"]).all()


def test_by_province_names_and_distances(country) -> None:
    result, _, _ = country
    table = result.by_province().set_index("province_code")
    names = reference.provinces().set_index("province_code")
    assert (table["province_th"] == names.loc[table.index, "province_th"]).all()
    assert (table["province_en"] == names.loc[table.index, "province_en"]).all()
    assert tuple(table.loc["TH40", ["province_th", "province_en"]]) == ("ขอนแก่น", "Khon Kaen")
    assert table.loc["TH10", "province_en"] == "Bangkok"
    pairs = result.pairs.assign(province=result.pairs["household_district"].str[:4])
    grouped = pairs.groupby("province")["distance_km"]
    assert table.loc[grouped.mean().index, "mean_distance_km"].to_numpy() == pytest.approx(
        grouped.mean().to_numpy()
    )
    assert table.loc[grouped.max().index, "max_distance_km"].to_numpy() == pytest.approx(
        grouped.max().to_numpy()
    )


def test_by_province_reads_the_province_column_and_keeps_the_unknown() -> None:
    officers, households = km.synthetic_province("Khon Kaen", officers=20, households=30, seed=1)
    households = households.copy()
    households.loc[:4, "district"] = "Somewhere"  # no shipped district: the province column tells
    households.loc[:2, "province"] = "เชียงใหม่"
    households.loc[3:4, "province"] = None  # neither tells
    result = km.match(officers, households, km.Policy(coordinate_check="warn"))
    table = result.by_province().set_index("province_code")
    assert table.index.tolist() == ["TH40", "TH50", "unknown"]
    assert table["households"].tolist() == [25, 3, 2]
    assert table["officers"].tolist() == [20, 0, 0]
    assert table.loc["unknown", "province_th"] is None
    assert table.loc["TH50", "province_en"] == "Chiang Mai"


def test_by_province_of_a_result_built_by_hand_uses_the_districts() -> None:
    result = _unmatched_hand_built(3)
    lost = result.unmatched.assign(household_district=["TH4001", "TH5001", "D9"])
    bare = Result(result.pairs, lost, "optimal", 0.0)
    table = bare.by_province()
    assert table["province_code"].tolist() == ["TH40", "TH50", "unknown"]
    assert table["unmatched_share"].tolist() == [1.0, 1.0, 1.0]
    assert table["officers"].tolist() == [0, 0, 0]
    empty = Result(result.pairs, result.unmatched.iloc[:0], "optimal", 0.0).by_province()
    assert empty.empty and "province_code" in empty.columns


# ------------------------------------------------------------- summary.json, workbook
def test_summary_json_lists_the_provinces_of_a_run_over_several(country, tmp_path: Path) -> None:
    result, _, _ = country
    data = json.loads(io.write_summary_json(result, tmp_path / "s.json").read_text("utf-8"))
    rows = data["provinces"]
    assert [r["province_code"] for r in rows] == result.by_province()["province_code"].tolist()
    assert sum(r["households"] for r in rows) == data["households"]
    assert sum(r["paired"] for r in rows) == data["paired"]
    assert "not_written" not in data
    one = _unmatched_hand_built(2)  # one province: nothing to break down
    data = json.loads(
        io.write_summary_json(
            one, tmp_path / "one.json", not_written={"pairs.geojson": "why"}
        ).read_text("utf-8")
    )
    assert "provinces" not in data and data["not_written"] == {"pairs.geojson": "why"}


def test_the_workbook_has_a_provinces_sheet_for_several(tmp_path: Path) -> None:
    lost = _unmatched_hand_built(2).unmatched.assign(household_district=["TH4001", "TH5001"])
    result = Result(pd.DataFrame(columns=list(PAIR_COLUMNS)), lost, "optimal", 0.0)
    book = openpyxl.load_workbook(io.write_pairs_xlsx(result, tmp_path / "p.xlsx"))
    assert book.sheetnames[:3] == ["summary", "provinces", "pairs"]
    assert [c.value for c in book["provinces"]["A"]][2:] == ["TH40", "TH50"]  # below 2 headers
    single = io.write_pairs_xlsx(_unmatched_hand_built(2), tmp_path / "one.xlsx")
    assert "provinces" not in openpyxl.load_workbook(single).sheetnames


def test_the_command_writes_the_provinces_everywhere(tmp_path: Path, capsys) -> None:
    officers, households = km.synthetic_country(households=40, officers=30, seed=2)
    io.write_csv(officers, tmp_path / "officers.csv")
    io.write_csv(households, tmp_path / "households.csv")
    out = tmp_path / "out"
    code = cli.main(
        [
            "solve",
            str(tmp_path / "officers.csv"),
            str(tmp_path / "households.csv"),
            "--out",
            str(out),
        ]
    )
    assert code in (0, 1)
    printed = capsys.readouterr().out
    assert "Not written" not in printed  # 40 households: pairs.geojson as always
    data = json.loads((out / "summary.json").read_text("utf-8"))
    assert sum(r["households"] for r in data["provinces"]) == 40
    assert "not_written" not in data and (out / "pairs.geojson").is_file()
    assert "provinces" in openpyxl.load_workbook(out / "pairs.xlsx", read_only=True).sheetnames
    page = (out / "report.html").read_text("utf-8")
    assert 'id="provinces"' in page and 'id="unmatched-districts"' not in page


# ----------------------------------------------------------------- pairs.geojson
def test_pairs_geojson_and_pair_sheets_need_a_flag_above_the_threshold() -> None:
    limit = report.AGGREGATE_HOUSEHOLDS
    big = _unmatched_hand_built(limit + 1)
    left = not_written(big)
    reason = left["pairs.geojson"]
    assert f"{limit + 1:,} households" in reason and "--geojson" in reason
    sheets = left["pairs.xlsx pair and district sheets"]
    assert "--pair-sheets" in sheets and "pairs.csv" in sheets
    assert (
        "pairs.parquet"
        in not_written(big, table_format="parquet")["pairs.xlsx pair and district sheets"]
    )
    assert not_written(big, geojson=True, pair_sheets=True) == {}
    assert not_written(_unmatched_hand_built(limit)) == {}
    for command in (["solve", "o.csv", "h.csv"], ["demo"], ["rematch", "p.csv", "o.csv", "h.csv"]):
        for flag in ("geojson", "pair_sheets"):
            option = "--" + flag.replace("_", "-")
            assert getattr(cli.build_parser().parse_args([*command, option]), flag) is True
            assert getattr(cli.build_parser().parse_args(command), flag) is False


def _run_outputs(out: Path, result: Result, **options: object) -> list[str]:
    households = result.unmatched.rename(columns={"household_district": "district"})
    args = cli.build_parser().parse_args(["solve", "o.csv", "h.csv", "-q"])
    with io.OutputFolder(out, "match") as folder:
        written = write_outputs(
            Progress(args),
            result,
            pd.DataFrame(columns=["officer_id", "district"]),
            households,
            folder,
            aggregate_above=10,
            **options,  # type: ignore[arg-type]
        )
    return [p.name for p in written]


def test_above_the_threshold_an_earlier_pairs_geojson_goes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    big = _unmatched_hand_built(11)  # above aggregate_above=10
    names = _run_outputs(out, big, geojson=True, pair_sheets=True)
    assert "pairs.geojson" in names and (out / "pairs.geojson").is_file()
    assert "not_written" not in json.loads((out / "summary.json").read_text("utf-8"))
    assert "pairs" in openpyxl.load_workbook(out / "pairs.xlsx", read_only=True).sheetnames
    names = _run_outputs(out, big)
    assert "pairs.geojson" not in names and not (out / "pairs.geojson").exists()
    data = json.loads((out / "summary.json").read_text("utf-8"))
    assert data["not_written"] == not_written(big, aggregate_above=10)
    sheets = openpyxl.load_workbook(out / "pairs.xlsx", read_only=True).sheetnames
    assert "pairs" not in sheets and "unmatched" in sheets and "summary" in sheets
    page = (out / "report.html").read_text("utf-8")
    assert 'id="unmatched-districts"' in page and "data-household=" not in page
    assert "pairs.geojson" in _run_outputs(out, _unmatched_hand_built(10))


# ------------------------------------------------------------------------------ map
def test_the_map_draws_districts_above_the_threshold(country, tmp_path: Path) -> None:
    result, officers, households = country
    fig = report.plot_map(result, officers, households, aggregate_above=THRESHOLD)
    by_gid = {c.get_gid(): c for ax in fig.axes for c in ax.collections}
    assert "pairs" not in by_gid and "officers" not in by_gid and "unmatched" not in by_gid
    assert not any(str(g).startswith("households-") for g in by_gid)
    assert {"districts", "district-households", "districts-distance", "district-distance"} <= set(
        by_gid
    )
    # Khon Kaen's districts are shaded polygons; every other district with households a circle.
    counts = _households_by_district(result)
    lost = result.unmatched["household_district"].astype(str).value_counts()
    circles = counts[~counts.index.str.startswith("TH40")]
    dots = by_gid["district-households"]
    assert len(dots.get_offsets()) == len(circles)
    sizes = np.asarray(dots.get_sizes())
    assert np.all(np.diff(sizes[np.argsort(circles.to_numpy(), kind="stable")]) >= 0)
    share = lost.reindex(circles.index).fillna(0) / circles
    assert np.asarray(dots.get_array()) == pytest.approx(share.to_numpy())
    polygons = by_gid["districts"]
    assert len(polygons.get_paths()) == len(reference.khon_kaen_polygons())

    png = report.write_map(
        result, officers, households, tmp_path / "map.png", aggregate_above=THRESHOLD
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_threshold_counts_the_households_shown(country) -> None:
    result, officers, households = country
    # One province (tens of households) is drawn household by household.
    fig = report.plot_map(result, officers, households, province="TH40", aggregate_above=THRESHOLD)
    assert "pairs" in {c.get_gid() for c in fig.axes[0].collections}
    # In the caller's axes, only the unmatched-share panel.
    ax = Figure().add_subplot()
    report.plot_map(result, officers, households, ax=ax, aggregate_above=THRESHOLD)
    gids = {c.get_gid() for c in ax.collections}
    assert "district-households" in gids and "district-distance" not in gids


# --------------------------------------------------------------------------- report
def _rows(page: str, table_id: str, attribute: str) -> list[str]:
    start = page.index(f'id="{table_id}"')
    body = page[start : page.index("</table>", start)]
    return re.findall(rf'<tr {attribute}="([^"]*)"', body)


def test_the_report_has_provinces_and_counts_districts_above_the_threshold(country) -> None:
    result, officers, households = country
    table = result.by_province()
    page = report.render_report(
        result, officers, households, aggregate_above=THRESHOLD, embed_font=False
    )
    assert _rows(page, "provinces", "data-province") == table["province_code"].tolist()
    kk = re.search(r'data-province="TH40".*?data-col="households" data-value="(\d+)"', page, re.S)
    assert (
        kk is not None
        and int(kk.group(1)) == table.set_index("province_code").at["TH40", "households"]
    )
    assert 'id="map"' in page
    assert 'id="unmatched-households"' not in page and "data-household=" not in page
    lost = result.unmatched["household_district"].astype(str).value_counts()
    assert sorted(_rows(page, "unmatched-districts", "data-district")) == sorted(lost.index)
    section = page[page.index('id="unmatched-districts"') :]
    counted = re.findall(r'data-col="unmatched" data-value="(\d+)"', section.split("</table>")[0])
    assert sum(map(int, counted)) == len(result.unmatched)
    # The district table names each district's province.
    assert 'data-col="province">ขอนแก่น / Khon Kaen<' in page


def test_the_report_below_the_threshold_lists_households(country) -> None:
    result, officers, households = country
    page = report.render_report(result, officers, households, map_png=b"", embed_font=False)
    assert 'id="provinces"' in page and 'id="unmatched-households"' in page
    assert 'id="unmatched-districts"' not in page
    officers, households = km.synthetic_province(officers=10, households=12, seed=1)
    one = report.render_report(
        km.match(officers, households), officers, households, map_png=b"", embed_font=False
    )
    assert 'id="provinces"' not in one and 'data-col="province"' not in one
