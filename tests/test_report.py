"""Tests of kuseo_match.report: the Thai font, the map and the HTML report.

Results are built by hand (small frames whose numbers are easy to check);
district polygons and names come straight from the shipped reference files.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.ft2font import FT2Font

import kuseo_match as km
from kuseo_match import report
from kuseo_match.errors import ValidationError
from kuseo_match.policy import Policy
from kuseo_match.result import UNMATCHED_COLUMNS, Result

EVIL_ID = "<script>alert(1)</script>"
EVIL_AGENCY = '"><img src=x onerror=alert(1)>'
EVIL_REASON = "capacity <full> & no neighbour"
THAI = re.compile("[\u0e00-\u0e7f]")

_REFERENCE_DIRS = (
    Path(km.__file__).parent / "data",
    Path("/work/shared/reference"),
)


def _reference_file(name: str) -> Path:
    for folder in _REFERENCE_DIRS:
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"reference file {name} not found in {[str(d) for d in _REFERENCE_DIRS]}")


@pytest.fixture(scope="module")
def districts() -> pd.DataFrame:
    return pd.read_csv(_reference_file("thailand_districts.csv"))


@pytest.fixture(scope="module")
def boundaries() -> dict:
    return json.loads(_reference_file("khon_kaen_districts.geojson").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ toy case
_CENTRES = {
    "TH4001": (16.4619, 102.8051),
    "TH4002": (16.497, 102.6092),
    "TH4024": (16.2075, 102.7661),
}
_NEEDS = {  # household -> needs it has
    "H1": {"need_living", "need_income"},
    "H2": {"need_health"},
    "H3": {"need_income"},
    "H4": {"need_income"},
    "H5": {"need_health"},
    "H6": {"need_living"},
    "H7": {"need_income"},
    "H8": {"need_health", "need_access"},
    EVIL_ID: {"need_income"},
}


def make_case(
    codes: dict[str, str] | None = None, shift: tuple[float, float] = (0.0, 0.0)
) -> tuple[Result, pd.DataFrame, pd.DataFrame]:
    """6 officers, 9 households in 3 districts: 7 pairs, 2 unmatched (one id is evil).

    ``codes`` renames the three Khon Kaen districts and ``shift`` moves every
    point (to place the same case in another province).
    """
    codes = codes or {c: c for c in _CENTRES}
    rng = np.random.default_rng(3)

    def place(district: str) -> tuple[float, float]:
        lat, lon = _CENTRES[district]
        return lat + shift[0] + rng.uniform(-0.03, 0.03), lon + shift[1] + rng.uniform(-0.03, 0.03)

    officer_rows = [
        ("O1", "พัฒนาชุมชน", "TH4001", 2),
        ("O2", "สาธารณสุข", "TH4001", 2),
        ("O3", "เกษตร", "TH4002", 2),
        ("O4", "พมจ.", "TH4002", 2),
        ("O5", EVIL_AGENCY, "TH4024", 1),
        ("O6", "ปกครอง", "TH4024", 2),
    ]
    officers = pd.DataFrame(
        [
            {
                "officer_id": oid,
                "agency": agency,
                "district": codes[d],
                "lat": place(d)[0],
                "lon": place(d)[1],
                "capacity": cap,
            }
            for oid, agency, d, cap in officer_rows
        ]
    )
    household_rows = [
        ("H1", "developable", "TH4001"),
        ("H2", "welfare", "TH4001"),
        ("H3", "developable", "TH4001"),
        ("H4", "developable", "TH4002"),
        ("H5", "welfare", "TH4002"),
        ("H6", "welfare", "TH4002"),
        ("H7", "developable", "TH4024"),
        ("H8", "welfare", "TH4024"),
        (EVIL_ID, "developable", "TH4024"),
    ]
    households = pd.DataFrame(
        [
            {
                "household_id": hid,
                "kind": kind,
                "district": codes[d],
                "lat": place(d)[0],
                "lon": place(d)[1],
                **{need: need in _NEEDS[hid] for need in report.NEED_LABELS},
            }
            for hid, kind, d in household_rows
        ]
    )
    # household, officer, distance_km, fit, kind_affinity
    chosen = [
        ("H1", "O1", 1.2, 0.9, 0.9),
        ("H2", "O2", 2.0, 0.8, 0.8),
        ("H3", "O1", 3.1, 0.9, 0.9),
        ("H4", "O3", 0.5, 1.0, 1.0),
        ("H5", "O4", 4.4, 0.9, 0.9),
        ("H6", "O3", 6.0, 0.2, 0.2),
        ("H7", "O5", 2.5, 0.4, 0.5),
    ]
    o = officers.set_index("officer_id")
    h = households.set_index("household_id")
    pairs = pd.DataFrame(
        [
            {
                "officer_id": oid,
                "household_id": hid,
                "cost": km + 10 * (1 - fit),
                "distance_km": km,
                "fit": fit,
                "kind_affinity": affinity,
                "agency": o.loc[oid, "agency"],
                "officer_district": o.loc[oid, "district"],
                "kind": h.loc[hid, "kind"],
                "household_district": h.loc[hid, "district"],
            }
            for hid, oid, km, fit, affinity in chosen
        ]
    )
    unmatched = pd.DataFrame(
        [
            ("H8", "welfare", codes["TH4024"], "no officer within 10 km"),
            (EVIL_ID, "developable", codes["TH4024"], EVIL_REASON),
        ],
        columns=list(UNMATCHED_COLUMNS),
    )
    loads = pairs.groupby("officer_id").size()
    officer_load = officers[["officer_id", "agency", "district", "capacity"]].assign(
        load=lambda f: f["officer_id"].map(loads).fillna(0).astype(int)
    )
    result = Result(
        pairs=pairs,
        unmatched=unmatched,
        status="optimal",
        objective=float(pairs["cost"].sum()),
        stats={"candidate_pairs": 40, "seconds": 0.01},
        policy=Policy(max_distance_km=10),
        unknown_agencies=(EVIL_AGENCY,),
        officer_load=officer_load,
    )
    return result, officers, households


@pytest.fixture
def case() -> tuple[Result, pd.DataFrame, pd.DataFrame]:
    return make_case()


def _gid(fig: Figure, gid: str):
    found = [c for ax in fig.axes for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def _texts(fig: Figure) -> list[str]:
    ax = fig.axes[0]
    out = [t.get_text() for t in ax.texts] + [ax.get_title(loc="left")]
    legend = ax.get_legend()
    if legend is not None:
        out += [t.get_text() for t in legend.get_texts()]
    return out


class _Values(HTMLParser):
    """id -> data-value of every element that has both."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.attrs: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.attrs.append((tag, a))
        if a.get("id") is not None and a.get("data-value") is not None:
            self.values[a["id"]] = a["data-value"]


