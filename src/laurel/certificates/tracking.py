"""Track Progress: a program's people, searched, filtered and sorted, a page at a time.

The same filter is the selection of a bulk action ("award to all N that match"): the
award engine reads it as a subquery, so the people chosen never travel to the browser
and back. Everything reads the maintained progress table, never the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from laurel.certificates.models import (
    AuditEntry,
    CertificateDefinition,
    IssuedCertificate,
    Progress,
)
from laurel.programs.models import Participant

ROLES = ("mentor", "mentee")
STATES = ("earned", "not_earned", "revoked")
# Each sort ends with a unique column, so that the order is total and pages never overlap.
# The progress sorts follow the indexes (program, sessions_counting | sessions_completed),
# whose entries end with the row's id.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("user__name", "user_id"),
    "-name": ("-user__name", "-user_id"),
    "counting": ("sessions_counting", "pk"),
    "-counting": ("-sessions_counting", "-pk"),
    "completed": ("sessions_completed", "pk"),
    "-completed": ("-sessions_completed", "-pk"),
}
DEFAULT_SORT = "name"

ACTION_LABELS: dict[str, Any] = {
    AuditEntry.Action.AWARDED_MANUALLY: _("Awarded by an admin"),
    AuditEntry.Action.REVOKED: _("Revoked"),
    AuditEntry.Action.REINSTATED: _("Reinstated"),
    AuditEntry.Action.CORRECTED: _("Corrected"),
    AuditEntry.Action.REISSUED: _("Re-issued"),
}


@dataclass(frozen=True)
class TrackFilter:
    """Who Track Progress shows, and whom a bulk action over "all that match" reaches.

    ``state`` (``earned``: holds it valid; ``revoked``: holds it revoked; ``not_earned``:
    does not hold it at all) is about the certificate ``certificate_id``; the progress
    range is about counting sessions.
    """

    program_id: int
    search: str = ""
    role: str = ""
    min_sessions: int | None = None
    max_sessions: int | None = None
    certificate_id: int | None = None
    state: str = ""

    def described(self) -> dict[str, Any]:
        """The filter as the audit log keeps it: only what narrows it down."""
        return {
            name: value
            for name, value in (
                ("search", self.search),
                ("role", self.role),
                ("min_sessions", self.min_sessions),
                ("max_sessions", self.max_sessions),
                ("certificate_id", self.certificate_id),
                ("state", self.state),
            )
            if value not in ("", None)
        }


def _held(certificate_id: int, status: str | None = None) -> QuerySet[IssuedCertificate, Any]:
    """The people holding the certificate (current version), as a subquery of user ids."""
    held = IssuedCertificate.objects.filter(definition_id=certificate_id, is_current=True)
    if status is not None:
        held = held.filter(status=status)
    return held.values("user_id")


def tracked_people(selection: TrackFilter) -> QuerySet[Progress]:
    """Everyone in the program who matches, one progress row per person.

    Each condition on other tables is an uncorrelated ``IN (SELECT ...)``: the database
    reads the people with that role, or holding that certificate, once, rather than once
    for every person in the program.
    """
    people = Progress.objects.filter(program_id=selection.program_id)
    search = selection.search.strip()
    if search:
        people = people.filter(Q(user__name__icontains=search) | Q(user__email__icontains=search))
    if selection.role:
        people = people.filter(
            user_id__in=Participant.objects.filter(
                program_id=selection.program_id, role=selection.role
            ).values("user_id")
        )
    if selection.min_sessions is not None:
        people = people.filter(sessions_counting__gte=selection.min_sessions)
    if selection.max_sessions is not None:
        people = people.filter(sessions_counting__lte=selection.max_sessions)
    if selection.certificate_id is not None and selection.state:
        certificate = selection.certificate_id
        if selection.state == "earned":
            people = people.filter(user_id__in=_held(certificate, IssuedCertificate.Status.VALID))
        elif selection.state == "revoked":
            people = people.filter(user_id__in=_held(certificate, IssuedCertificate.Status.REVOKED))
        elif selection.state == "not_earned":
            people = people.exclude(user_id__in=_held(certificate))
    return people


@dataclass(frozen=True)
class SelectionFigures:
    """How many people a filter matches, and of them how many already hold a certificate
    (valid or revoked), and how many hold it revoked."""

    matched: int
    holding: int
    revoked: int


def selection_figures(*, selection: TrackFilter, certificate_id: int) -> SelectionFigures:
    figures = tracked_people(selection).aggregate(
        matched=Count("pk"),
        holding=Count("pk", filter=Q(user_id__in=_held(certificate_id))),
        revoked=Count(
            "pk",
            filter=Q(user_id__in=_held(certificate_id, IssuedCertificate.Status.REVOKED)),
        ),
    )
    return SelectionFigures(
        matched=figures["matched"] or 0,
        holding=figures["holding"] or 0,
        revoked=figures["revoked"] or 0,
    )


@dataclass(frozen=True)
class TrackCell:
    definition: CertificateDefinition
    award: IssuedCertificate | None
    sessions_counting: int


@dataclass(frozen=True)
class TrackRow:
    user_id: int
    participant_id: int
    name: str
    email: str
    roles: list[str]
    sessions_completed: int
    sessions_counting: int
    # Where the person stands towards each of the program's certificates, in order.
    cells: list[TrackCell] = field(default_factory=list)

    @property
    def missing_feedback_count(self) -> int:
        return self.sessions_completed - self.sessions_counting


@dataclass(frozen=True)
class TrackPage:
    selection: TrackFilter
    sort: str
    definitions: list[CertificateDefinition]
    rows: list[TrackRow]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def program_certificates(*, program_id: int) -> list[CertificateDefinition]:
    """The program's certificates in the order Track Progress shows them."""
    return list(
        CertificateDefinition.objects.filter(program_id=program_id).order_by(
            "-enabled", F("threshold").asc(nulls_last=True), "name", "pk"
        )
    )


