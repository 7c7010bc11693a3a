from __future__ import annotations

from typing import Any

from django import template

from laurel.certificates.models import IssuedCertificate
from laurel.verification.selectors import Sharing, sharing

register = template.Library()


@register.inclusion_tag("verification/_share.html")
def share_block(
    award: IssuedCertificate, *, share: Sharing | None = None, show_view: bool = True
) -> dict[str, Any]:
    """The holder's ways to pass a certificate on: files, link, LinkedIn."""
    return {
        "award": award,
        "share": share or sharing(award=award),
        "show_view": show_view,
    }
