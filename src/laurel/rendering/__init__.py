"""Drawing issued certificates: an A4 PDF, a share card and a preview, with Typst."""

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
    "CARD_SIZE",
    "LAYOUTS",
    "PNG_SIGNATURE",
    "Attachment",
    "CertificateFace",
    "FaceError",
    "NotAPng",
    "png_text",
    "png_with_text",
    "render_card_png",
    "render_pdf",
    "render_preview_png",
]
