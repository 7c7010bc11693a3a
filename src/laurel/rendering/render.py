"""Rendering a certificate face: the PDF, the share card and the preview."""

from __future__ import annotations

import datetime
import functools
import io
from dataclasses import dataclass

import segno
from django.utils import formats
from django.utils.translation import get_language, gettext
from PIL import Image

from laurel.rendering.engine import compile_template
from laurel.rendering.faces import CertificateFace
from laurel.rendering.fonts import CJK_FAMILIES, SANS, SCRIPT_FALLBACKS, SERIF
from laurel.rendering.inputs import text_inputs

CARD_SIZE = (1200, 627)  # the Open Graph / LinkedIn share image, in pixels
A4_LANDSCAPE_WIDTH_INCHES = 297 / 25.4


@functools.lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """The QR code for a verification URL, as SVG (cached: the PDF and PNGs share it)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", border=4, dark="#1B1B1F", light="#FFFFFF", xmldecl=False, nl=False
    )
    return out.getvalue().decode()


def _font_list(layout: str, cjk: str) -> str:
    first = SANS if layout == "modern" else SERIF
    regional = [CJK_FAMILIES[cjk], *(f for r, f in CJK_FAMILIES.items() if r != cjk)]
    return "|".join([first, *SCRIPT_FALLBACKS, *regional])


def template_inputs(face: CertificateFace) -> dict[str, str]:
    inputs = text_inputs(face)
    inputs.update(
        fonts=_font_list(inputs["layout"], inputs["cjk"]),
        qr=qr_svg(face.verify_url),
        issued_on=formats.date_format(face.issued_on, "DATE_FORMAT"),
        lang=(get_language() or "en").split("-")[0],
        label_presented=gettext("This certificate is presented to"),
        label_issued=gettext("Issued on"),
        label_verify=gettext("Verify at"),
        label_id=gettext("Certificate ID"),
    )
    return inputs


def _images(face: CertificateFace) -> dict[str, bytes | None]:
    return {"banner": face.banner, "logo": face.logo}


def _issued_timestamp(face: CertificateFace) -> int:
    """The PDF's creation date: the day the certificate was issued, midnight UTC."""
    moment = datetime.datetime.combine(face.issued_on, datetime.time(), tzinfo=datetime.UTC)
    return int(moment.timestamp())


@dataclass(frozen=True)
class Attachment:
    """A text file carried inside a PDF (an embedded file, listed by PDF readers)."""

    name: str
    text: str
    mime_type: str
    description: str


def render_pdf(face: CertificateFace, *, attachment: Attachment | None = None) -> bytes:
    """The certificate as an A4 landscape PDF, with every font it uses embedded, and the
    attachment, if any, as an embedded file."""
    inputs = template_inputs(face)
    if attachment is not None:
        inputs.update(
            attachment=attachment.text,
            attachment_name=attachment.name,
            attachment_type=attachment.mime_type,
            attachment_description=attachment.description,
        )
    return compile_template(
        "certificate.typ",
        inputs,
        images=_images(face),
        timestamp=_issued_timestamp(face),
        format="pdf",
    )


def render_card_png(face: CertificateFace) -> bytes:
    """The 1200 x 627 share card shown when the certificate's link is posted."""
    # At 72 pixels per inch one typographic point is one pixel, so the card's page size
    # in points is its size in pixels.
    return compile_template(
        "card.typ",
        template_inputs(face),
        images=_images(face),
        timestamp=_issued_timestamp(face),
        format="png",
        ppi=72,
    )


def render_preview_png(face: CertificateFace, *, width: int = 800) -> bytes:
    """The certificate page as a PNG `width` pixels wide."""
    if width < 50 or width > 6000:
        raise ValueError(f"A preview is between 50 and 6000 pixels wide; got {width}.")
    ppi = width / A4_LANDSCAPE_WIDTH_INCHES
    png = compile_template(
        "certificate.typ",
        template_inputs(face),
        images=_images(face),
        timestamp=_issued_timestamp(face),
        format="png",
        ppi=ppi,
    )
    with Image.open(io.BytesIO(png)) as image:
        if image.width == width:
            return png
        # Typst rounds the page to whole pixels; scale the last pixel away.
        height = round(image.height * width / image.width)
        out = io.BytesIO()
        image.resize((width, height), Image.Resampling.LANCZOS).save(out, format="PNG")
        return out.getvalue()