def _parse(page: str) -> _Values:
    parser = _Values()
    parser.feed(page)
    return parser


# ---------------------------------------------------------------------------- font
def test_thai_font_is_the_packaged_noto_sans_thai():
    import fontpkg_noto_sans_thai

    font = report.thai_font()
    assert font is not None
    path = Path(font.get_file())
    assert path.is_file()
    assert Path(fontpkg_noto_sans_thai.ROOT) in path.parents
    charmap = FT2Font(str(path)).get_charmap()
    assert all(ord(ch) in charmap for ch in "ขอนแก่นครัวเรือน")
    assert any(Path(entry.fname) == path for entry in fontManager.ttflist)


def test_thai_font_returns_a_fresh_object_each_call():
    first = report.thai_font()
    first.set_size(31)
    assert report.thai_font().get_size() != 31


def test_thai_font_missing_warns_and_map_falls_back_to_english(monkeypatch, caplog, case):
    monkeypatch.setattr(report, "_packaged_thai_files", list)
    monkeypatch.setattr(report, "_system_thai_files", list)
    report._thai_font_file.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="kuseo_match.report"):
            assert report.thai_font() is None
        assert "no font covering Thai" in caplog.text
        fig = report.plot_map(*case)
        assert not any(THAI.search(text) for text in _texts(fig))
    finally:
        monkeypatch.undo()
        report._thai_font_file.cache_clear()
    assert report.thai_font() is not None


