"""Checks for uploaded files: what a file is, judged by its content alone.

The extension and the Content-Type a browser sends are the uploader's claims; the bytes
are what is stored and later decoded. Images (an organisation's logo, a program's banner)
must be PNG or JPEG within a size and a pixel budget, and must decode; SVG is refused (it
can carry scripts and links), and so is every image whose header promises more pixels
than the budget (a decompression bomb: a small file that decodes to gigabytes). Text files
(a CSV of a cohort) must be UTF-8 text, not a spreadsheet or another binary file.

Every refusal is an ``InvalidInput`` for the form field, with a message that says what is
wrong and what to upload instead.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, UnidentifiedImageError

from laurel.errors import InvalidInput

MEBIBYTE = 1024 * 1024
IMAGE_MAX_BYTES = 5 * MEBIBYTE
IMAGE_MAX_PIXELS = 25_000_000  # e.g. 5000 x 5000
IMAGE_MAX_SIDE = 10_000
SNIFF_BYTES = 8192

# Signatures of what a file is, by its first bytes.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # old Excel and Word files
    (b"\x00\x00\x01\x00", "ico"),
)

_NAMES = {
    "gif": "a GIF image",
    "pdf": "a PDF document",
    "zip": "a ZIP archive or an Excel/Word file",
    "gzip": "a compressed (gzip) file",
    "bmp": "a BMP image",
    "tiff": "a TIFF image",
    "ole": "an old-style Excel or Word file",
    "ico": "an icon file",
    "webp": "a WebP image",
    "avif": "an AVIF or HEIC image",
    "svg": "an SVG image",
    "html": "an HTML page",
}


def sniff(head: bytes) -> str | None:
    """What the content is, from its first bytes: ``png``, ``jpeg``, ``svg``, ``zip``…,
    or None when it is none of the kinds known here (plain text, for instance)."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        return "avif"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text[:4096] or (text.startswith(b"<?xml") and b"<svg" in text):
        return "svg"
    if text.startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


@dataclass(frozen=True)
class CheckedImage:
    """An uploaded image that passed: its kind as sniffed, the extension to store it
    under, and its size in pixels."""

    kind: str  # "png" or "jpeg"
    extension: str  # ".png" or ".jpg"
    width: int
    height: int


def _size_of(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    position = upload.tell()
    upload.seek(0, io.SEEK_END)
    end = upload.tell()
    upload.seek(position)
    return end


def _megabytes(size: int) -> str:
    return f"{size / MEBIBYTE:.1f} MB"


def image_upload_check(
    upload: IO[bytes],
    *,
    field: str,
    label: str,
    max_bytes: int = IMAGE_MAX_BYTES,
    max_pixels: int = IMAGE_MAX_PIXELS,
    max_side: int = IMAGE_MAX_SIDE,
) -> CheckedImage:
    """Check an uploaded image (a Django ``UploadedFile`` or any binary file object) and
    leave it rewound. Raises ``InvalidInput`` for ``field`` unless it is a PNG or JPEG of
    at most ``max_bytes`` bytes and ``max_pixels`` pixels that decodes."""
    size = _size_of(upload)
    if size == 0:
        raise InvalidInput.field(field, f"{label}: the file is empty. Choose a PNG or JPEG image.")
    if size > max_bytes:
        raise InvalidInput.field(
            field,
            f"{label}: the file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}."
            " Save it smaller (fewer pixels, or as JPEG) and upload it again.",
        )
    upload.seek(0)
    kind = sniff(upload.read(SNIFF_BYTES))
    upload.seek(0)
    if kind == "svg":
        raise InvalidInput.field(
            field,
            f"{label}: SVG images are not accepted, because they can carry scripts and"
            " links. Export it as PNG and upload that.",
        )
    if kind not in {"png", "jpeg"}:
        what = _NAMES.get(kind or "", "not an image Laurel can read")
        raise InvalidInput.field(
            field, f"{label}: this file is {what}. Upload a PNG or JPEG image."
        )
    width, height = _decoded_size(upload, field=field, label=label, max_pixels=max_pixels)
    upload.seek(0)
    if width > max_side or height > max_side:
        raise InvalidInput.field(
            field,
            f"{label}: the image is {width} by {height} pixels; no side may be longer than"
            f" {max_side} pixels.",
        )
    return CheckedImage(
        kind=kind, extension=".png" if kind == "png" else ".jpg", width=width, height=height
    )


def _decoded_size(upload: IO[bytes], *, field: str, label: str, max_pixels: int) -> tuple[int, int]:
    too_large = InvalidInput.field(
        field,
        f"{label}: the image has too many pixels (at most {max_pixels:,} are accepted)."
        " Scale it down and upload it again.",
    )
    unreadable = InvalidInput.field(
        field, f"{label}: the image is damaged or incomplete and cannot be read. Export it again."
    )
    with warnings.catch_warnings():
        # Pillow warns, rather than refuses, between its limit and twice it.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(upload) as image:
                # The header's promise, checked before a single pixel is decoded.
                width, height = image.size
                if width * height > max_pixels:
                    raise too_large
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise unreadable from None
    return width, height


def text_upload_check(
    upload: IO[bytes], *, field: str, label: str, max_bytes: int, what: str = "CSV file"
) -> None:
    """Check that an upload is plain UTF-8 text (a CSV file) of at most ``max_bytes``,
    reading only its beginning; leave it rewound. The reader of the whole file still
    reports a bad byte further on, with its line."""
    size = _size_of(upload)
    if size == 0:
        raise InvalidInput.field(field, f"{label}: the file is empty.")
    if size > max_bytes:
        raise InvalidInput.field(
            field,
            f"{label}: the file is {_megabytes(size)}; the limit is {_megabytes(max_bytes)}."
            " Split it into smaller files.",
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = sniff(head)
    if kind in {"zip", "ole"}:
        raise InvalidInput.field(
            field,
            f"{label}: this is a spreadsheet or another binary file, not a {what}. In your"
            " spreadsheet program, save it as “CSV UTF-8” and upload that.",
        )
    if kind is not None:
        raise InvalidInput.field(
            field, f"{label}: this file is {_NAMES.get(kind, 'not text')}, not a {what}."
        )
    if b"\x00" in head:
        raise InvalidInput.field(
            field,
            f"{label}: this file is not plain text (it may be UTF-16 or binary). Save it as"
            f" a UTF-8 {what} and upload that.",
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut in two at the end of what was read is fine.
        if error.start < len(head) - 3:
            raise InvalidInput.field(
                field,
                f"{label}: this file is not UTF-8 text. Save it as a UTF-8 {what}"
                " (“CSV UTF-8” in most spreadsheet programs) and upload that.",
            ) from None