def track_page(
    *,
    selection: TrackFilter,
    sort: str = DEFAULT_SORT,
    number: int = 1,
    per_page: int = 50,
    definitions: list[CertificateDefinition] | None = None,
) -> TrackPage:
    """One page of the people who match, with their roles and the certificates they hold.

    Six queries whatever the size of the program: the count, the page's ids, their
    details, their participations, their awards and the program's certificates. The ids
    are found from the narrowest rows that can be sorted (the progress table, and the
    name when sorting by it) and only the page's rows are read whole; a page past the
    middle is read from the other end, so that the last page costs what the first does.
    A page number past the end shows the last page.
    """
    people = tracked_people(selection)
    total = people.count()
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    sort = sort if sort in SORTS else DEFAULT_SORT
    start = (number - 1) * per_page
    size = max(0, min(per_page, total - start))
    if start + size / 2 <= total / 2:
        keys = list(
            people.order_by(*SORTS[sort]).values_list("pk", flat=True)[start : start + size]
        )
    else:
        backwards = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in SORTS[sort])
        from_end = total - start - size
        keys = list(
            people.order_by(*backwards).values_list("pk", flat=True)[from_end : from_end + size]
        )
        keys.reverse()
    found = {
        entry[0]: entry[1:]
        for entry in Progress.objects.filter(pk__in=keys).values_list(
            "pk", "user_id", "user__name", "user__email", "sessions_completed", "sessions_counting"
        )
    }
    entries = [found[key] for key in keys if key in found]
    user_ids = [entry[0] for entry in entries]
    first_participant: dict[int, int] = {}
    roles: dict[int, list[str]] = {}
    if user_ids:
        for user_id, participant_id, role in (
            Participant.objects.filter(program_id=selection.program_id, user_id__in=user_ids)
            .order_by("role", "pk")
            .values_list("user_id", "pk", "role")
        ):
            roles.setdefault(user_id, []).append(role)
            first_participant[user_id] = min(
                participant_id, first_participant.get(user_id, participant_id)
            )
    awards: dict[int, dict[int, IssuedCertificate]] = {}
    if user_ids:
        for award in IssuedCertificate.objects.filter(
            program_id=selection.program_id, user_id__in=user_ids, is_current=True
        ).only("pk", "definition_id", "user_id", "status", "issued_at", "public_id"):
            awards.setdefault(award.user_id, {})[award.definition_id] = award
    if definitions is None:
        definitions = program_certificates(program_id=selection.program_id)
    rows = [
        TrackRow(
            user_id=user_id,
            participant_id=first_participant.get(user_id, 0),
            name=name,
            email=email,
            roles=roles.get(user_id, []),
            sessions_completed=completed,
            sessions_counting=counting,
            cells=[TrackCell(d, awards.get(user_id, {}).get(d.pk), counting) for d in definitions],
        )
        for user_id, name, email, completed, counting in entries
    ]
    return TrackPage(
        selection=selection,
        sort=sort,
        definitions=definitions,
        rows=rows,
        total=total,
        number=number,
        per_page=per_page,
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a certificate's history, as its admin page lists it."""

    at: datetime
    action: str
    label: str
    actor: str
    via: str
    version: int | None
    data: dict[str, Any]


def award_versions(*, public_id: str) -> list[IssuedCertificate]:
    """Every version of the certificate with this public id, newest first."""
    return list(
        IssuedCertificate.objects.filter(public_id=public_id)
        .select_related("awarded_by")
        .order_by("-version")
    )


def award_history(*, versions: list[IssuedCertificate]) -> list[HistoryEntry]:
    """Who did what to the certificate and when, newest first: its award (from the first
    version) and every audit entry about any of its versions. One query."""
    if not versions:
        return []
    first = versions[-1]
    version_of = {v.pk: v.version for v in versions}
    entries = [
        HistoryEntry(
            at=entry.created_at,
            action=entry.action,
            label=str(ACTION_LABELS.get(entry.action, entry.action)),
            actor=entry.actor.name if entry.actor else "",
            via=entry.via,
            version=version_of.get(entry.award_id or 0),
            data=entry.data,
        )
        for entry in AuditEntry.objects.filter(award_id__in=list(version_of))
        .select_related("actor")
        .order_by("-created_at", "-id")
    ]
    awarded = HistoryEntry(
        at=first.created_at,
        action="awarded",
        label=str(
            _("Awarded by an admin")
            if first.method == IssuedCertificate.Method.MANUAL
            else _("Awarded automatically")
        ),
        actor=first.awarded_by.name if first.awarded_by else "",
        via="",
        version=first.version,
        data={},
    )
    return [*entries, awarded]
