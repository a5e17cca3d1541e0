"""The static map (a matplotlib figure, a PNG): :func:`plot_map`, :func:`write_map`.

:func:`plot_map` reads the frames (:func:`_map_frames`), sets the extent,
then draws its layers one by one: district polygons and circles, pair
lines, households by kind, officers, unmatched households (or, above
``aggregate_above`` households, one shaded mark per district), then the
district names, legend, scale bar, credit and synthetic-data mark.
Figures are made with :class:`matplotlib.figure.Figure` directly, so
nothing here touches pyplot or the global backend.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from ..errors import ValidationError
from ..io.write import replace_file
from ..reference import resolve_province
from ..result import Result
from ..schema import coordinates
from .fonts import sized, thai_font
from .geometry import map_districts
from .inputs import (
    AGGREGATE_HOUSEHOLDS,
    canonical,
    is_synthetic,
    province_of,
    reference_districts,
    require,
    result_households,
)
from .labels import (
    DISTRICT_LICENCE,
    DISTRICT_SOURCE,
    KIND_LABELS,
    SYNTHETIC_MARK,
    fmt_int,
    fmt_km,
    ordered_kinds,
)

_MAX_LABELLED_DISTRICTS = 60
_KIND_COLOURS: Mapping[str, str] = {"developable": "#1b9e77", "welfare": "#d95f02"}
_OTHER_COLOURS = ("#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
_OFFICER_COLOUR = "#1f3a93"
_UNMATCHED_COLOUR = "#d7191c"
_PAIR_COLOUR = "#555555"


def _coordinates(frame: pd.DataFrame, table: str, key: str) -> pd.DataFrame:
    if not ({"lat", "lon"} <= set(frame.columns) or "coordinates" in frame.columns):
        require(frame, table, (key, "lat", "lon"), "the map needs coordinates")
    return coordinates(frame, table)


def _attach(
    ids: pd.DataFrame, coords: pd.DataFrame, key: str, table: str, prefix: str = ""
) -> pd.DataFrame:
    """``ids`` with ``<prefix>lat``/``<prefix>lon`` from ``coords``; every id must be found."""
    lat, lon = f"{prefix}lat", f"{prefix}lon"
    renamed = coords.rename(columns={"lat": lat, "lon": lon})
    out = ids.merge(renamed, on=key, how="left", validate="many_to_one")
    bad = out[lat].isna() | out[lon].isna()
    if bad.any():
        raise ValidationError(
            "id of the result is missing from this table or has no coordinates; "
            "pass the same frames that were given to match()",
            table=table,
            column=key,
            row=out[key][bad].iloc[0],
        )
    return out


def _map_title(
    n_households: int,
    n_paired: int,
    dist: np.ndarray,
    province: str | None,
    thai: bool,
) -> str:
    n_unmatched = n_households - n_paired
    mean_km = float(dist.mean()) if dist.size else None
    max_km = float(dist.max()) if dist.size else None
    en = (
        f"Paired {fmt_int(n_paired)} of {fmt_int(n_households)} households · "
        f"{fmt_int(n_unmatched)} unmatched · mean {fmt_km(mean_km)} km, "
        f"longest {fmt_km(max_km)} km"
    )
    lines = [en]
    if thai:
        th = (
            f"จับคู่แล้ว {fmt_int(n_paired)} จาก {fmt_int(n_households)} ครัวเรือน · "
            f"ยังไม่ได้จับคู่ {fmt_int(n_unmatched)} · ระยะเฉลี่ย {fmt_km(mean_km)} กม., "
            f"ไกลสุด {fmt_km(max_km)} กม."
        )
        lines.insert(0, th)
    if province:
        lines.insert(0, province)
    return "\n".join(lines)


def _scale_bar(ax: Any, lat0: float, font: FontProperties, thai: bool) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * max(math.cos(math.radians(lat0)), 0.01)
    target = (x1 - x0) * km_per_deg / 5.0
    nice = [v for v in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if v <= target]
    length_km = nice[-1] if nice else 0.5
    length = length_km / km_per_deg
    x = x0 + 0.04 * (x1 - x0)
    y = y0 + 0.04 * (y1 - y0)
    ax.plot([x, x + length], [y, y], color="black", lw=2.5, solid_capstyle="butt", gid="scale")
    label = f"{length_km:g} กม. / km" if thai else f"{length_km:g} km"
    ax.text(
        x + length / 2,
        y + 0.012 * (y1 - y0),
        label,
        ha="center",
        va="bottom",
        fontproperties=font,
        gid="scale-label",
    )


def _credit_and_mark(
    ax: Any, font: FontProperties | None, *, credit: bool, synthetic: bool
) -> None:
    """The district data's credit under the map and, for synthetic data, a mark on it.

    The credit is the (sub)figure's ``supxlabel``, so that constrained layout
    keeps a strip for it below the legend; the mark is a framed red label in
    the map's top right corner, in Thai and English when ``font`` covers Thai.
    """
    if credit:
        text = f"Districts: {DISTRICT_SOURCE}. Licence: {DISTRICT_LICENCE}."
        ax.figure.supxlabel(
            textwrap.fill(text, 100),
            x=0.01,
            ha="left",
            fontproperties=sized(None, 7),
            color="#555555",
            gid="credit",
        )
    if synthetic:
        th, en = SYNTHETIC_MARK
        ax.text(
            0.985,
            0.985,
            f"{th}\n{en}" if font is not None else en,
            transform=ax.transAxes,
            ha="right",
            va="top",
            multialignment="center",
            fontproperties=sized(font, 13, "bold"),
            color=_UNMATCHED_COLOUR,
            zorder=6,
            bbox={
                "boxstyle": "round,pad=0.4",
                "facecolor": "white",
                "edgecolor": _UNMATCHED_COLOUR,
                "linewidth": 1.5,
                "alpha": 0.9,
            },
            gid="synthetic-mark",
        )


def plot_map(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    *,
    province: str | int | None = None,
    ax: Any = None,
    thai_labels: bool = True,
    districts: pd.DataFrame | None = None,
    boundaries: Mapping[str, Any] | None = None,
    aggregate_above: int = AGGREGATE_HOUSEHOLDS,
) -> Figure:
    """Draw households, officers and their pairs on a district map.

    District polygons are drawn where known (Khon Kaen's shipped polygons,
    or ``boundaries``); other districts appear as light circles at their
    centroids.  Households are coloured by kind, officers are triangles
    (hollow when they have no household), a thin line joins each pair and
    unmatched households are red crosses, counted in the title with the
    mean and longest distance.  Longitude and latitude have equal ground
    scale (aspect ``1 / cos(latitude)``).

    Above ``aggregate_above`` households shown, the map draws districts
    instead of households, officers and pairs, in two panels: each district
    with households is shaded by its unmatched share (left) and by the mean
    distance of its households' pairs (right), as its polygon where one is
    known, else as a circle at its centroid whose area grows with its
    households (a district the reference does not know: at the mean of its
    households' positions).  The title keeps the whole run's numbers.

    When district polygons, centroids or names are drawn, a line at the
    bottom of the figure credits their source, as their licence asks:
    "Districts: Royal Thai Survey Department (RTSD) administrative
    boundaries, level 2, as published by UN OCHA (COD-AB Thailand, dated
    2019-02-18). Licence: CC BY-IGO 3.0." (given ``districts`` or
    ``boundaries`` are taken to come from there too).  When
    :func:`is_synthetic` holds for the frames, the map carries a red
    "ข้อมูลสังเคราะห์ / SYNTHETIC DATA" label (English only without a Thai
    font).

    Parameters
    ----------
    result : Result
        A matching result.
    officers, households : pandas.DataFrame
        The frames given to :func:`kuseo_match.match` (not changed); they
        need ``officer_id``/``household_id``, ``district``, ``lat``, ``lon``.
    province : str or int, optional
        Only this province: a code (``"TH40"``, ``40``) or a name in Thai or
        English (``"ขอนแก่น"``, ``"Khon Kaen"``), as understood by
        :func:`kuseo_match.reference.resolve_province`.  Officers outside it are still drawn
        when paired with one of its households.  Default: everything.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes (above ``aggregate_above`` households: the
        unmatched-share panel only); default a new figure of about 10 x 10.5
        inches (two panels side by side above ``aggregate_above``).
    thai_labels : bool, default True
        District names and legend in Thai (with English) using
        :func:`thai_font`; English only when False or no Thai font exists.
    districts : pandas.DataFrame, optional
        District names and centroids; default
        :func:`kuseo_match.reference.districts`.
    boundaries : dict, optional
        GeoJSON FeatureCollection of district polygons with a
        ``district_code`` property (``name_th``/``name_en`` used when
        ``districts`` lacks the code); default Khon Kaen's
        (:func:`kuseo_match.reference.khon_kaen_geojson`), loaded only when
        a Khon Kaen (``TH40``) district is shown.
    aggregate_above : int, default :data:`AGGREGATE_HOUSEHOLDS`
        Most households (of ``province`` when given) drawn one by one.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax``'s figure when given).  Artists carry
        ``gid`` values: ``"pairs"`` (a LineCollection, one segment per pair),
        ``"households-<kind>"``, ``"officers"``, ``"officers-idle"``,
        ``"unmatched"``, ``"districts"`` (polygons), ``"district-points"``;
        above ``aggregate_above``: ``"districts"`` (polygons shaded by
        unmatched share), ``"district-households"`` (circles, one per
        district without a polygon, in district code order),
        ``"districts-distance"`` and ``"district-distance"`` (the same in
        the mean-distance panel); texts ``"credit"`` (the figure's
        ``supxlabel``) and ``"synthetic-mark"`` (in the axes).

    Raises
    ------
    ValidationError
        When coordinates are missing, an id of the result is not in the
        frames, or ``province`` is unknown.

    Examples
    --------
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> result = km.match(o, h)
    >>> fig = plot_map(result, o, h)
    >>> pairs = [c for c in fig.axes[0].collections if c.get_gid() == "pairs"][0]
    >>> len(pairs.get_segments()) == len(result.pairs)
    True

    Above ``aggregate_above`` households, one shaded polygon per district of
    Khon Kaen (the shipped polygons) and no pair lines:

    >>> fig = plot_map(result, o, h, aggregate_above=10)
    >>> gids = {c.get_gid(): c for c in fig.axes[0].collections}
    >>> len(gids["districts"].get_paths()), "pairs" in gids
    (26, False)
    """
    officers = canonical(officers, "officers")
    households = canonical(households, "households")
    font = thai_font() if thai_labels else None
    thai = font is not None
    names = reference_districts(districts)
    code = resolve_province(province) if province is not None else None

    frames = _map_frames(result, officers, households, code)
    hh, staff = frames.households, frames.staff
    aggregate = len(hh) > aggregate_above
    points, places, rings = map_districts(hh, staff, names, boundaries, code)
    xlim, ylim = _extent(points, places, rings)
    lat0 = (ylim[0] + ylim[1]) / 2
    aspect = 1.0 / max(math.cos(math.radians(lat0)), 0.01)
    fig, axes = _axes(ax, xlim, ylim, aspect, two=aggregate)

    dist = pd.to_numeric(frames.pairs["distance_km"], errors="coerce").to_numpy(dtype=float)
    title = _map_title(
        len(hh),
        int(hh["paired"].sum()),
        dist[np.isfinite(dist)],
        _province_name(code, names, thai),
        thai,
    )
    if aggregate:
        handles = _draw_districts(
            axes, hh, frames.pairs, places, rings, font, title, aggregate_above
        )
    else:
        handles = _draw_households(axes[0], frames, places, rings, font, title)
    for panel in axes:
        _frame_panel(panel, xlim, ylim, aspect)
        _scale_bar(panel, lat0, sized(font, 7), thai)
    _district_labels(axes[0], places, font)
    axes[0].legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.05),
        ncols=1 if aggregate else 3 if fig.get_figwidth() >= 9.5 else 2,
        frameon=False,
        prop=sized(font, 8),
        markerscale=1.0 if aggregate else 1.5,
    )
    credit = bool(rings) or bool(places[["name_th", "name_en"]].notna().to_numpy().any())
    _credit_and_mark(axes[0], font, credit=credit, synthetic=is_synthetic(officers, households))
    return fig


@dataclass(frozen=True)
class _MapFrames:
    """What the map draws, as frames: households (household_id, kind, district,
    paired, lat, lon), pairs (officer_id, household_id, distance_km,
    household_district), staff (officer_id, district, lat, lon) and the
    coordinates of every officer and household."""

    households: pd.DataFrame
    pairs: pd.DataFrame
    staff: pd.DataFrame
    officer_xy: pd.DataFrame
    household_xy: pd.DataFrame


def _map_frames(
    result: Result, officers: pd.DataFrame, households: pd.DataFrame, province: str | None
) -> _MapFrames:
    """The frames the map draws, of ``province`` only when given (officers outside
    it kept when paired with one of its households)."""
    officer_xy = _coordinates(officers, "officers", "officer_id")
    household_xy = _coordinates(households, "households", "household_id")
    require(officers, "officers", ("district",), "the map groups officers by district")
    hh = _attach(result_households(result), household_xy, "household_id", "households")
    pairs = result.pairs[["officer_id", "household_id", "distance_km", "household_district"]]
    staff = officers[["officer_id", "district"]].merge(officer_xy, on="officer_id")
    if province is not None:
        hh = hh[hh["district"].map(province_of) == province]
        pairs = pairs[pairs["household_district"].map(province_of) == province]
        in_province = staff["district"].map(province_of) == province
        staff = staff[in_province | staff["officer_id"].isin(pairs["officer_id"])]
    return _MapFrames(hh, pairs, staff, officer_xy, household_xy)


def _extent(
    points: pd.DataFrame, places: pd.DataFrame, rings: Mapping[str, list[np.ndarray]]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(xlim, ylim) around the points, district centres and polygons, padded 3%."""
    xs = pd.concat([points["lon"], places["lon"]]).to_numpy(dtype=float)
    ys = pd.concat([points["lat"], places["lat"]]).to_numpy(dtype=float)
    every = [ring for code_rings in rings.values() for ring in code_rings]
    if every:
        xs = np.concatenate([xs, *(ring[:, 0] for ring in every)])
        ys = np.concatenate([ys, *(ring[:, 1] for ring in every)])
    xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
    if not xs.size:
        return (0.0, 1.0), (0.0, 1.0)
    pad_x = max(0.03 * (xs.max() - xs.min()), 0.01)
    pad_y = max(0.03 * (ys.max() - ys.min()), 0.01)
    return (xs.min() - pad_x, xs.max() + pad_x), (ys.min() - pad_y, ys.max() + pad_y)


