"""The interactive map (Bokeh, every byte inline): :func:`interactive_map_html`.

The report's static PNG is for printing; on a screen the analyst wants to
point at a household and see its officer.  :func:`interactive_map` builds a
Bokeh layout from the frames the static map reads
(:mod:`~kuseo_match.report.static_map`'s data preparation and
:func:`~kuseo_match.report.geometry.map_districts`): district polygons
where shipped (light circles at the other districts' centres), one line per
pair, households coloured paired or unmatched, officers as triangles; a
hover on a household shows its id, kind, district, officer, agency and
distance, on an officer its id, agency, district and load.  A district
selector above the map keeps only the households, pairs and officers of one
district (an officer stays when it is in the district or paired with one of
its households).

Above ``aggregate_above`` households (:data:`AGGREGATE_HOUSEHOLDS`) the map
draws no household, officer or pair: each district with households is
shaded (its polygon, else a circle at its centre sized by its households)
by its unmatched share or, chosen in a second selector, by its mean
distance, with a hover on households, unmatched share and mean distance
(:func:`~kuseo_match.report.tables.district_summary`).

:func:`interactive_map_html` embeds the layout with
:func:`bokeh.embed.components` and BokehJS from
:data:`bokeh.resources.INLINE`, limited to the bundles the layout uses
(the core and the widgets, about 1.6 MB): no CDN, no tile server, no
outside request.  There is no background map: the districts are the map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from bokeh.embed import components
from bokeh.embed.bundle import bundle_for_objs_and_resources
from bokeh.layouts import column, row
from bokeh.models import (
    BooleanFilter,
    CDSView,
    ColumnDataSource,
    CustomJS,
    CustomJSHover,
    HoverTool,
    InlineStyleSheet,
    LinearColorMapper,
    NumeralTickFormatter,
)
from bokeh.models.annotations import ColorBar
from bokeh.models.widgets import Select
from bokeh.palettes import Blues9, OrRd9
from bokeh.plotting import figure
from bokeh.resources import INLINE

from ..result import Result
from .fonts import CSS_FONT_STACK, EMBEDDED_FAMILY
from .geometry import map_districts
from .inputs import (
    AGGREGATE_HOUSEHOLDS,
    canonical,
    reference_districts,
)
from .labels import fmt_int, fmt_km, fmt_share
from .static_map import (
    _OFFICER_COLOUR,
    _PAIR_COLOUR,
    _UNMATCHED_COLOUR,
    _attach,
    _map_frames,
)
from .tables import district_summary

_PAIRED_COLOUR = "#1b9e77"
_ALL = ""  # the selector's value for every district
# Canvas text (axis labels, legend, colour bar) in the page's embedded Thai font.
_FONT = f'"{EMBEDDED_FAMILY}", {CSS_FONT_STACK}'

HOUSEHOLD_TOOLTIPS = (
    ("ครัวเรือน / Household", "@household_id"),
    ("ประเภท / Kind", "@kind"),
    ("อำเภอ / District", "@district{name}"),
    ("เจ้าหน้าที่ / Officer", "@officer_id"),
    ("หน่วยงาน / Agency", "@agency"),
    ("ระยะทาง / Distance (km)", "@distance"),
)
OFFICER_TOOLTIPS = (
    ("เจ้าหน้าที่ / Officer", "@officer_id"),
    ("หน่วยงาน / Agency", "@agency"),
    ("อำเภอ / District", "@district{name}"),
    ("ครัวเรือน / Households", "@load"),
)
DISTRICT_TOOLTIPS = (
    ("อำเภอ / District", "@district{name}"),
    ("ครัวเรือน / Households", "@households"),
    ("ยังไม่ได้จับคู่ / Unmatched share", "@share_text"),
    ("ระยะทางเฉลี่ย / Mean distance (km)", "@mean_km_text"),
)

#: What the aggregate map's colour can show: a column of its district sources
#: and the colour bar's title.
_SHADES = {
    "share": "สัดส่วนที่ยังไม่ได้จับคู่ / Unmatched share",
    "mean_km": "ระยะทางเฉลี่ย / Mean distance (km)",
}

# Show, in every source, the chosen measure as the colour (the ``value`` column),
# with its palette, range, colour bar title and tick format.
_SHADE_JS = """
const key = cb_obj.value;
for (const source of sources) {
  source.data = Object.assign({}, source.data, {value: Array.from(source.data[key])});
}
mapper.palette = palettes[key];
mapper.high = highs[key];
bar.title = titles[key];
bar.formatter.format = formats[key];
"""

# Keep, in every source passed in ``sources``, the rows whose ``districts`` (codes
# separated by spaces) hold the selected code; every row for the empty value.
_FILTER_JS = """
const code = cb_obj.value;
for (let i = 0; i < sources.length; i++) {
  const keys = sources[i].data.districts;
  filters[i].booleans = Array.from(keys, (k) => code === "" || k.split(" ").includes(code));
}
"""


def interactive_map(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    *,
    districts: pd.DataFrame | None = None,
    boundaries: Mapping[str, Any] | None = None,
    aggregate_above: int = AGGREGATE_HOUSEHOLDS,
) -> Any:
    """The interactive map as a Bokeh layout: a district selector above the figure.

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The frames given to :func:`kuseo_match.match` (not changed), with
        coordinates, as for :func:`~kuseo_match.report.plot_map`.
    districts, boundaries : optional
        Reference tables, as for :func:`~kuseo_match.report.plot_map`
        (Khon Kaen's polygons are loaded when a ``TH40`` district is shown).
    aggregate_above : int, default :data:`AGGREGATE_HOUSEHOLDS`
        Most households drawn one by one; above, one shaded mark per district.

    Returns
    -------
    bokeh.models.Column
        The district selector (name ``"district-filter"``) and the figure
        (``"interactive-map"``).  Named models: data sources
        ``"households"`` (paired), ``"unmatched"``, ``"officers"``,
        ``"pairs"`` (one row per pair), ``"districts"`` (polygons, one row
        per ring), ``"district-points"`` (circles); hover tools
        ``"households-hover"`` (both household sources),
        ``"officers-hover"``; above ``aggregate_above`` only ``"districts"``,
        ``"district-points"`` (shaded, one per district with households),
        ``"districts-hover"``, the colour bar ``"shade-bar"`` and the
        selector ``"shade-by"`` (``"share"``, the unmatched share, or
        ``"mean_km"``, the mean distance; the sources' ``value`` column is
        the one shown).  Sources have a ``district`` column (a code)
        and, when the selector filters them, a ``districts`` column (the
        codes a row belongs to, separated by spaces).

    Raises
    ------
    ValidationError
        When coordinates are missing or an id of the result is not in the
        frames.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> result = km.match(o, h)
    >>> layout = interactive_map(result, o, h)
    >>> len(layout.select_one({"name": "pairs"}).data["household_id"]) == len(result.pairs)
    True
    >>> layout = interactive_map(result, o, h, aggregate_above=10)
    >>> layout.select_one({"name": "households"}) is None
    True
    """
    officers = canonical(officers, "officers")
    households = canonical(households, "households")
    names = reference_districts(districts)
    frames = _map_frames(result, officers, households, None)
    hh, staff = frames.households, frames.staff
    points, places, rings = map_districts(hh, staff, names, boundaries)
    label = _district_labels(places)
    lat0 = float(points["lat"].mean()) if len(points) else 0.0
    fig = figure(
        name="interactive-map",
        sizing_mode="stretch_width",
        height=640,
        match_aspect=True,
        aspect_scale=1.0 / max(math.cos(math.radians(lat0)), 0.01),
        tools="pan,wheel_zoom,box_zoom,reset,save",
        active_scroll="wheel_zoom",
        toolbar_location="above",
    )
    fig.xaxis.axis_label = "ลองจิจูด / Longitude"
    fig.yaxis.axis_label = "ละติจูด / Latitude"
    fig.grid.grid_line_alpha = 0.3
    fig.axis.axis_label_text_font = _FONT
    controls: list[Any] = []
    if len(hh) > aggregate_above:
        table = district_summary(result, officers, households, districts=names)
        sources, shade_by = _district_shading(fig, table, places, rings, label)
        controls.append(shade_by)
        codes = table.loc[table["households"] > 0, "district_code"].astype(str)
    else:
        _district_outlines(fig, places, rings)
        sources = _points(fig, result, frames, officers, label)
        codes = pd.Series(sorted(set(hh["district"].astype(str))))
    if len(fig.legend):
        fig.legend.location = "top_left"
        fig.legend.click_policy = "hide"
        fig.legend.background_fill_alpha = 0.8
        fig.legend.label_text_font = _FONT
    options: list[str | tuple[Any, str]] = [(_ALL, "ทุกอำเภอ / All districts")]
    options += [(code, label.get(code, code)) for code in codes]
    select = Select(
        name="district-filter",
        title="อำเภอ / District",
        value=_ALL,
        options=options,
        width=320,
        # the widget lives in a shadow DOM: give it the page's Thai font explicitly
        stylesheets=[_widget_font()],
    )
    filters = [source.tags[0] for source in sources]
    select.js_on_change(
        "value", CustomJS(args={"sources": sources, "filters": filters}, code=_FILTER_JS)
    )
    return column(row(select, *controls), fig, sizing_mode="stretch_width")


def interactive_map_html(layout: Any) -> str:
    """The HTML of :func:`interactive_map`'s layout: BokehJS inline, then the div and script.

    BokehJS (only the bundles the layout uses) comes first, as inline
    ``<script>`` elements with no ``src``; put one such map on a page (a
    second would carry BokehJS again).  No CSS file or link: Bokeh 3 styles
    its elements from the script.

    Parameters
    ----------
    layout : bokeh.model.Model
        What :func:`interactive_map` returns.

    Returns
    -------
    str
        HTML to place inside the page's ``<body>``.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> text = interactive_map_html(interactive_map(km.match(o, h), o, h))
    >>> "<script src" in text, "Bokeh.embed.embed_items" in text
    (False, True)
    """
    bundle = bundle_for_objs_and_resources([layout], INLINE)
    if bundle.js_urls or bundle.css_urls:  # INLINE never links; refuse if it ever did
        raise RuntimeError(f"BokehJS would be fetched from {bundle.js_urls + bundle.css_urls}")
    script, div = components(layout)
    return bundle.scripts() + "\n" + div + "\n" + script


def _widget_font() -> InlineStyleSheet:
    """The page's Thai font for a widget (widgets live in a shadow DOM); a new
    model each time, as a Bokeh model belongs to one document."""
    return InlineStyleSheet(css=f":host, label, select {{ font-family: {_FONT}; }}")


def _hover(name: str, renderers: list[Any], tooltips: Any, names: CustomJSHover) -> HoverTool:
    """A named hover on ``renderers``; ``@district{name}`` shows the district's names
    through ``names`` (:func:`_names`)."""
    return HoverTool(
        name=name, renderers=renderers, tooltips=list(tooltips), formatters={"@district": names}
    )


def _names(label: Mapping[str, str]) -> CustomJSHover:
    """District code -> names, looked up once in the page rather than repeated on every row."""
    return CustomJSHover(args={"names": dict(label)}, code="return names[value] || value;")


def _district_labels(places: pd.DataFrame) -> dict[str, str]:
    """code -> "ชื่อไทย / English name (code)", or the code when the names are unknown."""
    out = {}
    for rec in places.itertuples(index=False):
        parts = [n for n in (rec.name_th, rec.name_en) if isinstance(n, str) and n]
        out[str(rec.code)] = f"{' / '.join(parts)} ({rec.code})" if parts else str(rec.code)
    return out


def _filtered(data: Mapping[str, Any], name: str) -> tuple[ColumnDataSource, CDSView]:
    """A named source and a view on it whose BooleanFilter (the source's first tag)
    the district selector sets."""
    n = len(next(iter(data.values()))) if data else 0
    keep = BooleanFilter(booleans=[True] * n)
    source = ColumnDataSource(data=dict(data), name=name, tags=[keep])
    return source, CDSView(filter=keep)


def _district_outlines(
    fig: Any, places: pd.DataFrame, rings: Mapping[str, list[np.ndarray]]
) -> None:
    """District polygons where known, else light circles at their centres (not filtered)."""
    codes = sorted(rings)
    if codes:
        polys = [(code, ring) for code in codes for ring in rings[code]]
        outlines = {
            "xs": [_rounded(ring[:, 0]) for _, ring in polys],
            "ys": [_rounded(ring[:, 1]) for _, ring in polys],
            "district": [code for code, _ in polys],
        }
        fig.patches(
            "xs",
            "ys",
            source=ColumnDataSource(outlines, name="districts"),
            fill_color="#f2f0ea",
            line_color="#9a9a9a",
            line_width=0.7,
        )
    loose = places[~places["code"].isin(codes)].dropna(subset=["lat", "lon"])
    if len(loose):
        centres = {
            "lon": loose["lon"].tolist(),
            "lat": loose["lat"].tolist(),
            "district": loose["code"].astype(str).tolist(),
        }
        fig.scatter(
            "lon",
            "lat",
            source=ColumnDataSource(centres, name="district-points"),
            size=14,
            fill_color=None,
            line_color="#b0b0b0",
        )


def _rounded(values: np.ndarray) -> list[float]:
    """Degrees to 5 decimals (about 1 m): the polygons' share of the page stays small."""
    return np.round(np.asarray(values, dtype=float), 5).tolist()


def _points(
    fig: Any, result: Result, frames: Any, officers: pd.DataFrame, label: Mapping[str, str]
) -> list[ColumnDataSource]:
    """Pair lines, households (paired or unmatched), officers, with their hovers;
    the filtered sources."""
    pairs = _attach(
        _attach(frames.pairs, frames.officer_xy, "officer_id", "officers", "o_"),
        frames.household_xy,
        "household_id",
        "households",
        "h_",
    )
    of = result.pairs.drop_duplicates("household_id").set_index("household_id")
    hh = frames.households
    district = hh["district"].astype(str)
    household_data = {
        "lon": _rounded(hh["lon"]),
        "lat": _rounded(hh["lat"]),
        "household_id": hh["household_id"].astype(str).tolist(),
        "kind": hh["kind"].astype(str).tolist(),
        "district": district.tolist(),
        "districts": district.tolist(),
        "officer_id": hh["household_id"]
        .map(of["officer_id"])
        .astype(object)
        .fillna("–")
        .astype(str)
        .tolist(),
        "agency": hh["household_id"]
        .map(of["agency"])
        .astype(object)
        .fillna("–")
        .astype(str)
        .tolist(),
        "distance": [
            fmt_km(float(v)) for v in pd.to_numeric(hh["household_id"].map(of["distance_km"]))
        ],
    }
    staff = frames.staff
    agencies = (
        officers.drop_duplicates("officer_id").set_index("officer_id")["agency"]
        if "agency" in officers.columns
        else pd.Series(dtype=object)
    )
    homes = pairs.groupby("officer_id")["household_district"].agg(lambda s: set(map(str, s)))
    load = pairs.groupby("officer_id").size()
    officer_data = {
        "lon": _rounded(staff["lon"]),
        "lat": _rounded(staff["lat"]),
        "officer_id": staff["officer_id"].astype(str).tolist(),
        "agency": staff["officer_id"].map(agencies).fillna("–").astype(str).tolist(),
        "districts": [
            " ".join(sorted({str(d)} | homes.get(o, set())))
            for o, d in zip(staff["officer_id"], staff["district"], strict=True)
        ],
        "district": staff["district"].astype(str).tolist(),
        "load": staff["officer_id"].map(load).fillna(0).astype(int).tolist(),
    }
    pair_data = {
        "x0": _rounded(pairs["o_lon"]),
        "y0": _rounded(pairs["o_lat"]),
        "x1": _rounded(pairs["h_lon"]),
        "y1": _rounded(pairs["h_lat"]),
        "household_id": pairs["household_id"].astype(str).tolist(),
        "officer_id": pairs["officer_id"].astype(str).tolist(),
        "districts": pairs["household_district"].astype(str).tolist(),
    }
    line_source, line_view = _filtered(pair_data, "pairs")
    fig.segment(
        "x0",
        "y0",
        "x1",
        "y1",
        source=line_source,
        view=line_view,
        line_color=_PAIR_COLOUR,
        line_alpha=0.55,
        line_width=1,
        legend_label=f"คู่ / Pair ({fmt_int(len(pairs))})",
    )
    paired = hh["paired"].to_numpy(dtype=bool)
    drawn, sources = [], [line_source]
    for name, keep, colour, (th, en) in (
        ("households", paired, _PAIRED_COLOUR, ("จับคู่แล้ว", "Paired")),
        ("unmatched", ~paired, _UNMATCHED_COLOUR, ("ยังไม่ได้จับคู่", "Unmatched")),
    ):
        if not keep.any():
            continue
        rows = {
            key: [v for v, k in zip(values, keep, strict=True) if k]
            for key, values in household_data.items()
        }
        source, view = _filtered(rows, name)
        drawn.append(
            fig.scatter(
                "lon",
                "lat",
                source=source,
                view=view,
                size=8,
                fill_color=colour,
                line_color="white",
                line_width=0.5,
                legend_label=f"{th} / {en} ({fmt_int(int(keep.sum()))})",
            )
        )
        sources.append(source)
    staff_source, staff_view = _filtered(officer_data, "officers")
    staff_drawn = fig.scatter(
        "lon",
        "lat",
        source=staff_source,
        view=staff_view,
        size=11,
        marker="triangle",
        fill_color=_OFFICER_COLOUR,
        line_color="white",
        line_width=0.5,
        legend_label=f"เจ้าหน้าที่ / Officer ({fmt_int(len(staff))})",
    )
    names = _names(label)
    fig.add_tools(
        _hover("households-hover", drawn, HOUSEHOLD_TOOLTIPS, names),
        _hover("officers-hover", [staff_drawn], OFFICER_TOOLTIPS, names),
    )
    return [*sources, staff_source]


def _district_shading(
    fig: Any,
    table: pd.DataFrame,
    places: pd.DataFrame,
    rings: Mapping[str, list[np.ndarray]],
    label: Mapping[str, str],
) -> tuple[list[ColumnDataSource], Select]:
    """One mark per district with households, shaded by unmatched share or by
    mean distance: its polygons, else a circle at its centre sized by its
    households.  Returns the filtered sources and the ``"shade-by"`` selector."""
    stats = table[table["households"] > 0].assign(
        district_code=lambda t: t["district_code"].astype(str),
        share=lambda t: t["unmatched"] / t["households"],
    )
    stats = stats.set_index("district_code")
    measures = {  # key: (palette, label, tick format, highest value shown)
        "share": (OrRd9, _SHADES["share"], "0.[0]%", 0.01),
        "mean_km": (Blues9, _SHADES["mean_km"], "0.[0]", 0.1),
    }
    highs = {
        key: max(float(np.nanmax(stats[key].to_numpy(float), initial=0.0)), floor)
        for key, (_, _, _, floor) in measures.items()
    }
    shade = LinearColorMapper(
        palette=list(reversed(OrRd9)), low=0.0, high=highs["share"], nan_color="#d9d9d9"
    )

    def columns(codes: list[str]) -> dict[str, Any]:
        rows = stats.loc[codes]
        return {
            "districts": codes,
            "district": codes,
            "households": [fmt_int(v) for v in rows["households"]],
            "share": rows["share"].to_numpy(float),
            "share_text": [fmt_share(float(v)) for v in rows["share"]],
            "mean_km": rows["mean_km"].to_numpy(float),
            "mean_km_text": [fmt_km(float(v)) for v in rows["mean_km"]],
            "value": rows["share"].to_numpy(float),  # what the colour shows now
        }

    drawn = []
    shaped = [c for c in stats.index if c in rings]
    polys = [(code, ring) for code in shaped for ring in rings[code]]
    poly_data = columns([code for code, _ in polys])
    poly_data["xs"] = [_rounded(ring[:, 0]) for _, ring in polys]
    poly_data["ys"] = [_rounded(ring[:, 1]) for _, ring in polys]
    poly_source, poly_view = _filtered(poly_data, "districts")
    fill = {"field": "value", "transform": shade}
    drawn.append(
        fig.patches(
            "xs",
            "ys",
            source=poly_source,
            view=poly_view,
            fill_color=fill,
            line_color="#8a8a8a",
            line_width=0.6,
        )
    )
    where = places.drop_duplicates("code").set_index("code")
    loose = [c for c in stats.index if c not in rings and c in where.index]
    loose = [c for c in loose if np.isfinite(where.loc[c, ["lat", "lon"]].to_numpy(float)).all()]
    dot_data = columns(loose)
    top = max(int(stats["households"].max()), 1) if len(stats) else 1
    dot_data["lon"] = where.loc[loose, "lon"].astype(float).tolist()
    dot_data["lat"] = where.loc[loose, "lat"].astype(float).tolist()
    dot_data["size"] = [6.0 + 30.0 * math.sqrt(n / top) for n in stats.loc[loose, "households"]]
    dot_source, dot_view = _filtered(dot_data, "district-points")
    drawn.append(
        fig.scatter(
            "lon",
            "lat",
            source=dot_source,
            view=dot_view,
            size="size",
            fill_color=fill,
            line_color="#555555",
            line_width=0.5,
            fill_alpha=0.9,
        )
    )
    fig.add_tools(_hover("districts-hover", drawn, DISTRICT_TOOLTIPS, _names(label)))
    formats = {key: f for key, (_, _, f, _) in measures.items()}
    bar = ColorBar(
        name="shade-bar",
        color_mapper=shade,
        title=_SHADES["share"],
        width=12,
        title_text_font=_FONT,
        formatter=NumeralTickFormatter(format=formats["share"]),
    )
    fig.add_layout(bar, "right")
    shades: list[str | tuple[Any, str]] = list(_SHADES.items())
    shade_by = Select(
        name="shade-by",
        title="สีแสดง / Shade by",
        value="share",
        options=shades,
        width=320,
        stylesheets=[_widget_font()],
    )
    shade_by.js_on_change(
        "value",
        CustomJS(
            args={
                "sources": [poly_source, dot_source],
                "mapper": shade,
                "bar": bar,
                "palettes": {k: list(reversed(p)) for k, (p, _, _, _) in measures.items()},
                "highs": highs,
                "titles": dict(_SHADES),
                "formats": formats,
            },
            code=_SHADE_JS,
        ),
    )
    return [poly_source, dot_source], shade_by
