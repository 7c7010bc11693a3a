"""Reads for the public face of an issued certificate: lookup, files, sharing links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from laurel.certificates.models import IssuedCertificate
from laurel.rendering import CertificateFace
from laurel.verification.models import RenderedFile

# What the award engine issues: 128 random bits as 32 lowercase hex digits.
PUBLIC_ID = re.compile(r"[0-9a-f]{32}")
# Looked up in place of an id that cannot be one: it can never match, costs the same
# query as an unknown id, and keeps characters some databases refuse (PostgreSQL refuses
# NUL) away from the query.
_NO_SUCH_ID = "-" * 32

LINKEDIN_SHARE = "https://www.linkedin.com/sharing/share-offsite/"
LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def current_award(*, public_id: str) -> IssuedCertificate | None:
    """The current version of the certificate with this public id, public or not.

    Well-formed, malformed, unknown: every id is looked up the same way, so that the
    answer takes the same time whichever it is.
    """
    key = public_id if PUBLIC_ID.fullmatch(public_id) else _NO_SUCH_ID
    return IssuedCertificate.objects.filter(public_id=key, is_current=True).first()


def rendered_files(*, award: IssuedCertificate) -> dict[str, RenderedFile]:
    """The files of this version rendered so far, by kind."""
    return {f.kind: f for f in RenderedFile.objects.filter(award=award)}


def public_url(*, public_id: str) -> str:
    return settings.SITE_URL + reverse("verification:page", args=[public_id])


def certificate_face(*, award: IssuedCertificate) -> CertificateFace:
    """What the renderer draws, from the frozen copy of this version only."""
    return CertificateFace(
        recipient_name=award.recipient_name,
        certificate_name=award.name,
        text=award.text,
        colour=award.colour,
        organisation_name=award.organisation_name,
        program_name=award.program_name,
        issued_on=timezone.localdate(award.issued_at),
        verify_url=public_url(public_id=award.public_id),
        certificate_id=award.public_id,
        banner=stored_bytes(award.banner),
        logo=stored_bytes(award.logo),
        layout=award.layout,
    )


def stored_bytes(name: str) -> bytes | None:
    if not name:
        return None
    with default_storage.open(name, "rb") as stored:
        data: bytes = stored.read()
    return data


@dataclass(frozen=True)
class Description:
    """How the page, and the card that links to it, describe the certificate."""

    title: str
    summary: str
    image_alt: str


def description(*, award: IssuedCertificate) -> Description:
    values = {
        "name": award.name,
        "recipient": award.recipient_name,
        "organisation": award.organisation_name,
        "program": award.program_name,
        "date": date_format(timezone.localdate(award.issued_at), "j F Y"),
    }
    return Description(
        title=_("%(name)s awarded to %(recipient)s") % values,
        summary=_(
            "%(recipient)s earned the %(name)s in %(program)s, issued by %(organisation)s"
            " on %(date)s."
        )
        % values,
        image_alt=_("The certificate “%(name)s” awarded to %(recipient)s by %(organisation)s.")
        % values,
    )


@dataclass(frozen=True)
class ProfileFields:
    """What LinkedIn's "Add licence or certification" form asks for."""

    name: str
    organisation_name: str
    issue_year: int
    issue_month: int
    certificate_url: str
    certificate_id: str


@dataclass(frozen=True)
class Sharing:
    """Every way the holder can pass a certificate on."""

    page_url: str
    public_url: str
    pdf_url: str
    image_url: str
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


def file_url(*, public_id: str, kind: str, files: dict[str, RenderedFile] | None = None) -> str:
    """The address of a file; the URL names are the kinds."""
    url = reverse(f"verification:{RenderedFile.Kind(kind).value}", args=[public_id])
    # A URL carrying the content hash can be cached for good; without one, it is the
    # address of whatever the current version is.
    if files and kind in files:
        url += "?v=" + files[kind].version_tag
    return url


def sharing(*, award: IssuedCertificate, files: dict[str, RenderedFile] | None = None) -> Sharing:
    url = public_url(public_id=award.public_id)
    issued_on = timezone.localdate(award.issued_at)
    profile = ProfileFields(
        name=award.name,
        # Laurel has no LinkedIn organisation id to give yet, so LinkedIn gets the name.
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
    return Sharing(
        page_url=reverse("verification:page", args=[award.public_id]),
        public_url=url,
        pdf_url=file_url(public_id=award.public_id, kind=RenderedFile.Kind.PDF, files=files),
        image_url=file_url(public_id=award.public_id, kind=RenderedFile.Kind.CARD, files=files),
        linkedin_post_url=f"{LINKEDIN_SHARE}?{urlencode({'url': url}, quote_via=quote)}",
        linkedin_add_url=f"{LINKEDIN_ADD_TO_PROFILE}?{add_query}",
        profile=profile,
    )
