"""The layouts a certificate can be printed in.

Kept below the record so that an organisation can name its default layout; the renderer
(``laurel.rendering``) draws each of them.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LAYOUTS: dict[str, str | Promise] = {
    "classic": _("Classic"),
    "modern": _("Modern"),
}
DEFAULT_LAYOUT = "classic"