# ----------------------------------------------------------------------------- map
def test_plot_map_draws_one_line_per_pair_and_every_point(case, districts, boundaries):
    result, officers, households = case
    fig = report.plot_map(result, officers, households, districts=districts, boundaries=boundaries)
    assert isinstance(fig, Figure)
    assert len(_gid(fig, "pairs").get_segments()) == len(result.pairs) == 7
    assert len(_gid(fig, "unmatched").get_offsets()) == len(result.unmatched) == 2
    assert len(_gid(fig, "households-developable").get_offsets()) == 5
    assert len(_gid(fig, "households-welfare").get_offsets()) == 4
    assert len(_gid(fig, "officers").get_offsets()) == 5
    assert len(_gid(fig, "officers-idle").get_offsets()) == 1  # O6 has no household
    assert len(_gid(fig, "districts").get_paths()) == 26  # all of Khon Kaen
    title = fig.axes[0].get_title(loc="left")
    assert "Paired 7 of 9 households" in title
    assert "2 unmatched" in title
    assert "longest 6.0 km" in title


def test_plot_map_segments_join_officer_and_household(case, districts, boundaries):
    result, officers, households = case
    fig = report.plot_map(result, officers, households, districts=districts, boundaries=boundaries)
    o = officers.set_index("officer_id")
    h = households.set_index("household_id")
    expected = {
        (
            (o.loc[p.officer_id, "lon"], o.loc[p.officer_id, "lat"]),
            (h.loc[p.household_id, "lon"], h.loc[p.household_id, "lat"]),
        )
        for p in result.pairs.itertuples()
    }
    got = {tuple(map(tuple, seg)) for seg in _gid(fig, "pairs").get_segments()}
    assert got == expected


def test_plot_map_equal_ground_scale(case, districts, boundaries):
    fig = report.plot_map(*case, districts=districts, boundaries=boundaries)
    ax = fig.axes[0]
    lat0 = sum(ax.get_ylim()) / 2
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(lat0)), rel=0.02)


def test_plot_map_labels_in_thai_with_the_thai_font(case, districts, boundaries):
    fig = report.plot_map(*case, districts=districts, boundaries=boundaries)
    ax = fig.axes[0]
    label = next(t for t in ax.texts if t.get_gid() == "label-TH4001")
    assert label.get_text() == "เมืองขอนแก่น"
    assert label.get_fontproperties().get_file() == report.thai_font().get_file()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "ครัวเรือนพัฒนาได้ / Developable household (5)" in legend
    assert "ยังไม่ได้จับคู่ / Unmatched (2)" in legend
    assert "จับคู่แล้ว 7 จาก 9 ครัวเรือน" in ax.get_title(loc="left")


def test_plot_map_english_labels(case, districts, boundaries):
    fig = report.plot_map(*case, districts=districts, boundaries=boundaries, thai_labels=False)
    texts = _texts(fig)
    assert "Mueang Khon Kaen" in texts
    assert not any(THAI.search(text) for text in texts)


def test_plot_map_outside_khon_kaen_marks_district_centroids(districts, boundaries):
    result, officers, households = make_case(
        codes={"TH4001": "TH3001", "TH4002": "TH3002", "TH4024": "TH3003"}, shift=(-1.5, -0.7)
    )
    fig = report.plot_map(result, officers, households, districts=districts, boundaries=boundaries)
    ax = fig.axes[0]
    assert not [c for c in ax.collections if c.get_gid() == "districts"]
    n_korat = int((districts["province_code"] == "TH30").sum())
    assert len(_gid(fig, "district-points").get_offsets()) == n_korat
    labels = {t.get_gid(): t.get_text() for t in ax.texts}
    assert labels["label-TH3001"] == "เมืองนครราชสีมา"


