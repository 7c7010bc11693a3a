"""One Typst compiler per process, with its fonts and a private compile root.

Loading the fonts takes a few hundred milliseconds; a warm compile takes a few. So the
compiler is made once, on first use, and shared. Its root is a private temporary folder
holding only the templates and the images of the certificates being rendered: Typst cannot
read anything outside it.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import Literal

import typst
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from laurel.rendering.fonts import font_directories
from laurel.rendering.inputs import FaceError

TEMPLATES = (
    "common.typ",
    "certificate.typ",
    "card.typ",
    "badge_common.typ",
    "badge.typ",
    "badge_card.typ",
)
# Images are scaled down to what print at 300 dpi needs: a banner spans at most 297 mm
# and a logo is at most a few centimetres, so larger uploads only slow rendering down.
# A badge's own image is shown at most 600 pixels square (1200 on a high-density screen).
IMAGE_LIMITS = {"banner": (3200, 1000), "logo": (1000, 600), "badge": (1200, 1200)}
_IMAGES_KEPT = 64


class _Engine:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.root = Path(tempfile.mkdtemp(prefix="laurel-typst-"))
        atexit.register(shutil.rmtree, self.root, ignore_errors=True)
        source = resources.files("laurel.rendering") / "typst"
        for name in TEMPLATES:
            (self.root / name).write_bytes((source / name).read_bytes())
        (self.root / "img").mkdir()
        fonts = typst.Fonts(
            include_system_fonts=False,
            include_embedded_fonts=False,
            font_paths=[str(path) for path in font_directories()],
        )
        self.compiler = typst.Compiler(
            root=str(self.root), font_paths=fonts, ignore_system_fonts=True
        )
        self.images: OrderedDict[str, str] = OrderedDict()

    def image_path(self, data: bytes, *, kind: str) -> str:
        """The path, inside the root, of a print-ready copy of an uploaded image."""
        key = hashlib.sha256(data).hexdigest() + "-" + kind
        if key in self.images:
            self.images.move_to_end(key)
            return self.images[key]
        name, prepared = _prepared_image(data, kind=kind, key=key)
        (self.root / "img" / name).write_bytes(prepared)
        path = "/img/" + name
        self.images[key] = path
        while len(self.images) > _IMAGES_KEPT:
            _, old = self.images.popitem(last=False)
            (self.root / old.lstrip("/")).unlink(missing_ok=True)
        return path

    def compile(
        self,
        template: str,
        inputs: dict[str, str],
        *,
        format: Literal["pdf", "png"],
        ppi: float,
        timestamp: int,
    ) -> bytes:
        result = self.compiler.compile(
            input=str(self.root / template),
            format=format,
            ppi=ppi,
            sys_inputs=inputs,
            # The PDF's creation date: fixed by the caller, so the same certificate always
            # renders to the same bytes.
            timestamp=timestamp,
        )
        if isinstance(result, list):  # one image per page; a certificate has one page
            result = result[0]
        assert isinstance(result, bytes)
        return result


def _prepared_image(data: bytes, *, kind: str, key: str) -> tuple[str, bytes]:
    unreadable = {
        "banner": gettext("The banner is not a readable PNG or JPEG image."),
        "logo": gettext("The logo is not a readable PNG or JPEG image."),
        "badge": gettext("The badge image is not a readable PNG or JPEG image."),
    }[kind]
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in ("PNG", "JPEG"):
                message = {
                    "banner": gettext("The banner is a %(format)s image; use a PNG or JPEG file."),
                    "logo": gettext("The logo is a %(format)s image; use a PNG or JPEG file."),
                    "badge": gettext(
                        "The badge image is a %(format)s image; use a PNG or JPEG file."
                    ),
                }[kind]
                raise FaceError(message % {"format": opened.format or gettext("unknown")})
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise FaceError(unreadable) from error
    image.thumbnail(IMAGE_LIMITS[kind])
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image.save(out, format="PNG", optimize=False)
        return key + ".png", out.getvalue()
    image.convert("RGB").save(out, format="JPEG", quality=90)
    return key + ".jpg", out.getvalue()


_engine: _Engine | None = None
_lock = threading.Lock()


def engine() -> _Engine:
    global _engine
    # A forked worker makes its own (the parent may remove its folder on exit), and so
    # does a process whose temporary folder was cleaned away under it.
    if _engine is None or _engine.pid != os.getpid() or not _engine.root.is_dir():
        _engine = _Engine()
    return _engine


def compile_template(
    template: str,
    inputs: dict[str, str],
    *,
    images: dict[str, bytes | None],
    timestamp: int,
    format: Literal["pdf", "png"],
    ppi: float = 144,
) -> bytes:
    # One compile at a time: the compiler is not built for concurrent use, and a process
    # renders one certificate after another anyway.
    with _lock:
        current = engine()
        for kind, data in images.items():
            inputs[kind] = current.image_path(data, kind=kind) if data else ""
        try:
            return current.compile(template, inputs, format=format, ppi=ppi, timestamp=timestamp)
        except typst.TypstError as error:
            # Only our own templates are compiled, so this is a bug, never bad input.
            raise RuntimeError(
                f"Certificate template failed: {error.message}\n{error.diagnostic}"
            ) from error
