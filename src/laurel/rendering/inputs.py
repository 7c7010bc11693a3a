"""Turning a certificate face into what the Typst templates read.

Text reaches a template only as a string in ``sys.inputs``, which Typst prints as it is:
markup in a name (``*bold*``, ``#read(...)``, ``$x$``, HTML) is never evaluated. What this
module changes before printing, and why:

- Control characters are dropped, and a tab or line break in a one-line field becomes a
  space: they have no glyph, and input checks already refuse them, so only rows older
  than those checks can carry them.
- Explicit bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are
  dropped: they let a name display reversed or spoof its neighbours. The Unicode bidi
  algorithm still lays Arabic and Hebrew out right to left, with the paragraph direction
  taken from the first strong letter, as a browser does with ``dir="auto"``.
"""

from __future__ import annotations

import colorsys
import re
import unicodedata

from django.utils.translation import gettext

from laurel.rendering.faces import LAYOUTS, CertificateFace

_BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A)],
    None,
)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
# Paper colours of the layouts: the accent must stay readable on them.
PAPER = {"classic": "#FBF8F1", "modern": "#FFFFFF"}


class FaceError(ValueError):
    """A face that cannot be printed, with a message saying what is wrong."""


def printable_line(value: str) -> str:
    """One line of text as it is printed: no controls, no bidi overrides, single spaces."""
    value = value.translate(_BIDI_CONTROLS)
    value = "".join(
        (" " if ch.isspace() else "") if unicodedata.category(ch) == "Cc" else ch for ch in value
    )
    return _SPACES.sub(" ", value).strip()


def printable_text(value: str) -> str:
    """Several lines: as printable_line for each, keeping line breaks between paragraphs."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(printable_line(line) for line in lines).strip("\n")


def base_direction(value: str) -> str:
    """'rtl' when the first strong letter is right to left, else 'ltr' (UAX #9, P2-P3)."""
    for ch in value:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def cjk_region(*values: str) -> str:
    """Which regional CJK font should draw shared ideographs: JP with kana, KR with hangul."""
    for value in values:
        for ch in value:
            code = ord(ch)
            if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
                return "JP"
            if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
                return "KR"
    return "SC"


def _rgb(colour: str) -> tuple[float, float, float]:
    return (int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02X}" for c in rgb)


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def accent_ink(colour: str, paper: str) -> str:
    """The accent, darkened just enough for small text on the paper (WCAG AA, 4.5:1)."""
    h, lightness, s = colorsys.rgb_to_hls(*_rgb(colour))
    ink = colour
    while contrast(ink, paper) < 4.5 and lightness > 0:
        lightness = max(0.0, lightness - 0.03)
        ink = _hex(colorsys.hls_to_rgb(h, lightness, s))
    return ink


def on_accent(colour: str) -> str:
    """White or near-black, whichever reads better on a field of the accent colour."""
    return "#FFFFFF" if contrast("#FFFFFF", colour) >= contrast("#1B1B1F", colour) else "#1B1B1F"


def checked_colour(colour: str) -> str:
    if not _COLOUR.match(colour):
        raise FaceError(
            gettext("The accent colour must look like #RRGGBB; got %(colour)r.")
            % {"colour": colour}
        )
    return colour.upper()


def checked_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        known = ", ".join(sorted(LAYOUTS))
        raise FaceError(
            gettext("Unknown certificate layout %(layout)r; choose one of %(known)s.")
            % {"layout": layout, "known": known}
        )
    return layout


def text_inputs(face: CertificateFace) -> dict[str, str]:
    """The face's text, cleaned for printing, with the hints the templates need."""
    layout = checked_layout(face.layout)
    colour = checked_colour(face.colour)
    name = printable_line(face.recipient_name)
    text = printable_text(face.text)
    certificate_name = printable_line(face.certificate_name)
    verify_url = printable_line(face.verify_url)
    for value, message in (
        (
            name,
            gettext("The recipient's name is empty; a certificate cannot be printed without it."),
        ),
        (
            certificate_name,
            gettext("The certificate name is empty; a certificate cannot be printed without it."),
        ),
        (
            verify_url,
            gettext("The verification URL is empty; a certificate cannot be printed without it."),
        ),
    ):
        if not value:
            raise FaceError(message)
    organisation_name = printable_line(face.organisation_name)
    program_name = printable_line(face.program_name)
    return {
        "layout": layout,
        "recipient_name": name,
        "name_dir": base_direction(name),
        "certificate_name": certificate_name,
        "certificate_name_dir": base_direction(certificate_name),
        "text": text,
        "text_dir": base_direction(text),
        "organisation_name": organisation_name,
        "organisation_name_dir": base_direction(organisation_name),
        "program_name": program_name,
        "program_name_dir": base_direction(program_name),
        "verify_url": verify_url,
        "certificate_id": printable_line(face.certificate_id),
        "accent": colour,
        "accent_ink": accent_ink(colour, PAPER[layout]),
        "on_accent": on_accent(colour),
        "paper": PAPER[layout],
        "cjk": cjk_region(name, face.certificate_name, face.text, face.organisation_name),
    }
