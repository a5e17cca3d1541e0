"""Open the HTML report in a real headless Chromium: the DOM it builds and a screenshot.

Skipped when no Chromium binary is installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

import kuseo_match as km
from kuseo_match import report
from kuseo_match.result import UNMATCHED_COLUMNS, Result

pytestmark = pytest.mark.browser

EVIL_ID = "<script>alert(1)</script>"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if binary is None:
        pytest.skip("no headless Chromium found (chromium, chromium-browser or google-chrome)")
    return binary


def _run(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    return done


def _case() -> tuple[Result, pd.DataFrame, pd.DataFrame]:
    """40 households and 25 officers around Mueang Khon Kaen; the 4 farthest are unmatched."""
    rng = np.random.default_rng(11)
    officers = pd.DataFrame(
        {
            "officer_id": [f"O{i:02d}" for i in range(25)],
            "agency": rng.choice(["พัฒนาชุมชน", "สาธารณสุข", "A&B <agency>"], size=25),
            "district": "TH4001",
            "lat": 16.45 + rng.normal(0, 0.05, 25),
            "lon": 102.80 + rng.normal(0, 0.05, 25),
            "capacity": 2,
        }
    )
    ids = [f"H{i:02d}" for i in range(39)] + [EVIL_ID]
    households = pd.DataFrame(
        {
            "household_id": ids,
            "kind": np.where(np.arange(40) % 3 == 0, "welfare", "developable"),
            "district": np.where(np.arange(40) % 2 == 0, "TH4001", "TH4024"),
            "lat": 16.40 + rng.normal(0, 0.08, 40),
            "lon": 102.78 + rng.normal(0, 0.08, 40),
            **{need: rng.random(40) < 0.4 for need in report.NEED_LABELS},
        }
    )
    home = households.assign(d=np.hypot(households["lat"] - 16.45, households["lon"] - 102.8))
    lost = [*home.nlargest(3, "d")["household_id"], EVIL_ID]
    kept = households[~households["household_id"].isin(lost)].reset_index(drop=True)
    helper = officers.iloc[np.arange(len(kept)) // 2].reset_index(drop=True)
    km = np.round(rng.uniform(0.3, 9.0, len(kept)), 3)
    affinity = np.round(rng.uniform(0, 1, len(kept)), 3)
    pairs = pd.DataFrame(
        {
            "officer_id": helper["officer_id"],
            "household_id": kept["household_id"],
            "cost": km + 10 * (1 - affinity),
            "distance_km": km,
            "fit": affinity,
            "kind_affinity": affinity,
            "agency": helper["agency"],
            "officer_district": helper["district"],
            "kind": kept["kind"],
            "household_district": kept["district"],
        }
    )
    missed = households[households["household_id"].isin(lost)]
    unmatched = pd.DataFrame(
        {
            "household_id": missed["household_id"],
            "kind": missed["kind"],
            "household_district": missed["district"],
            "reason": "no officer with a free slot nearby",
            "reason_code": "all_slots_taken",
        }
    )[list(UNMATCHED_COLUMNS)]
    load = officers[["officer_id", "agency", "district", "capacity"]].assign(
        load=lambda f: f["officer_id"].map(pairs.groupby("officer_id").size()).fillna(0).astype(int)
    )
    result = Result(
        pairs=pairs,
        unmatched=unmatched,
        status="optimal",
        objective=float(pairs["cost"].sum()),
        officer_load=load,
    )
    return result, officers, households


class _DataValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if a.get("id") is not None and a.get("data-value") is not None:
            self.values[a["id"]] = a["data-value"]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Result, Path]:
    result, officers, households = _case()
    path = tmp_path_factory.mktemp("report") / "report.html"
    report.write_report(result, officers, households, path)
    return result, path


def test_dom_in_chromium_has_the_headline_numbers(chromium, written, tmp_path):
    result, path = written
    done = _run(chromium, tmp_path / "profile", "--dump-dom", path.as_uri())
    dom = done.stdout.decode("utf-8")
    parser = _DataValues()
    parser.feed(dom)
    values = parser.values
    summary = result.summary()
    assert int(values["households"]) == summary["households"] == 40
    assert int(values["paired"]) == summary["paired"] == 36
    assert int(values["unmatched"]) == summary["unmatched"] == 4
    assert float(values["mean-km"]) == pytest.approx(summary["mean_distance_km"], abs=1e-5)
    assert float(values["max-km"]) == pytest.approx(summary["max_distance_km"], abs=1e-5)
    assert float(values["kind-fit-share"]) == pytest.approx(summary["kind_fit_share"], abs=1e-5)
    assert int(values["officers"]) == 25
    # The evil id stayed text: Chromium built no script element from it.
    # the page's own inline script, BokehJS (core, widgets, log level) and the map's document
    assert parser.tags.count("script") == 5
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "img" in parser.tags  # the inline map


def test_screenshot_in_chromium(chromium, written, tmp_path):
    _, path = written
    shot = tmp_path / "shot.png"
    _run(
        chromium,
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        path.as_uri(),
    )
    assert shot.is_file()
    assert shot.stat().st_size > 30_000
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    rgb = pixels[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.05  # not a blank page
    dark = (rgb.mean(axis=1) < 0.3).mean()
    assert 0.005 < dark < 0.5  # some text, not a black page


# ------------------------------------------------- per-district lists, in a real browser
OFFLINE = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost", "--proxy-server=127.0.0.1:9")
PROBE = """
<script>
window.addEventListener("load", function () {
  var out = {};
  out.requests = performance.getEntriesByType("resource")
    .map(function (e) { return e.name; })
    .filter(function (u) { return u.indexOf("data:") !== 0; });
  var table = document.querySelector("section.district table.pairs");
  var head = table.querySelectorAll("thead th");
  var last = head[head.length - 1];
  function column() {
    return Array.prototype.map.call(table.tBodies[0].rows, function (r) {
      return Number(r.cells[r.cells.length - 1].getAttribute("data-value"));
    });
  }
  last.click();
  out.ascending = column();
  last.click();
  out.descending = column();
  out.sort = last.getAttribute("aria-sort");
  var box = document.getElementById("pair-search");
  var target = table.tBodies[0].rows[0].getAttribute("data-household");
  box.value = target;
  box.dispatchEvent(new Event("input"));
  out.target = target;
  out.visible = Array.prototype.filter.call(
    document.querySelectorAll("section.district tbody tr"), function (r) { return !r.hidden; }
  ).map(function (r) { return r.getAttribute("data-household"); });
  out.sections = Array.prototype.filter.call(
    document.querySelectorAll("section.district"), function (s) { return !s.hidden; }
  ).length;
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


@pytest.fixture(scope="module")
def khon_kaen(tmp_path_factory) -> tuple[Result, Path]:
    """The Khon Kaen demo (synthetic, small), officers with a name and a phone."""
    o, h = km.synthetic_province(officers=60, households=200, developable=100, seed=21)
    o = o.assign(name=[f"สมชาย {i}" for i in range(len(o))], phone="08-1234-5678")
    result = km.match(o, h, km.Policy(capacity=3))
    path = tmp_path_factory.mktemp("khon-kaen") / "report.html"
    report.write_report(result, o, h, path)
    return result, path


def _probe(chromium: str, path: Path, profile: Path, probe: str = PROBE) -> tuple[dict, str]:
    head, end, tail = path.read_text(encoding="utf-8").rpartition("</body>")  # BokehJS has one too
    page = head + probe + end + tail
    probed = path.with_name("probed.html")
    probed.write_text(page, encoding="utf-8")
    done = _run(
        chromium, profile, *OFFLINE, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()
    )
    dom = done.stdout.decode("utf-8")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1))), dom


