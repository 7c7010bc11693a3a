"""What is printed on a certificate, and the layouts it can be printed in."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from laurel.layouts import DEFAULT_LAYOUT, LAYOUTS

__all__ = ["DEFAULT_LAYOUT", "LAYOUTS", "CertificateFace"]


@dataclass(frozen=True)
class CertificateFace:
    """Everything printed on one issued certificate version (its frozen fields)."""

    recipient_name: str
    certificate_name: str
    text: str  # merge fields already filled in
    colour: str  # "#RRGGBB" accent colour
    organisation_name: str
    program_name: str
    issued_on: datetime.date
    verify_url: str  # the short public URL; also what the QR code holds
    certificate_id: str  # the public id, printed small
    banner: bytes | None = None  # program banner image (PNG or JPEG), or None
    logo: bytes | None = None  # organisation logo image (PNG or JPEG), or None
    layout: str = DEFAULT_LAYOUT  # a key of LAYOUTS
