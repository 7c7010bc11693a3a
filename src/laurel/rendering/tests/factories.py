"""Small builders and readers for the rendering tests."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
from typing import Any

import pypdf
from fontTools.ttLib import TTCollection, TTFont
from PIL import Image, ImageDraw
from pypdf.generic import ContentStream, TextStringObject

from laurel.rendering import CertificateFace
from laurel.rendering.fonts import font_directories

VERIFY_URL = "https://laurel.example.org/c/k3J9xQ2mZp7Lw4Rt8vYb1N"


def png_image(size: tuple[int, int] = (800, 200), colour: str = "#2D6A4F") -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((size[0] // 3, 0, size[0], size[1]), fill="#F4A261")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def make_face(**overrides: Any) -> CertificateFace:
    fields: dict[str, Any] = {
        "recipient_name": "Zoë Ångström",
        "certificate_name": "Mentor of the Season",
        "text": "In recognition of completing 12 mentoring sessions in the Spring cohort.",
        "colour": "#2D6A4F",
        "organisation_name": "Open Source Mentors Guild",
        "program_name": "Spring 2026 Cohort",
        "issued_on": datetime.date(2026, 11, 29),
        "verify_url": VERIFY_URL,
        "certificate_id": "k3J9xQ2mZp7Lw4Rt8vYb1N",
        "banner": None,
        "logo": None,
        "layout": "classic",
    }
    fields.update(overrides)
    return CertificateFace(**fields)


def replace(face: CertificateFace, **changes: Any) -> CertificateFace:
    return dataclasses.replace(face, **changes)


@dataclasses.dataclass
class PrintedText:
    """What a PDF page prints: its fonts, the glyphs each drew, and their characters."""

    fonts_used: set[str]  # base font names, without the subset prefix
    notdef_glyphs: int  # glyph id 0 drawn: a character no font had
    characters: set[str]  # characters the drawn glyphs stand for (ToUnicode)


def _font_family_key(postscript_name: str) -> str:
    return postscript_name.split("+")[-1].split("-")[0]


_coverage: dict[str, set[str]] = {}


def shipped_font_coverage() -> dict[str, set[str]]:
    """Characters each shipped font family has glyphs for, keyed like the PDF's font names."""
    if not _coverage:
        for folder in font_directories():
            for path in sorted(folder.iterdir()):
                if path.suffix == ".ttc":
                    faces = list(TTCollection(str(path)).fonts)
                elif path.suffix in (".ttf", ".otf"):
                    faces = [TTFont(str(path))]
                else:
                    continue
                for face in faces:
                    key = _font_family_key(str(face["name"].getDebugName(6)))
                    chars = {chr(code) for code in face.getBestCmap()}
                    _coverage.setdefault(key, set()).update(chars)
    return _coverage


def covered_by_fonts_used(printed: PrintedText) -> set[str]:
    coverage = shipped_font_coverage()
    covered: set[str] = set()
    for font in printed.fonts_used:
        covered |= coverage.get(_font_family_key(font), set())
    return covered


def _to_unicode(font: Any) -> dict[int, str]:
    cmap: dict[int, str] = {}
    stream = font.get("/ToUnicode")
    if stream is None:
        return cmap
    data = stream.get_object().get_data().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            cmap[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, dst in re.findall(
            r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = bytes.fromhex(dst).decode("utf-16-be")
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                cmap[code] = start[:-1] + chr(ord(start[-1]) + offset)
    return cmap


def printed_text(pdf: bytes) -> PrintedText:
    """Walk every page's content stream (and the forms it draws), as a PDF viewer would.

    Typst writes text in Type0 fonts whose two-byte codes are glyph ids, so glyph 0
    (.notdef, the empty box) is a character that no font could draw.
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    result = PrintedText(fonts_used=set(), notdef_glyphs=0, characters=set())

    def walk(stream_owner: Any, resources: Any) -> None:
        fonts = resources.get("/Font", {}) if resources else {}
        fonts = fonts.get_object() if hasattr(fonts, "get_object") else fonts
        content = ContentStream(stream_owner, reader)
        font: Any = None
        cmap: dict[int, str] = {}
        for operands, operator in content.operations:
            if operator == b"Tf":
                font = fonts[operands[0]].get_object()
                cmap = _to_unicode(font)
                result.fonts_used.add(str(font["/BaseFont"]).split("+")[-1])
            elif operator in (b"Tj", b"TJ", b"'", b'"'):
                pieces = operands[0] if operator == b"TJ" else [operands[-1]]
                for piece in pieces:
                    if isinstance(piece, TextStringObject):
                        raw = piece.get_original_bytes()
                    elif isinstance(piece, bytes):
                        raw = piece
                    else:
                        continue  # a kerning adjustment
                    for i in range(0, len(raw) - 1, 2):
                        code = int.from_bytes(raw[i : i + 2], "big")
                        if code == 0:
                            result.notdef_glyphs += 1
                        result.characters.update(cmap.get(code, ""))
            elif operator == b"Do":
                xobjects = resources.get("/XObject", {}).get_object()
                target = xobjects[operands[0]].get_object()
                if target.get("/Subtype") == "/Form":
                    walk(target, target.get("/Resources", resources))

    for page in reader.pages:
        walk(page.get_contents(), page.get("/Resources"))
    return result


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)