def _axes(
    ax: Any,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    aspect: float,
    *,
    two: bool,
) -> tuple[Figure, list[Any]]:
    """The figure and the panels to draw on: the caller's axes, else a new figure
    sized for the map (two panels side by side when ``two``)."""
    if ax is not None:
        fig = ax.figure
        while isinstance(fig, SubFigure):
            fig = fig.figure
        return fig, [ax]
    # Two panels with their colour bars: size the figure for a map 2.3 times as wide.
    wide = (xlim[0], xlim[1] + 1.3 * (xlim[1] - xlim[0])) if two else xlim
    fig = Figure(figsize=_figure_size(wide, ylim, aspect), layout="constrained")
    return fig, list(fig.subplots(1, 2)) if two else [fig.add_subplot()]


def _frame_panel(
    panel: Any, xlim: tuple[float, float], ylim: tuple[float, float], aspect: float
) -> None:
    """Extent, equal ground scale (1 km as long east-west as north-south), quiet axes."""
    panel.set_xlim(*xlim)
    panel.set_ylim(*ylim)
    panel.set_aspect(aspect, adjustable="box")
    panel.set_xlabel("")
    panel.set_ylabel("")
    panel.tick_params(labelsize=7, colors="#666666")
    for spine in panel.spines.values():
        spine.set_color("#bbbbbb")