@pytest.mark.parametrize("province", ["TH40", "th40", 40, "Khon Kaen", "ขอนแก่น"])
def test_plot_map_province_by_code_or_name(case, districts, boundaries, province):
    fig = report.plot_map(*case, province=province, districts=districts, boundaries=boundaries)
    assert len(_gid(fig, "pairs").get_segments()) == 7
    assert fig.axes[0].get_title(loc="left").startswith("ขอนแก่น / Khon Kaen")


def test_plot_map_other_province_is_empty(case, districts, boundaries):
    fig = report.plot_map(*case, province="TH30", districts=districts, boundaries=boundaries)
    assert len(_gid(fig, "pairs").get_segments()) == 0
    assert "Paired 0 of 0 households" in fig.axes[0].get_title(loc="left")


@pytest.mark.parametrize("province", ["Atlantis", "TH99"])
def test_plot_map_unknown_province(case, districts, boundaries, province):
    with pytest.raises(ValidationError, match="province"):
        report.plot_map(*case, province=province, districts=districts, boundaries=boundaries)


def test_plot_map_missing_household_raises(case, districts, boundaries):
    result, officers, households = case
    with pytest.raises(ValidationError, match=r"households: column 'household_id', row 'H5'"):
        report.plot_map(
            result,
            officers,
            households[households["household_id"] != "H5"],
            districts=districts,
            boundaries=boundaries,
        )


def test_plot_map_missing_coordinates_raises(case):
    result, officers, households = case
    with pytest.raises(ValidationError, match=r"officers: column 'lat': missing column"):
        report.plot_map(result, officers.drop(columns="lat"), households)


def test_plot_map_into_given_axes(case, districts, boundaries):
    fig = Figure()
    left, right = fig.subplots(1, 2)
    out = report.plot_map(*case, ax=right, districts=districts, boundaries=boundaries)
    assert out is fig
    assert not left.collections
    assert any(c.get_gid() == "pairs" for c in right.collections)


def test_plot_map_leaves_frames_and_rcparams_alone(case, districts, boundaries):
    result, officers, households = case
    before = (officers.copy(), households.copy(), result.pairs.copy(), result.unmatched.copy())
    rc = dict(matplotlib.rcParams)
    report.plot_map(result, officers, households, districts=districts, boundaries=boundaries)
    report.render_report(result, officers, households, districts=districts, boundaries=boundaries)
    for frame, copy in zip(
        (officers, households, result.pairs, result.unmatched), before, strict=True
    ):
        pd.testing.assert_frame_equal(frame, copy)
    assert dict(matplotlib.rcParams) == rc