def test_district_lists_in_chromium_offline(chromium, khon_kaen, tmp_path):
    result, path = khon_kaen
    probe, dom = _probe(chromium, path, tmp_path / "profile")
    assert probe["requests"] == []  # no outside request: everything is inline
    sections = dict(
        re.findall(
            r'<section class="district" id="[^"]*" data-district="([^"]*)"[^>]*>(.*?)</section>',
            dom,
            re.DOTALL,
        )
    )
    assert len(sections) == result.pairs["household_district"].nunique()
    for rec in result.pairs.itertuples(index=False):
        assert f'data-household="{rec.household_id}"' in sections[str(rec.household_district)]
    # A click on the distance header sorts ascending, a second click descending.
    assert probe["ascending"] == sorted(probe["ascending"])
    assert probe["descending"] == sorted(probe["ascending"], reverse=True)
    assert probe["sort"] == "descending"
    # The search box keeps only the rows that match, and their section.
    assert probe["visible"] == [probe["target"]]
    assert probe["sections"] == 1


def test_district_lists_print_one_district_per_a4_page(chromium, khon_kaen, tmp_path):
    pypdf = pytest.importorskip("pypdf")  # in the test extra
    result, path = khon_kaen
    pdf = tmp_path / "report.pdf"
    _run(
        chromium,
        tmp_path / "profile",
        *OFFLINE,
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        path.as_uri(),
    )
    pages = pypdf.PdfReader(pdf).pages
    for page in pages:  # A4: 210 x 297 mm = 595 x 842 points
        assert float(page.mediabox.width) == pytest.approx(595.3, abs=2)
        assert float(page.mediabox.height) == pytest.approx(841.9, abs=2)
    names = km.districts().set_index("district_code")["district_en"]
    codes = sorted(result.pairs["household_district"].astype(str).unique())
    titles = {code: f"/ {names[code]} {code}" for code in codes}  # "อำเภอ... / Ban Fang TH4002"
    first_lines = [page.extract_text().strip().splitlines()[0] for page in pages]
    starts = []
    for i, line in enumerate(first_lines):
        found = [code for code, title in titles.items() if line.endswith(title)]
        assert len(found) <= 1
        starts += [(code, i) for code in found]
    # Each district starts exactly one page, at its top, in code order, after the summary.
    assert [code for code, _ in starts] == codes
    assert starts[0][1] >= 1
    # No page holds the start of two districts: a title appears only as a first line.
    for page in pages:
        text = page.extract_text()
        assert sum(title in text for title in titles.values()) <= 1
    # A district's signature line is on the last page before the next district starts.
    for (code, i), (_, j) in zip(starts, [*starts[1:], (None, len(pages))], strict=True):
        signed = [k for k in range(i, j) if "District chief" in pages[k].extract_text()]
        assert signed == [j - 1], code
        # and every page of it lists some of its households: no page with a lone signature
        ids = {
            h
            for table in (result.pairs, result.unmatched)
            for h in table.loc[table["household_district"] == code, "household_id"]
        }
        for k in range(i, j):
            assert any(h in pages[k].extract_text() for h in ids), (code, k)