def _province_name(code: str | None, names: pd.DataFrame | None, thai: bool) -> str | None:
    """The map title's province line: "ขอนแก่น / Khon Kaen" (the code when unknown)."""
    if code is None:
        return None
    if names is not None:
        hit = names[names["province_code"] == code]
        if len(hit):
            rec = hit.iloc[0]
            return f"{rec['province_th']} / {rec['province_en']}" if thai else rec["province_en"]
    return code


def _draw_households(
    ax: Any,
    frames: _MapFrames,
    places: pd.DataFrame,
    rings: Mapping[str, list[np.ndarray]],
    font: FontProperties | None,
    title: str,
) -> list[Any]:
    """The detailed map, layer by layer: districts, pair lines, households by kind,
    officers, unmatched households; the legend's handles."""
    thai = font is not None
    hh = frames.households
    size = 16.0 if len(hh) <= 300 else 9.0 if len(hh) <= 3000 else 3.0
    _district_layer(ax, places, rings)
    n_pairs = _pair_layer(ax, frames, thai)
    handles = _household_layer(ax, hh, size, thai)
    handles += _officer_layer(ax, frames.staff, set(frames.pairs["officer_id"]), size, thai)
    handles.append(_unmatched_layer(ax, hh[~hh["paired"]], size, thai))
    handles.append(
        Line2D([], [], color=_PAIR_COLOUR, lw=0.8, label=_label("คู่", "Pair", n_pairs, thai))
    )
    ax.set_title(title, fontproperties=sized(font, 11, "bold"), loc="left")
    return handles


