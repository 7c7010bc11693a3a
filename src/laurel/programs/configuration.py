"""Settings of an organisation and of a program, as their admins change them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import IO, TypeVar

from django.core.files.base import File
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from laurel.accounts.models import User
from laurel.errors import Conflict, InvalidInput, NotFound
from laurel.layouts import LAYOUTS
from laurel.programs.events import ProgramKindChanged, record_changes
from laurel.programs.models import Organisation, PairingMember, Participant, Program
from laurel.uploads import MEBIBYTE, image_upload_check
from laurel.validation import clean_colour, clean_line

T = TypeVar("T")

LOGO_LIMITS = {"max_bytes": 2 * MEBIBYTE, "max_pixels": 4_000_000, "max_side": 4000}
BANNER_LIMITS = {"max_bytes": 5 * MEBIBYTE, "max_pixels": 16_000_000, "max_side": 8000}
_LINKEDIN_ID = re.compile(r"[0-9]{1,20}")
_LINKEDIN_PAGE = re.compile(r"linkedin\.com/company/([0-9]{1,20})/?", re.IGNORECASE)


def _administered(organisation: Organisation, by: User) -> None:
    # Another organisation's settings look the same as settings that do not exist.
    if not organisation.admins.filter(pk=by.pk).exists():
        raise NotFound("No such organisation.")


def _collect(
    errors: dict[str, list[str]], call: Callable[..., T], *args: object, **kwargs: object
) -> T | None:
    try:
        return call(*args, **kwargs)
    except InvalidInput as error:
        for field, messages in error.errors.items():
            errors.setdefault(field, []).extend(messages)
        return None


def _raise_if_any(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput("Some settings need correcting; see the fields marked.", errors=errors)


def linkedin_id_clean(value: object) -> str:
    """The LinkedIn organisation id: digits, or the company page's address that holds them."""
    text = clean_line(
        value, field="linkedin_organisation_id", label="LinkedIn organisation id",
        max_length=200, required=False,
    )  # fmt: skip
    if not text or _LINKEDIN_ID.fullmatch(text):
        return text
    page = _LINKEDIN_PAGE.search(text)
    if page:
        return page.group(1)
    raise InvalidInput.field(
        "linkedin_organisation_id",
        "The LinkedIn organisation id is the number in your LinkedIn page's admin address"
        " (linkedin.com/company/12345678/admin): enter 12345678.",
    )


def layout_clean(value: object) -> str:
    if not isinstance(value, str) or value not in LAYOUTS:
        known = ", ".join(str(label) for label in LAYOUTS.values())
        raise InvalidInput.field("certificate_layout", f"Choose one of the layouts: {known}.")
    return value


def organisation_update(
    *,
    organisation: Organisation,
    by: User,
    name: str,
    accent_colour: str,
    linkedin_organisation_id: str,
    certificate_layout: str,
    logo: IO[bytes] | None = None,
    remove_logo: bool = False,
    now: datetime | None = None,
) -> Organisation:
    """Change the organisation's name, logo, accent colour, LinkedIn id and default
    certificate layout, all or nothing. Certificates already issued keep what they froze."""
    _administered(organisation, by)
    errors: dict[str, list[str]] = {}
    clean_name = _collect(
        errors, clean_line, name, field="name", label="Organisation name", max_length=200
    )
    colour = _collect(
        errors, clean_colour, accent_colour, field="accent_colour", label="Accent colour"
    )
    linkedin = _collect(errors, linkedin_id_clean, linkedin_organisation_id)
    layout = _collect(errors, layout_clean, certificate_layout)
    checked = None
    if logo is not None:
        checked = _collect(
            errors, image_upload_check, logo, field="logo", label="Logo", **LOGO_LIMITS
        )
    _raise_if_any(errors)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        locked.name = str(clean_name)
        locked.accent_colour = str(colour)
        locked.linkedin_organisation_id = str(linkedin)
        locked.certificate_layout = str(layout)
        if logo is not None and checked is not None:
            # A new file name each time: issued certificates point at the old one.
            locked.logo.save(f"logo{checked.extension}", File(logo), save=False)
        elif remove_logo:
            locked.logo = ""
        locked.save()
    return locked


def _pairings_not_of_two(program: Program) -> int:
    return (
        PairingMember.objects.filter(pairing__program=program)
        .values("pairing_id")
        .annotate(members=Count("pk"))
        .exclude(members=2)
        .count()
    )


def _people_in_both_roles(program: Program) -> list[str]:
    both = (
        Participant.objects.filter(program=program)
        .values("user_id")
        .annotate(roles=Count("role", distinct=True))
        .filter(roles__gt=1)
        .values("user_id")
    )
    return list(
        User.objects.filter(pk__in=both).order_by("name", "pk").values_list("name", flat=True)
    )


def program_update(
    *,
    program: Program,
    by: User,
    name: str,
    kind: str,
    allow_both_roles: bool,
    banner: IO[bytes] | None = None,
    remove_banner: bool = False,
    now: datetime | None = None,
) -> Program:
    """Change the program's name, kind, banner and whether one person may hold both roles,
    all or nothing. A change the program's record (or, through ``ProgramKindChanged``, its
    certificates) cannot hold is refused with what stands in the way."""
    _administered(program.organisation, by)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    clean_name = _collect(
        errors, clean_line, name, field="name", label="Program name", max_length=200
    )
    if kind not in Program.Kind.values:
        errors.setdefault("kind", []).append("Choose 1:1, development or group.")
    checked = None
    if banner is not None:
        checked = _collect(
            errors, image_upload_check, banner, field="banner", label="Banner", **BANNER_LIMITS
        )
    _raise_if_any(errors)
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        old_kind = locked.kind
        if kind != old_kind and kind != Program.Kind.GROUP:
            odd = _pairings_not_of_two(locked)
            if odd:
                message = (
                    f"{odd} pairing{'s' if odd != 1 else ''} in this program"
                    f" {'have' if odd != 1 else 'has'} more or fewer than two members;"
                    " 1:1 and development programs pair exactly two people."
                )
                raise Conflict(message, errors={"kind": [message]})
        if not allow_both_roles and locked.allow_both_roles:
            both = _people_in_both_roles(locked)
            if both:
                shown = ", ".join(both[:5]) + (
                    f" and {len(both) - 5} more" if len(both) > 5 else ""
                )
                message = (
                    f"{len(both)} {'people are' if len(both) != 1 else 'person is'} both mentor"
                    f" and mentee here ({shown}); remove one of their roles first."
                )
                raise Conflict(message, errors={"allow_both_roles": [message]})
        locked.name = str(clean_name)
        locked.kind = kind
        locked.allow_both_roles = allow_both_roles
        if banner is not None and checked is not None:
            locked.banner.save(f"banner{checked.extension}", File(banner), save=False)
        elif remove_banner:
            locked.banner = ""
        locked.save()
        if kind != old_kind:
            record_changes.announce(
                ProgramKindChanged(program_id=locked.pk, old_kind=old_kind, new_kind=kind)
            )
    return locked
