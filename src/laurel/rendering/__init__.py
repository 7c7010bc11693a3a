"""Drawing issued certificates: an A4 PDF, a share card and a preview, with Typst."""

from laurel.rendering.faces import LAYOUTS, CertificateFace
from laurel.rendering.inputs import FaceError
from laurel.rendering.render import CARD_SIZE, render_card_png, render_pdf, render_preview_png

__all__ = [
    "CARD_SIZE",
    "LAYOUTS",
    "CertificateFace",
    "FaceError",
    "render_card_png",
    "render_pdf",
    "render_preview_png",
]