def _district_layer(ax: Any, places: pd.DataFrame, rings: Mapping[str, list[np.ndarray]]) -> None:
    """District polygons where known (gid ``districts``), else light circles at their
    centres (gid ``district-points``)."""
    if rings:
        fills = [ring for code in sorted(rings) for ring in rings[code]]
        ax.add_collection(
            PolyCollection(
                fills,
                facecolors="#f2f0ea",
                edgecolors="#9a9a9a",
                linewidths=0.7,
                zorder=0,
                gid="districts",
            )
        )
    loose = places[~places["code"].isin(rings.keys())].dropna(subset=["lat", "lon"])
    if len(loose):
        ax.scatter(
            loose["lon"],
            loose["lat"],
            s=60,
            facecolors="none",
            edgecolors="#b0b0b0",
            linewidths=0.8,
            zorder=0,
            gid="district-points",
        )


def _pair_layer(ax: Any, frames: _MapFrames, thai: bool) -> int:
    """One line per pair, officer to household (gid ``pairs``); the number of pairs."""
    segments = _attach(
        _attach(frames.pairs, frames.officer_xy, "officer_id", "officers", "o_"),
        frames.household_xy,
        "household_id",
        "households",
        "h_",
    )
    ax.add_collection(
        LineCollection(
            list(
                zip(
                    zip(segments["o_lon"], segments["o_lat"], strict=True),
                    zip(segments["h_lon"], segments["h_lat"], strict=True),
                    strict=True,
                )
            ),
            colors=_PAIR_COLOUR,
            linewidths=0.5,
            alpha=0.55,
            zorder=1,
            gid="pairs",
            label=_label("คู่", "Pair", len(segments), thai),
        )
    )
    return len(segments)


