"""The fonts certificates are set in, from the font packages installed with Laurel.

System fonts are never used, so a certificate looks the same on every machine. Each family
below is a variable font; Typst picks the weight a template asks for.
"""

from __future__ import annotations

from pathlib import Path

import fontpkg_eb_garamond
import fontpkg_inter
import manimgx_fonts
import manimgx_fonts_cjk

SERIF = "EB Garamond"
SANS = "Inter"

# Tried in this order for every character the layout's own family lacks. Emoji come before
# the CJK fonts, which carry text-style copies of a few emoji-like symbols.
SCRIPT_FALLBACKS = (
    "Noto Sans",  # Latin, Greek and Cyrillic beyond what the layout family has
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Sans Bengali",
    "Noto Sans Tamil",
    "Noto Sans Telugu",
    "Noto Sans Gujarati",
    "Noto Sans Gurmukhi",
    "Noto Sans Kannada",
    "Noto Sans Malayalam",
    "Noto Sans Oriya",
    "Noto Sans Sinhala",
    "Noto Sans Khmer",
    "Noto Sans Lao",
    "Noto Sans Myanmar",
    "Noto Sans Georgian",
    "Noto Sans Armenian",
    "Noto Sans Ethiopic",
    "Noto Emoji",
    "Noto Sans Symbols",
)

# Noto Sans CJK comes in regional flavours that draw some shared ideographs differently;
# the renderer puts the one that suits the name first (see inputs.cjk_region).
CJK_FAMILIES = {
    "SC": "Noto Sans CJK SC",
    "TC": "Noto Sans CJK TC",
    "JP": "Noto Sans CJK JP",
    "KR": "Noto Sans CJK KR",
}


def font_directories() -> list[Path]:
    return [
        Path(fontpkg_eb_garamond.ROOT) / "files",
        Path(fontpkg_inter.ROOT) / "files",
        Path(manimgx_fonts.__file__).resolve().parent,
        Path(manimgx_fonts_cjk.__file__).resolve().parent,
    ]
