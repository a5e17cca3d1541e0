"""A font that covers Thai, for the map (matplotlib) and the page (an embedded font).

:func:`thai_font` finds the Noto Sans Thai file shipped by the
``fontpkg-noto-sans-thai`` dependency (or a system Thai font) and hands it to
matplotlib per text, never through the global ``rcParams``.
"""

from __future__ import annotations

import base64
import functools
import logging
from pathlib import Path

from matplotlib.font_manager import FontProperties, findSystemFonts, fontManager
from matplotlib.ft2font import FT2Font

logger = logging.getLogger(__name__)

#: Family names of fonts known to cover Thai, most preferred first.
_THAI_FAMILIES = (
    "Noto Sans Thai",
    "Noto Sans Thai UI",
    "Noto Sans Thai Looped",
    "Noto Serif Thai",
    "Loma",
    "Garuda",
    "Waree",
    "Umpush",
    "Sawasdee",
    "Norasi",
    "Kinnari",
    "Laksaman",
    "Tlwg Typo",
    "Tlwg Typist",
    "Tlwg Mono",
    "Purisa",
)
_THAI_PROBE = "กขคงจาิุ่้"
CSS_FONT_STACK = (
    '"Noto Sans Thai", "Noto Sans Thai UI", "Leelawadee UI", "Leelawadee", "Thonburi", '
    '"Sarabun", "Tahoma", "Loma", "Garuda", "Waree", "Noto Sans", "DejaVu Sans", sans-serif'
)
EMBEDDED_FAMILY = "kuseo-thai"


def _covers_thai(path: str | Path) -> bool:
    try:
        charmap = FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in _THAI_PROBE)


def _packaged_thai_files() -> list[Path]:
    """Font files of the ``fontpkg-noto-sans-thai`` package, best first."""
    files: list[Path] = []
    try:
        import fontpkg

        files.append(Path(fontpkg.path("Noto Sans Thai", weight=400, nearest=True)))
    except ImportError:
        pass
    except Exception as exc:  # fontpkg.FontpkgError and friends
        logger.debug("fontpkg could not resolve Noto Sans Thai: %s", exc)
    try:
        import fontpkg_noto_sans_thai
    except ImportError:
        return files
    root = Path(fontpkg_noto_sans_thai.ROOT)
    files += sorted(root.glob("files/*.ttf")) + sorted(root.glob("files/*.otf"))
    return files


def _system_thai_files() -> list[Path]:
    """Installed fonts that may cover Thai (e.g. Debian's fonts-thai-tlwg), best first."""
    rank = {name.lower(): i for i, name in enumerate(_THAI_FAMILIES)}
    known = sorted(
        (rank[entry.name.lower()], entry.fname)
        for entry in fontManager.ttflist
        if entry.name.lower() in rank
    )
    files = [Path(fname) for _, fname in known]
    # Fonts installed after matplotlib built its font cache are not in ttflist.
    hints = ("thai", "tlwg", "loma", "garuda", "waree", "sawasdee", "norasi", "kinnari")
    files += sorted(
        Path(fname)
        for fname in findSystemFonts()
        if any(hint in Path(fname).name.lower() for hint in hints)
    )
    return files


@functools.cache
def _thai_font_file() -> str | None:
    """Path of a font file that covers Thai, registered with matplotlib (cached)."""
    for path in [*_packaged_thai_files(), *_system_thai_files()]:
        if path.is_file() and _covers_thai(path):
            fontManager.addfont(str(path))
            logger.debug("Thai font: %s", path)
            return str(path)
    logger.warning(
        "no font covering Thai was found (install fontpkg-noto-sans-thai or "
        "fonts-thai-tlwg); map labels will be in English"
    )
    return None


def thai_font() -> FontProperties | None:
    """A matplotlib font that covers Thai, or None when none is installed.

    Looks first for the Noto Sans Thai file of the ``fontpkg-noto-sans-thai``
    package, then for a system font that covers Thai (Noto Sans Thai, the
    TLWG fonts of Debian's ``fonts-thai-tlwg`` such as Loma or Garuda).  The
    file found is registered once with matplotlib's font manager
    (``fontManager.addfont``); the global ``rcParams`` are never changed.
    Pass the result to a text as ``fontproperties=``.  When no font is found
    a warning is logged (once) and None is returned; the map then uses
    English labels.

    Returns
    -------
    matplotlib.font_manager.FontProperties or None
        A new object on every call (callers may change its size), always
        pointing at the same file.

    Examples
    --------
    >>> font = thai_font()
    >>> font is not None and font.get_file() is not None
    True
    >>> font.set_size(9)  # a fresh object: the next call is unaffected
    >>> thai_font().get_size() == font.get_size()
    False
    """
    path = _thai_font_file()
    return None if path is None else FontProperties(fname=path)


def sized(font: FontProperties | None, size: float, weight: str = "normal") -> FontProperties:
    out = FontProperties() if font is None else font.copy()
    out.set_size(size)
    out.set_weight(weight)
    return out


def embedded_font_css() -> str:
    path = _thai_font_file()
    if path is None:
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    fmt = "opentype" if path.lower().endswith(".otf") else "truetype"
    mime = "font/otf" if fmt == "opentype" else "font/ttf"
    return (
        f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-weight: 100 900; '
        f'src: url(data:{mime};base64,{data}) format("{fmt}"); }}\n'
    )