def _household_layer(ax: Any, hh: pd.DataFrame, size: float, thai: bool) -> list[Any]:
    """Households, one colour per kind (gid ``households-<kind>``); their handles."""
    handles = []
    for i, kind in enumerate(ordered_kinds(hh["kind"])):
        mine = hh[hh["kind"] == kind]
        colour = _KIND_COLOURS.get(str(kind), _OTHER_COLOURS[i % len(_OTHER_COLOURS)])
        th, en = KIND_LABELS.get(str(kind), (str(kind), str(kind)))
        handles.append(
            ax.scatter(
                mine["lon"],
                mine["lat"],
                s=size,
                c=colour,
                linewidths=0,
                zorder=2,
                gid=f"households-{kind}",
                label=_label(th, f"{en} household", len(mine), thai),
            )
        )
    return handles


def _officer_layer(
    ax: Any, staff: pd.DataFrame, busy: set[Any], size: float, thai: bool
) -> list[Any]:
    """Officers as triangles (gid ``officers``), hollow when they have no household
    (gid ``officers-idle``); their handles."""
    active = staff[staff["officer_id"].isin(busy)]
    idle = staff[~staff["officer_id"].isin(busy)]
    handles = [
        ax.scatter(
            active["lon"],
            active["lat"],
            s=size * 1.6,
            marker="^",
            c=_OFFICER_COLOUR,
            linewidths=0,
            zorder=3,
            gid="officers",
            label=_label("เจ้าหน้าที่", "Officer", len(active), thai),
        )
    ]
    if len(idle):
        handles.append(
            ax.scatter(
                idle["lon"],
                idle["lat"],
                s=size * 1.6,
                marker="^",
                facecolors="none",
                edgecolors=_OFFICER_COLOUR,
                linewidths=0.7,
                zorder=3,
                gid="officers-idle",
                label=_label("เจ้าหน้าที่ยังไม่มีคู่", "Officer without household", len(idle), thai),
            )
        )
    return handles


