"""Drawing issued badges: the badge's image and its share card, with Typst.

A badge's image is its own uploaded picture when it has one, else an emblem drawn in the
badge's colour with its name and its organisation's name. Text reaches the templates only
as ``sys.inputs`` strings, cleaned as certificates' are (``inputs``): never as markup.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import get_language, gettext

from laurel.rendering.engine import compile_template
from laurel.rendering.fonts import CJK_FAMILIES, SANS, SCRIPT_FALLBACKS
from laurel.rendering.inputs import (
    FaceError,
    accent_ink,
    base_direction,
    checked_colour,
    cjk_region,
    on_accent,
    printable_line,
)

BADGE_IMAGE_SIZE = 600  # the badge's image, square, in pixels at 72 ppi
PAPER = "#FFFFFF"


@dataclass(frozen=True)
class BadgeFace:
    """Everything drawn for one issued badge (its frozen fields)."""

    badge_name: str
    recipient_name: str
    organisation_name: str
    colour: str  # "#RRGGBB"
    issued_on: datetime.date
    verify_url: str
    image: bytes | None = None  # the badge's uploaded picture (PNG or JPEG), or None


def _fonts(cjk: str) -> str:
    regional = [CJK_FAMILIES[cjk], *(f for r, f in CJK_FAMILIES.items() if r != cjk)]
    return "|".join([SANS, *SCRIPT_FALLBACKS, *regional])


def badge_inputs(face: BadgeFace) -> dict[str, str]:
    colour = checked_colour(face.colour)
    badge_name = printable_line(face.badge_name)
    if not badge_name:
        raise FaceError(gettext("The badge's name is empty; a badge cannot be drawn without it."))
    recipient_name = printable_line(face.recipient_name)
    organisation_name = printable_line(face.organisation_name)
    return {
        "badge_name": badge_name,
        "badge_name_dir": base_direction(badge_name),
        "recipient_name": recipient_name,
        "recipient_name_dir": base_direction(recipient_name),
        "organisation_name": organisation_name,
        "organisation_name_dir": base_direction(organisation_name),
        "verify_url": printable_line(face.verify_url),
        "issued_on": formats.date_format(face.issued_on, "DATE_FORMAT"),
        "accent": colour,
        "accent_ink": accent_ink(colour, PAPER),
        "on_accent": on_accent(colour),
        "paper": PAPER,
        "fonts": _fonts(cjk_region(badge_name, recipient_name, organisation_name)),
        "lang": (get_language() or "en").split("-")[0],
        "label_badge": gettext("Badge"),
        "label_earned": gettext("Earned by"),
        "label_issued": gettext("Issued on"),
        "label_verify": gettext("Verify at"),
    }


def _timestamp(face: BadgeFace) -> int:
    moment = datetime.datetime.combine(face.issued_on, datetime.time(), tzinfo=datetime.UTC)
    return int(moment.timestamp())


def render_badge_png(face: BadgeFace, *, scale: float = 1) -> bytes:
    """The badge's square image, 600 pixels wide times ``scale``, transparent around it."""
    return compile_template(
        "badge.typ",
        badge_inputs(face),
        images={"badge": face.image},
        timestamp=_timestamp(face),
        format="png",
        ppi=72 * scale,
    )


def render_badge_card_png(face: BadgeFace) -> bytes:
    """The 1200 x 627 share card shown when the badge's link is posted."""
    return compile_template(
        "badge_card.typ",
        badge_inputs(face),
        images={"badge": face.image},
        timestamp=_timestamp(face),
        format="png",
        ppi=72,
    )
