"""Maps and a one-page HTML report of a :class:`~kuseo_match.result.Result`.

The people who run a pairing programme would rather look at a map than read
a thousand rows.  This package draws one (:func:`plot_map`, :func:`write_map`)
and builds a single self-contained HTML page around it (:func:`render_report`,
:func:`write_report`): headline numbers, need coverage, officers' load, a
per-district table, the unmatched households and the policy used; when the
households lie in more than one province, a per-province table too
(:meth:`~kuseo_match.result.Result.by_province`).

Above :data:`AGGREGATE_HOUSEHOLDS` households (20,000: a large province; a
country holds up to a million) one mark per household stops being readable
and the files stop being usable, so the outputs switch to districts and
provinces: the map draws each district once, shaded by its unmatched share
(its polygon where one is shipped, else a circle at its centre sized by its
households) beside a second panel coloured by mean distance, instead of
every household, officer and pair line; the report lists the unmatched
households per district instead of one by one; and ``kuseo-match`` writes
``pairs.geojson`` only when asked (``--geojson``).  :func:`plot_map` and
:func:`render_report` take the threshold as ``aggregate_above``.

Both carry the credits the data's licences ask for (``data/SOURCES.md``):
the district boundaries, centroids and names are RTSD's, as published by UN
OCHA under CC BY-IGO 3.0.  Tables made by :mod:`kuseo_match.synth` (marked
by its ``synthetic`` column, :func:`is_synthetic`) get a visible "synthetic
data / ข้อมูลสังเคราะห์" mark on the map and a banner on the report.

Labels are in Thai and English.  Thai needs a font that covers it:
:func:`thai_font` finds the Noto Sans Thai file shipped by the
``fontpkg-noto-sans-thai`` dependency (or a system Thai font) and hands it to
matplotlib per text, never through the global ``rcParams``.  Figures are
made with :class:`matplotlib.figure.Figure` directly, so nothing here touches
pyplot or the global backend.

The package, in the order the data flow through it:

- :mod:`~kuseo_match.report.inputs`: the caller's frames and the result, read
  for the report; :data:`AGGREGATE_HOUSEHOLDS`.
- :mod:`~kuseo_match.report.labels`: Thai and English labels, credits,
  number formats.
- :mod:`~kuseo_match.report.fonts`: a font that covers Thai.
- :mod:`~kuseo_match.report.tables`: per-district and per-need tables.
- :mod:`~kuseo_match.report.geometry` and :mod:`~kuseo_match.report.static_map`:
  the map, layer by layer.
- :mod:`~kuseo_match.report.markup`, :mod:`~kuseo_match.report.district_lists`
  and :mod:`~kuseo_match.report.page`: the HTML page, its per-district pair
  lists (searchable, sortable, one printed A4 page per district) and its
  stylesheet and script (:mod:`~kuseo_match.report.assets`).
"""

from __future__ import annotations

from ..labels import NEED_LABELS
from .fonts import thai_font
from .inputs import AGGREGATE_HOUSEHOLDS, is_synthetic
from .page import render_report, write_report
from .static_map import plot_map, write_map
from .tables import district_summary, need_coverage

__all__ = [
    "AGGREGATE_HOUSEHOLDS",
    "NEED_LABELS",
    "district_summary",
    "is_synthetic",
    "need_coverage",
    "plot_map",
    "render_report",
    "thai_font",
    "write_map",
    "write_report",
]