def test_report_never_imports_pyplot():
    tests = str(Path(__file__).parent)
    code = (
        "import sys, json, pandas as pd\n"
        f"sys.path.insert(0, {tests!r})\n"
        "from test_report import make_case\n"
        "from kuseo_match import report\n"
        "report.render_report(*make_case(), districts=pd.DataFrame("
        "columns=['district_code','district_th','district_en','province_code',"
        "'province_th','province_en','lat','lon']), boundaries={'features': []})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_plot_map_defaults_to_the_shipped_reference(case):
    fig = report.plot_map(*case)
    assert len(_gid(fig, "districts").get_paths()) == 26
    labels = {t.get_gid(): t.get_text() for t in fig.axes[0].texts}
    assert labels["label-TH4029"] == "เวียงเก่า"


def test_write_map_png(case, districts, boundaries, tmp_path):
    out = report.write_map(*case, tmp_path / "map.png", districts=districts, boundaries=boundaries)
    assert out == tmp_path / "map.png"
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 1000 <= width <= 2200 and 1000 <= height <= 2200
    phys = data.index(b"pHYs") + 4  # pixels per metre
    assert int.from_bytes(data[phys : phys + 4], "big") == round(150 / 0.0254)


def test_map_size_follows_the_province_shape(case, districts, boundaries):
    wide = report.plot_map(*case, districts=districts, boundaries=boundaries)
    result, officers, households = make_case(
        codes={"TH4001": "TH5001", "TH4002": "TH5002", "TH4024": "TH5003"}, shift=(2.3, -3.9)
    )
    tall = report.plot_map(result, officers, households, districts=districts)  # Chiang Mai
    assert wide.get_figwidth() > tall.get_figwidth()
    assert wide.get_figheight() == tall.get_figheight() == 10.5


def test_write_map_refuses_ax(case, tmp_path):
    with pytest.raises(TypeError, match="plot_map"):
        report.write_map(*case, tmp_path / "map.png", ax=object())


# ---------------------------------------------------------------------------- html
@pytest.fixture
def page(case, districts, boundaries) -> str:
    return report.render_report(*case, districts=districts, boundaries=boundaries)


def test_report_headline_numbers(case, page):
    result = case[0]
    values = _parse(page).values
    assert values["households"] == "9"
    assert values["paired"] == "7"
    assert values["unmatched"] == "2"
    assert float(values["mean-km"]) == pytest.approx(19.7 / 7, abs=1e-6)
    assert float(values["max-km"]) == pytest.approx(6.0)
    assert float(values["kind-fit-share"]) == pytest.approx(6 / 7, abs=1e-6)  # kind_affinity
    assert values["officers"] == "6"
    assert values["officers-used"] == "5"
    assert values["slots"] == "11"
    assert values["status"] == "optimal"
    assert values["kind-developable-households"] == "5"
    assert values["kind-developable-paired"] == "4"
    assert values["kind-welfare-paired"] == "3"
    summary = result.summary()
    assert int(values["paired"]) == summary["paired"]
    assert float(values["max-km"]) == pytest.approx(summary["max_distance_km"])
    assert ">2.8<" in page  # mean km shown with one decimal


def test_report_need_coverage(page):
    values = _parse(page).values
    expected = {  # need: (households, paired, paired with a competent agency)
        "health": (3, 2, 2),  # public health 1.0, social development 0.6
        "living": (2, 2, 1),  # community development 0.5 yes, agriculture 0.3 no
        "education": (0, 0, 0),
        "income": (5, 4, 3),  # H7's agency is not in the fit table
        "access": (1, 0, 0),
    }
    for need, (n, paired, competent) in expected.items():
        assert values[f"need-{need}-households"] == str(n)
        assert values[f"need-{need}-paired"] == str(paired)
        assert values[f"need-{need}-competent"] == str(competent)
    assert values["need-education-share"] == ""  # undefined, not 0
    assert float(values["need-income-share"]) == pytest.approx(0.8)
    assert float(values["need-income-competent-share"]) == pytest.approx(0.6)
    assert "default fit table" in page


def test_need_coverage_uses_the_policy_fit_table(case):
    result, _, households = case
    frame = km.default_fit_table().frame.copy()
    frame.loc[frame["agency"] == "agriculture", "living"] = 0.8
    custom = dataclasses.replace(result, policy=Policy(fit_table=frame))
    cover = report.need_coverage(custom, households).set_index("need")
    assert cover.loc["need_living", "competent"] == 2
    assert cover.loc["need_living", "share_competent"] == pytest.approx(1.0)
    page = report.render_report(custom, case[1], households, map_png=b"")
    assert "custom fit table" in page


def test_report_reasons_load_and_districts(page):
    attrs = _parse(page).attrs
    reasons = {a["data-reason"]: a["data-value"] for _, a in attrs if "data-reason" in a}
    assert reasons == {"no officer within 10 km": "1", EVIL_REASON: "1"}
    loads = {a["data-load"]: a["data-value"] for _, a in attrs if "data-load" in a}
    assert loads == {"0": "1", "1": "3", "2": "2"}
    rows = [a["data-district"] for tag, a in attrs if tag == "tr" and "data-district" in a]
    assert rows == ["TH4001", "TH4002", "TH4024"]
    assert "บ้านแฮด" in page and "Ban Haet" in page
    # cells of TH4024: households, officers, slots, paired, unmatched, mean km
    start = page.index('data-district="TH4024"')
    row = page[start : page.index("</tr>", start)]
    cells = dict(re.findall(r'data-col="(\w+)" data-value="([^"]*)"', row))
    assert cells == {
        "households": "3",
        "officers": "2",
        "slots": "3",
        "paired": "1",
        "unmatched": "2",
        "mean_km": "2.5",
    }


def test_report_escapes_user_text(page):
    assert EVIL_ID not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "<img src=x" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page  # unknown agency
    assert "capacity &lt;full&gt; &amp; no neighbour" in page


def test_report_is_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="th">' in page
    assert '<meta charset="utf-8">' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page.lower()
    assert "@import" not in page
    assert 'src="data:image/png;base64,' in page
    assert "url(data:font/ttf;base64," in page  # the Thai font travels with the page
    assert "ครัวเรือนที่จับคู่แล้ว" in page and "Households paired" in page
    assert 'data-key="max_distance_km"' in page  # the policy used


def test_report_without_embedded_font(case, districts, boundaries):
    page = report.render_report(*case, districts=districts, boundaries=boundaries, embed_font=False)
    assert "@font-face" not in page
    assert "Noto Sans Thai" in page  # the system font stack


def test_report_uses_the_given_map_png(case, districts):
    page = report.render_report(*case, map_png=b"\x89PNG fake", districts=districts)
    assert 'src="data:image/png;base64,iVBORyBmYWtl"' in page


def test_report_without_coordinates_has_no_map(case, districts, caplog):
    result, officers, households = case
    with caplog.at_level(logging.WARNING, logger="kuseo_match.report"):
        page = report.render_report(
            result, officers, households.drop(columns=["lat", "lon"]), districts=districts
        )
    assert 'id="no-map"' in page
    assert "data:image/png" not in page
    assert _parse(page).values["paired"] == "7"
    assert "no map in the report" in caplog.text


def test_report_kind_fit_share_matches_summary(case, page):
    share = float(_parse(page).values["kind-fit-share"])
    assert share == pytest.approx(case[0].summary()["kind_fit_share"], abs=1e-6)
    assert share == pytest.approx(6 / 7, abs=1e-6)  # kind_affinity >= 0.5, not fit


def test_report_counts_officers_from_frame_without_officer_load(case, districts):
    result, officers, households = case
    bare = Result(
        pairs=result.pairs,
        unmatched=result.unmatched,
        status="optimal",
        objective=result.objective,
        policy=Policy(capacity=3),
    )
    frame = officers.assign(capacity=[2, 2, 2, 2, 1, np.nan])  # empty -> policy capacity
    page = report.render_report(bare, frame, households, map_png=b"", districts=districts)
    values = _parse(page).values
    assert values["slots"] == str(2 + 2 + 2 + 2 + 1 + 3)
    assert values["officers-used"] == "5"


def test_write_report(case, districts, boundaries, tmp_path):
    out = report.write_report(
        *case,
        tmp_path / "report.html",
        districts=districts,
        boundaries=boundaries,
        title="คู่เสี่ยว <ทดสอบ>",
    )
    text = out.read_text(encoding="utf-8")
    assert "<title>คู่เสี่ยว &lt;ทดสอบ&gt;</title>" in text
    assert _parse(text).values["unmatched"] == "2"


# -------------------------------------------------------------------------- tables
def test_district_summary(case, districts):
    table = report.district_summary(*case, districts=districts)
    assert list(table.columns) == [
        "district_code",
        "district_th",
        "district_en",
        "households",
        "officers",
        "slots",
        "paired",
        "unmatched",
        "mean_km",
    ]
    first = table.iloc[0]
    assert first["district_code"] == "TH4001"
    assert first["district_th"] == "เมืองขอนแก่น"
    assert (first["households"], first["officers"], first["slots"]) == (3, 2, 4)
    assert first["mean_km"] == pytest.approx((1.2 + 2.0 + 3.1) / 3)
    assert table["paired"].sum() + table["unmatched"].sum() == 9


def test_need_coverage_skips_missing_columns(case):
    result, _, households = case
    cover = report.need_coverage(result, households.drop(columns="need_access"))
    assert list(cover["need"]) == ["need_health", "need_living", "need_education", "need_income"]
    assert cover.set_index("need").loc["need_health", "paired"] == 2