def _unmatched_layer(ax: Any, lost: pd.DataFrame, size: float, thai: bool) -> Any:
    """Unmatched households as red crosses (gid ``unmatched``); their handle."""
    return ax.scatter(
        lost["lon"],
        lost["lat"],
        s=max(size * 4, 40),
        marker="x",
        c=_UNMATCHED_COLOUR,
        linewidths=1.6,
        zorder=4,
        gid="unmatched",
        label=_label("ยังไม่ได้จับคู่", "Unmatched", len(lost), thai),
    )


def _draw_districts(
    axes: list[Any],
    hh: pd.DataFrame,
    pairs: pd.DataFrame,
    places: pd.DataFrame,
    rings: Mapping[str, list[np.ndarray]],
    font: FontProperties | None,
    title: str,
    aggregate_above: int,
) -> list[Any]:
    """The map above ``aggregate_above`` households: one mark per district, shaded by
    unmatched share (``axes[0]``) and by mean distance (``axes[1]``, when given); the
    legend's handles (circle sizes)."""
    thai = font is not None
    stats = hh.groupby(hh["district"].astype(str))["paired"].agg(households="size", paired="sum")
    stats["share"] = 1.0 - stats["paired"] / stats["households"]
    dist = pd.to_numeric(pairs["distance_km"], errors="coerce")
    stats["mean_km"] = dist.groupby(pairs["household_district"].astype(str).to_numpy()).mean()
    where = places.drop_duplicates("code").set_index("code")[["lat", "lon"]]
    stats = stats.join(where, how="left").sort_index()
    top = max(int(stats["households"].max()), 1) if len(stats) else 1

    def area(n: Any) -> Any:  # points², proportional to households
        return 6.0 + 360.0 * np.asarray(n, dtype=float) / top

    loose = stats[~stats.index.isin(list(rings))].dropna(subset=["lat", "lon"])
    background = places[~places["code"].isin(list(rings))].dropna(subset=["lat", "lon"])
    counted = f"{len(hh):,} > {aggregate_above:,}"
    panels = (
        (
            "share",
            "OrRd",
            ("สัดส่วนครัวเรือนที่ยังไม่ได้จับคู่ ตามอำเภอ", "Unmatched share by district"),
            ("districts", "district-households"),
        ),
        (
            "mean_km",
            "YlGnBu",
            ("ระยะทางเฉลี่ย (กม.) ตามอำเภอ", "Mean distance (km) by district"),
            ("districts-distance", "district-distance"),
        ),
    )
    for ax, (column, cmap_name, (th, en), (gid_poly, gid_dot)) in zip(axes, panels, strict=False):
        values = stats[column].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        floor = 0.01 if column == "share" else 1.0
        norm = Normalize(0.0, max(float(finite.max()) if finite.size else 0.0, floor))
        cmap = colormaps[cmap_name].with_extremes(bad="#cfcfcf")
        if len(background):
            ax.scatter(
                background["lon"],
                background["lat"],
                s=3,
                c="#d5d5d5",
                linewidths=0,
                zorder=0,
                gid="district-points",
            )
        if rings:
            codes = sorted(rings)
            shade = stats[column].reindex(codes).to_numpy(dtype=float)
            colours = [
                cmap(norm(v)) if math.isfinite(v) else "#f2f0ea"
                for code, v in zip(codes, shade, strict=True)
                for _ in rings[code]
            ]
            ax.add_collection(
                PolyCollection(
                    [ring for code in codes for ring in rings[code]],
                    facecolors=colours,
                    edgecolors="#8a8a8a",
                    linewidths=0.5,
                    zorder=1,
                    gid=gid_poly,
                )
            )
        ax.scatter(
            loose["lon"],
            loose["lat"],
            s=area(loose["households"]),
            c=loose[column].to_numpy(dtype=float),
            cmap=cmap,
            norm=norm,
            edgecolors="#555555",
            linewidths=0.4,
            alpha=0.9,
            zorder=2,
            plotnonfinite=True,
            gid=gid_dot,
        )
        bar = ax.figure.colorbar(
            ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.45, pad=0.01, aspect=30
        )
        bar.ax.tick_params(labelsize=7)
        if column == "share":
            bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        label = f"{th}\n{en}" if thai else en
        ax.set_title(label, fontproperties=sized(font, 10, "bold"), loc="left")
    if len(axes) > 1:
        axes[0].figure.suptitle(title, x=0.01, ha="left", fontproperties=sized(font, 11, "bold"))
    else:  # the caller's axes: the run's numbers above the panel's own title
        label = axes[0].get_title(loc="left")
        axes[0].set_title(f"{title}\n{label}", fontproperties=sized(font, 11, "bold"), loc="left")
    handles = []
    for n in _nice_counts(top) if len(loose) else ():
        text = f"{n:,} ครัวเรือน / households" if thai else f"{n:,} households"
        handles.append(
            Line2D(
                [],
                [],
                linestyle="",
                marker="o",
                markersize=math.sqrt(float(area(n))),
                markerfacecolor="white",
                markeredgecolor="#555555",
                label=text,
            )
        )
    note = f"{counted} households: one mark per district,\nno pairs or officers"
    if thai:
        note = f"ไม่แสดงรายครัวเรือน คู่ และเจ้าหน้าที่ /\n{note}"
    handles.append(Line2D([], [], linestyle="", label=note))
    return handles


