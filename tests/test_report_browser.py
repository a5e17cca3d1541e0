"""Open the HTML report in a real headless Chromium: the DOM it builds and a screenshot.

Skipped when no Chromium binary is installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

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
        },
        columns=list(UNMATCHED_COLUMNS),
    )
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
    assert "script" not in parser.tags
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
