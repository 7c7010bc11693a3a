"""A CSV file as it arrives (an upload, a file on disk): checked to be UTF-8 text before any
of it is imported, and then read as a stream of text.

The check reads the file once, in pieces, so that a large file costs no memory; what is
not CSV text (a spreadsheet saved in its own format, a PDF, an image, UTF-16 text) is
refused with a message that says how to export the file properly.
"""

from __future__ import annotations

import codecs
import io
from typing import IO

from django.utils.translation import gettext as _

from laurel.errors import InvalidInput

CHUNK_BYTES = 64 * 1024

# The first bytes of formats people upload by mistake, and what each is.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel or OpenDocument workbook (or another zip archive)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)
_UTF16_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)
_EXPORT_HINT = "Export the sheet as “CSV UTF-8 (comma delimited)” and upload that file."


def _refuse(message: str, field: str) -> InvalidInput:
    return InvalidInput.field(field, message)


def csv_text_check(binary: IO[bytes], *, field: str = "file") -> None:
    """Raise ``InvalidInput`` on ``field`` unless the file is UTF-8 text (with or without a
    byte order mark) with no NUL bytes; the file is read to its end and rewound."""
    binary.seek(0)
    head = binary.read(CHUNK_BYTES)
    if not head:
        raise _refuse(_("The file is empty; it needs a header row and at least one row."), field)
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise _refuse(
                _("This is %(what)s, not a CSV file. %(hint)s")
                % {"what": what, "hint": _EXPORT_HINT},
                field,
            )
    if head.startswith(_UTF16_MARKS):
        raise _refuse(
            _("The file is saved as UTF-16 text; save it as UTF-8. %(hint)s")
            % {"hint": _EXPORT_HINT},
            field,
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk, offset = head, 0
    while chunk:
        if b"\x00" in chunk:
            raise _refuse(
                _("The file holds binary data, not text. %(hint)s") % {"hint": _EXPORT_HINT},
                field,
            )
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            raise _refuse(
                _(
                    "The file is not UTF-8 text (byte %(position)s cannot be read); it was"
                    " probably saved in another encoding. %(hint)s"
                )
                % {"position": f"{offset + error.start + 1:,}", "hint": _EXPORT_HINT},
                field,
            ) from None
        offset += len(chunk)
        chunk = binary.read(CHUNK_BYTES)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _refuse(
            _("The file ends in the middle of a character; it is not complete UTF-8 text."),
            field,
        ) from None
    binary.seek(0)


def csv_text(binary: IO[bytes], *, field: str = "file") -> IO[str]:
    """The file, checked (``csv_text_check``), as text for the CSV reader: UTF-8, a byte
    order mark left out, line endings as the file has them (the reader needs them)."""
    csv_text_check(binary, field=field)
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
