"""Drawing issued certificates (an A4 PDF, a share card and a preview) and issued badges
(an image and a share card), with Typst."""

from laurel.rendering.badges import (
    BADGE_IMAGE_SIZE,
    BadgeFace,
    render_badge_card_png,
    render_badge_png,
)
from laurel.rendering.baking import PNG_SIGNATURE, NotAPng, png_text, png_with_text
from laurel.rendering.faces import LAYOUTS, CertificateFace
from laurel.rendering.inputs import FaceError
from laurel.rendering.render import (
    CARD_SIZE,
    Attachment,
    render_card_png,
    render_pdf,
    render_preview_png,
)

__all__ = [
    "BADGE_IMAGE_SIZE",
    "CARD_SIZE",
    "LAYOUTS",
    "PNG_SIGNATURE",
    "Attachment",
    "BadgeFace",
    "CertificateFace",
    "FaceError",
    "NotAPng",
    "png_text",
    "png_with_text",
    "render_badge_card_png",
    "render_badge_png",
    "render_card_png",
    "render_pdf",
    "render_preview_png",
]
