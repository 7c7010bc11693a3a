"""Text carried inside rendered files: a PNG ``iTXt`` chunk, read back the same way.

Open Badges bakes a credential into an image as an uncompressed ``iTXt`` chunk whose
keyword names what it holds (``openbadgecredential``). Nothing here knows what the text
means; the caller chooses the keyword and the text.
"""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A compressed chunk is inflated up to this size, so that a small file cannot expand
# into gigabytes.
MAX_TEXT_BYTES = 1024 * 1024


class NotAPng(ValueError):
    pass


def _chunks(png: bytes) -> list[tuple[int, bytes, bytes]]:
    """(offset, type, data) of every chunk, checking the structure (not the CRCs)."""
    if not png.startswith(PNG_SIGNATURE):
        raise NotAPng("not a PNG file")
    found = []
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 8 > len(png):
            raise NotAPng("truncated chunk header")
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise NotAPng("truncated chunk")
        found.append((offset, kind, png[offset + 8 : offset + 8 + length]))
        offset = end
        if kind == b"IEND":
            break
    if not found or found[0][1] != b"IHDR" or found[-1][1] != b"IEND":
        raise NotAPng("a PNG starts with IHDR and ends with IEND")
    return found


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _itxt_keyword(data: bytes) -> bytes:
    return data.split(b"\x00", 1)[0]


def png_with_text(png: bytes, *, keyword: str, text: str) -> bytes:
    """The PNG with one uncompressed ``iTXt`` chunk holding ``text`` under ``keyword``,
    placed before the image data so that readers find it without decoding the image. A
    chunk already there under the same keyword is replaced: there is only ever one."""
    name = keyword.encode("latin-1")
    if not 1 <= len(name) <= 79 or b"\x00" in name:
        raise ValueError("A PNG text keyword is 1 to 79 Latin-1 characters.")
    # keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty
    # translated keyword, NUL, then the UTF-8 text.
    chunk = _chunk(b"iTXt", name + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))
    parts = [PNG_SIGNATURE]
    inserted = False
    for offset, kind, data in _chunks(png):
        if kind == b"iTXt" and _itxt_keyword(data) == name:
            continue
        if kind == b"IDAT" and not inserted:
            parts.append(chunk)
            inserted = True
        parts.append(png[offset : offset + 12 + len(data)])
    if not inserted:
        raise NotAPng("a PNG has image data")
    return b"".join(parts)


def png_text(png: bytes, *, keyword: str) -> str | None:
    """The text of the ``iTXt`` chunk under ``keyword`` (compressed or not), else None."""
    name = keyword.encode("latin-1")
    for _offset, kind, data in _chunks(png):
        if kind != b"iTXt" or _itxt_keyword(data) != name:
            continue
        rest = data[len(name) + 1 :]
        if len(rest) < 2:
            raise NotAPng("malformed iTXt chunk")
        compressed, _method = rest[0], rest[1]
        # Language tag and translated keyword, each ended by NUL.
        fields = rest[2:].split(b"\x00", 2)
        if len(fields) != 3:
            raise NotAPng("malformed iTXt chunk")
        body = fields[2]
        if compressed:
            inflate = zlib.decompressobj()
            try:
                body = inflate.decompress(body, MAX_TEXT_BYTES)
            except zlib.error:
                raise NotAPng("the iTXt chunk's text does not decompress") from None
            if inflate.unconsumed_tail:
                raise NotAPng("the iTXt chunk's text is too long")
        return body.decode("utf-8")
    return None