# ------------------------------------------------------ interactive map, in a real browser
MAP_PROBE = """
<script>
function shadowText() {  // what Bokeh draws inside its shadow roots (the tooltips among it)
  var out = [];
  (function walk(node) {
    if (node.shadowRoot) { out.push(node.shadowRoot.textContent); walk(node.shadowRoot); }
    for (var c = node.firstElementChild; c; c = c.nextElementSibling) { walk(c); }
  })(document.body);
  return out.join(" ");
}
function finish(out) {
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}
function probeMap() {
  if (!window.Bokeh || Bokeh.documents.length === 0 || Object.keys(Bokeh.index).length === 0) {
    setTimeout(probeMap, 50);
    return;
  }
  var doc = Bokeh.documents[0];
  var out = {documents: Bokeh.documents.length};
  out.requests = performance.getEntriesByType("resource")
    .map(function (e) { return e.name; })
    .filter(function (u) { return u.indexOf("data:") !== 0; });
  out.tooltips = doc.get_model_by_name("households-hover").tooltips;
  var homes = doc.get_model_by_name("households");
  var renderer = doc.get_model_by_name("interactive-map").renderers.filter(function (r) {
    return r.data_source === homes;
  })[0];
  // Hover: move the mouse onto the first paired household, as a person would.
  var drawn = Bokeh.index.find_one(renderer);
  var target = drawn.plot_view.canvas_view.events_el;  // where Bokeh listens
  var box = target.getBoundingClientRect();
  var at = {
    clientX: box.left + window.scrollX + drawn.glyph.sx[0],
    clientY: box.top + window.scrollY + drawn.glyph.sy[0],
    bubbles: true, composed: true, isPrimary: true, pointerId: 1, pointerType: "mouse"
  };
  out.hovered = homes.data.household_id[0];
  out.tip_before = shadowText().indexOf(out.hovered) >= 0;
  target.dispatchEvent(new PointerEvent("pointerover", at));
  var near = Object.assign({}, at, {clientX: at.clientX - 2});
  target.dispatchEvent(new PointerEvent("pointermove", near));
  target.dispatchEvent(new PointerEvent("pointermove", at));
  setTimeout(function () {
    var text = shadowText();
    var from = text.indexOf("ครัวเรือน / Household: " + out.hovered);
    out.tip = from < 0 ? "" : text.slice(from, from + 400);
    out.shown_before = renderer.view.indices.count;
    var select = doc.get_model_by_name("district-filter");
    out.code = select.options[1][0];
    out.expected = Array.from(homes.data.districts).filter(function (d) {
      return d === out.code;
    }).length;
    select.value = out.code;
    setTimeout(function () {  // CustomJS callbacks run asynchronously
      out.shown_after = renderer.view.indices.count;
      finish(out);
    }, 200);
  }, 300);
}
window.addEventListener("load", probeMap);
</script>
"""