def _nice_counts(top: int) -> list[int]:
    """Two or three round counts up to ``top`` for the circle-size legend.

    Examples
    --------
    >>> _nice_counts(5_321), _nice_counts(7)
    ([5000, 500, 50], [7])
    """
    lead = 10 ** int(math.log10(top)) if top >= 1 else 1
    first = (top // lead) * lead
    return [n for n in (first, first // 10, first // 100) if n >= 1][:3] if first >= 10 else [first]


def _district_labels(ax: Any, places: pd.DataFrame, font: FontProperties | None) -> None:
    """District names at their centroids, when there are few enough to read."""
    thai = font is not None
    label_font = sized(font, 7.5)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    labelled = places.dropna(subset=["lat", "lon"])
    if len(labelled) > _MAX_LABELLED_DISTRICTS:
        return
    for rec in labelled.itertuples(index=False):
        text = rec.name_th if thai and isinstance(rec.name_th, str) else rec.name_en
        if not isinstance(text, str) or not text:
            text = rec.code
        ax.annotate(
            text,
            (rec.lon, rec.lat),
            xytext=(0, 5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontproperties=label_font,
            color="#333333",
            zorder=5,
            path_effects=halo,
            gid=f"label-{rec.code}",
            annotation_clip=True,
        )


def _figure_size(
    xlim: tuple[float, float], ylim: tuple[float, float], aspect: float
) -> tuple[float, float]:
    """Inches (width, height) that fit the map's shape, room for title and legend."""
    ratio = (ylim[1] - ylim[0]) * aspect / max(xlim[1] - xlim[0], 1e-9)  # height / width
    ratio = min(max(ratio, 0.4), 2.5)
    if ratio >= 1:
        return max(8.0, 9.0 / ratio + 1.3), 10.5
    return 11.0, max(7.0, 9.7 * ratio + 2.5)


def _label(th: str, en: str, count: int, thai: bool) -> str:
    return f"{th} / {en} ({count:,})" if thai else f"{en} ({count:,})"


def png_bytes(fig: Figure, dpi: float) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def write_map(
    result: Result,
    officers: pd.DataFrame,
    households: pd.DataFrame,
    path: str | Path,
    *,
    dpi: float = 150,
    **kwargs: Any,
) -> Path:
    """Draw :func:`plot_map` and save it as a PNG file.

    Parameters
    ----------
    result, officers, households
        As for :func:`plot_map`.
    path : str or pathlib.Path
        File to write (its folder must exist); overwritten.
    dpi : float, default 150
        Resolution; the default figure is 10 x 10.5 inches.
    **kwargs
        Passed to :func:`plot_map` (``province``, ``thai_labels``,
        ``districts``, ``boundaries``, ``aggregate_above``; not ``ax``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import kuseo_match as km
    >>> o, h = km.synthetic_province(officers=30, households=40, developable=20)
    >>> out = write_map(km.match(o, h), o, h, pathlib.Path(tempfile.mkdtemp()) / "map.png")
    >>> out.read_bytes()[:4] == b"\\x89PNG"
    True
    """
    if "ax" in kwargs:
        raise TypeError("write_map() draws its own figure; call plot_map(ax=...) instead")
    fig = plot_map(result, officers, households, **kwargs)
    return replace_file(path, png_bytes(fig, dpi))
