"""Reads for the public face of an issued badge: lookup, files, description, sharing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from laurel.badges.models import IssuedBadge
from laurel.credentials.documents import badge_criteria
from laurel.rendering import BadgeFace
from laurel.verification.models import BadgeFile
from laurel.verification.selectors import (
    LINKEDIN_ADD_TO_PROFILE,
    LINKEDIN_SHARE,
    ProfileFields,
    stored_bytes,
)

# Letters, digits, "-" and "_": what a random public id is made of, whichever encoding.
PUBLIC_ID = re.compile(r"[0-9A-Za-z_-]{16,32}")
_NO_SUCH_ID = "." * 32


def badge_award(*, public_id: str) -> IssuedBadge | None:
    """The issued badge with this public id, public or not.

    Well-formed, malformed, unknown: every id is looked up the same way, so that the
    answer takes the same time whichever it is.
    """
    key = public_id if PUBLIC_ID.fullmatch(public_id) else _NO_SUCH_ID
    return IssuedBadge.objects.filter(public_id=key).first()


def badge_files(*, award: IssuedBadge) -> dict[str, BadgeFile]:
    """The files of this badge rendered so far, by kind."""
    return {f.kind: f for f in BadgeFile.objects.filter(award=award)}


def badge_public_url(*, public_id: str) -> str:
    return settings.SITE_URL + reverse("verification:badge_page", args=[public_id])


def badge_face(*, award: IssuedBadge) -> BadgeFace:
    """What the renderer draws, from the frozen copy only."""
    return BadgeFace(
        badge_name=award.name,
        recipient_name=award.recipient_name,
        organisation_name=award.organisation_name,
        colour=award.colour,
        issued_on=timezone.localdate(award.issued_at),
        verify_url=badge_public_url(public_id=award.public_id),
        image=stored_bytes(award.image),
    )


@dataclass(frozen=True)
class BadgeDescription:
    """How the page, and the card that links to it, describe the badge."""

    title: str
    summary: str
    criteria: str
    image_alt: str
    card_alt: str


def badge_description(*, award: IssuedBadge) -> BadgeDescription:
    values = {
        "name": award.name,
        "recipient": award.recipient_name,
        "organisation": award.organisation_name,
        "date": date_format(timezone.localdate(award.issued_at), "j F Y"),
    }
    return BadgeDescription(
        title=_("%(name)s badge earned by %(recipient)s") % values,
        summary=_("%(recipient)s earned the %(name)s badge from %(organisation)s on %(date)s.")
        % values,
        criteria=badge_criteria(award),
        image_alt=_("The badge “%(name)s” of %(organisation)s.") % values,
        card_alt=_("The badge “%(name)s” earned by %(recipient)s from %(organisation)s.") % values,
    )


@dataclass(frozen=True)
class BadgeSharing:
    """Every way the holder can pass a badge on."""

    page_url: str
    public_url: str
    image_url: str
    card_url: str
    credential_url: str
    linkedin_post_url: str
    linkedin_add_url: str
    profile: ProfileFields

    @property
    def profile_rows(self) -> list[tuple[str, str]]:
        """The profile fields as LinkedIn's form labels them, for copying by hand."""
        p = self.profile
        return [
            (_("Name"), p.name),
            (_("Issuing organisation"), p.organisation_name),
            (_("Issue date"), date_format(date(p.issue_year, p.issue_month, 1), "F Y")),
            (_("Credential ID"), p.certificate_id),
            (_("Credential URL"), p.certificate_url),
        ]


def badge_file_url(*, public_id: str, kind: str, files: dict[str, BadgeFile] | None = None) -> str:
    """The address of a badge's file; a content hash (``?v=``) makes it cacheable for good."""
    name = {BadgeFile.Kind.IMAGE: "badge_image", BadgeFile.Kind.CARD: "badge_card"}[
        BadgeFile.Kind(kind)
    ]
    url = reverse(f"verification:{name}", args=[public_id])
    if files and kind in files:
        url += "?v=" + files[kind].version_tag
    return url


def badge_sharing(*, award: IssuedBadge, files: dict[str, BadgeFile] | None = None) -> BadgeSharing:
    url = badge_public_url(public_id=award.public_id)
    issued_on = timezone.localdate(award.issued_at)
    profile = ProfileFields(
        name=award.name,
        organisation_name=award.organisation_name,
        issue_year=issued_on.year,
        issue_month=issued_on.month,
        certificate_url=url,
        certificate_id=award.public_id,
    )
    add_query = urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": profile.name,
            "organizationName": profile.organisation_name,
            "issueYear": profile.issue_year,
            "issueMonth": profile.issue_month,
            "certUrl": profile.certificate_url,
            "certId": profile.certificate_id,
        },
        quote_via=quote,
    )
    return BadgeSharing(
        page_url=reverse("verification:badge_page", args=[award.public_id]),
        public_url=url,
        image_url=badge_file_url(public_id=award.public_id, kind=BadgeFile.Kind.IMAGE, files=files),
        card_url=badge_file_url(public_id=award.public_id, kind=BadgeFile.Kind.CARD, files=files),
        credential_url=reverse("credentials:badge_credential", args=[award.public_id]),
        linkedin_post_url=f"{LINKEDIN_SHARE}?{urlencode({'url': url}, quote_via=quote)}",
        linkedin_add_url=f"{LINKEDIN_ADD_TO_PROFILE}?{add_query}",
        profile=profile,
    )