def test_interactive_map_in_chromium_offline(chromium, khon_kaen, tmp_path):
    result, path = khon_kaen
    probe, _ = _probe(chromium, path, tmp_path / "profile", MAP_PROBE)
    assert probe["requests"] == []  # BokehJS is inline: no CDN
    assert probe["documents"] == 1
    assert [field for _, field in probe["tooltips"]] == [
        "@household_id",
        "@kind",
        "@district{name}",
        "@officer_id",
        "@agency",
        "@distance",
    ]
    # The mouse on a household shows its tooltip: the household, its officer,
    # agency, district and distance, drawn by Bokeh (in its shadow DOM).
    assert not probe["tip_before"]
    pair = result.pairs.set_index("household_id").loc[probe["hovered"]]
    tip = probe["tip"]
    assert f"เจ้าหน้าที่ / Officer: {pair['officer_id']}" in tip
    assert f"หน่วยงาน / Agency: {pair['agency']}" in tip
    assert f"({pair['household_district']})" in tip  # the district's name, then its code
    assert f"Distance (km): {pair['distance_km']:.1f}" in tip
    assert probe["shown_before"] == len(result.pairs)  # every paired household
    # The district selector keeps the chosen district's households only.
    assert 0 < probe["expected"] < probe["shown_before"]
    assert probe["shown_after"] == probe["expected"]


SHADE_PROBE = """
<script>
function canvasPixels(view) {  // what the map's canvas shows now
  return view.canvas_view.compose().canvas.toDataURL();
}
function probeShade() {
  if (!window.Bokeh || Bokeh.documents.length === 0 || Object.keys(Bokeh.index).length === 0) {
    setTimeout(probeShade, 50);
    return;
  }
  var doc = Bokeh.documents[0];
  var out = {};
  var fig = doc.get_model_by_name("interactive-map");
  var view = Bokeh.index.find_one(fig);
  var shaded = doc.get_model_by_name("districts");
  var bar = doc.get_model_by_name("shade-bar");
  out.before = {value: Array.from(shaded.data.value), title: bar.title};
  var pixels = canvasPixels(view);
  doc.get_model_by_name("shade-by").value = "mean_km";
  setTimeout(function () {
    out.after = {value: Array.from(shaded.data.value), title: bar.title,
                 high: bar.color_mapper.high, palette: bar.color_mapper.palette,
                 format: bar.formatter.format};
    out.mean_km = Array.from(shaded.data.mean_km);
    out.share = Array.from(shaded.data.share);
    out.repainted = canvasPixels(view) !== pixels;
    var pre = document.createElement("pre");
    pre.id = "probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
}
window.addEventListener("load", probeShade);
</script>
"""


def test_aggregate_map_switches_its_shading_in_chromium(chromium, khon_kaen, tmp_path):
    result, _ = khon_kaen
    o, h = km.synthetic_province(officers=60, households=200, developable=100, seed=21)
    path = tmp_path / "report.html"
    report.write_report(result, o, h, path, aggregate_above=50)  # 200 households: shaded
    probe, _ = _probe(chromium, path, tmp_path / "profile", SHADE_PROBE)
    assert probe["before"]["value"] == probe["share"]
    assert probe["before"]["title"].endswith("Unmatched share")
    # The selector puts the mean distance in the colour, its bar and its range.
    assert probe["after"]["value"] == probe["mean_km"] != probe["share"]
    assert probe["after"]["title"].endswith("Mean distance (km)")
    assert probe["after"]["high"] == pytest.approx(max(probe["mean_km"]))
    assert probe["after"]["palette"][-1].lower() == "#08306b"  # the darkest blue
    assert probe["after"]["format"] == "0.[0]"  # km, no longer a percentage
    assert probe["repainted"]
