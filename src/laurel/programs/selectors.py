"""Reads of the mentorship record, as organisation admins see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Q

from laurel.accounts.models import User
from laurel.programs.models import Feedback, Pairing, PairingMember, Participant, Program, Session


def program_administered_by(*, program_id: int, user_id: int) -> Program | None:
    """The program, if this person administers its organisation; otherwise None.

    Another organisation's program and a program that does not exist look the same.
    """
    return (
        Program.objects.select_related("organisation")
        .filter(pk=program_id, organisation__admins__id=user_id)
        .first()
    )


# --- the console's pages about people and pairings --------------------------------------

PAGE_SIZE = 50
CHOICES = 50


def _matching(query: str, *, name: str, email: str) -> Q:
    """People whose name or email address contains ``query`` (any letter case)."""
    return Q(**{f"{name}__icontains": query}) | Q(**{f"{email}__icontains": query.lower()})


@dataclass(frozen=True)
class PersonInProgram:
    user_id: int
    name: str
    email: str
    roles: list[str]
    pairings: int
    joined_at: datetime | None


@dataclass(frozen=True)
class PeoplePage:
    page: Page[Any]
    people: list[PersonInProgram]


def people_in_program(
    *, program: Program, query: str = "", page_number: str | None = None
) -> PeoplePage:
    """The program's people, one row per person with their roles, by name, a page at a
    time; ``query`` narrows them to names and addresses that contain it. A few queries for
    any page of any program."""
    users = User.objects.filter(
        pk__in=Participant.objects.filter(program=program).values("user_id")
    )
    if query:
        users = users.filter(_matching(query, name="name", email="email"))
    page = Paginator(
        users.order_by("name", "pk").values_list("pk", "name", "email"), PAGE_SIZE
    ).get_page(page_number)
    ids = [pk for pk, _name, _email in page.object_list]
    roles: dict[int, list[str]] = {}
    joined: dict[int, datetime] = {}
    for user_id, role, joined_at in (
        Participant.objects.filter(program=program, user_id__in=ids)
        .order_by("role")
        .values_list("user_id", "role", "joined_at")
    ):
        roles.setdefault(user_id, []).append(role)
        joined[user_id] = min(joined.get(user_id, joined_at), joined_at)
    pairings = dict(
        PairingMember.objects.filter(pairing__program=program, user_id__in=ids)
        .values("user_id")
        .annotate(n=Count("pairing_id", distinct=True))
        .values_list("user_id", "n")
    )
    return PeoplePage(
        page=page,
        people=[
            PersonInProgram(
                user_id=pk,
                name=name,
                email=email,
                roles=roles.get(pk, []),
                pairings=pairings.get(pk, 0),
                joined_at=joined.get(pk),
            )
            for pk, name, email in page.object_list
        ],
    )


@dataclass(frozen=True)
class Choices:
    """Participants in one role to choose from: those that match, by name, at most
    ``CHOICES`` of them (and the one chosen already, wherever it is)."""

    options: list[Participant]
    matching: int


def participant_choices(
    *, program: Program, role: str, query: str = "", selected_id: int | None = None
) -> Choices:
    found = Participant.objects.filter(program=program, role=role)
    if query:
        found = found.filter(_matching(query, name="user__name", email="user__email"))
    options = list(found.select_related("user").order_by("user__name", "pk")[:CHOICES])
    matching = len(options) if len(options) < CHOICES else found.count()
    if selected_id is not None and all(p.pk != selected_id for p in options):
        chosen = (
            Participant.objects.filter(program=program, role=role, pk=selected_id)
            .select_related("user")
            .first()
        )
        if chosen is not None:
            options.insert(0, chosen)
    return Choices(options=options, matching=matching)


@dataclass(frozen=True)
class Member:
    participant_id: int
    name: str
    email: str
    role: str


@dataclass(frozen=True)
class PairingRow:
    pairing: Pairing
    members: list[Member]
    sessions: int
    completed: int
    waiting_for_feedback: int
    last_session_at: datetime | None
    next_session_at: datetime | None


@dataclass(frozen=True)
class PairingsPage:
    page: Page[Any]
    pairings: list[PairingRow]


def members_of(pairing_ids: list[int]) -> dict[int, list[Member]]:
    """Each pairing's members, mentors first, then by name."""
    members: dict[int, list[Member]] = {}
    for pairing_id, participant_id, name, email, role in (
        PairingMember.objects.filter(pairing_id__in=pairing_ids)
        .order_by("pairing_id", "-participant__role", "user__name", "pk")
        .values_list(
            "pairing_id", "participant_id", "user__name", "user__email", "participant__role"
        )
    ):
        members.setdefault(pairing_id, []).append(Member(participant_id, name, email, role))
    return members


def pairings_in_program(
    *, program: Program, query: str = "", page_number: str | None = None, now: datetime
) -> PairingsPage:
    """The program's pairings, newest first, a page at a time, with their members and how
    their sessions stand (the last one that began before ``now``, the next one booked);
    ``query`` narrows them to pairings with a member whose name or address contains it."""
    pairings = Pairing.objects.filter(program=program)
    if query:
        pairings = pairings.filter(
            pk__in=PairingMember.objects.filter(
                _matching(query, name="user__name", email="user__email"),
                pairing__program=program,
            ).values("pairing_id")
        )
    page = Paginator(pairings.order_by("-pk"), PAGE_SIZE).get_page(page_number)
    ids = [pairing.pk for pairing in page.object_list]
    members = members_of(ids)
    completed = Q(status=Session.Status.COMPLETED)
    stats = {
        row["pairing_id"]: row
        for row in Session.objects.filter(pairing_id__in=ids)
        .values("pairing_id")
        .annotate(
            sessions=Count("pk"),
            completed=Count("pk", filter=completed),
            waiting=Count("pk", filter=completed & Q(first_feedback_at__isnull=True)),
            last_at=Max("starts_at", filter=Q(starts_at__lte=now)),
            next_at=Min("starts_at", filter=Q(starts_at__gt=now, status=Session.Status.SCHEDULED)),
        )
    }
    rows = []
    for pairing in page.object_list:
        stat = stats.get(pairing.pk, {})
        rows.append(
            PairingRow(
                pairing=pairing,
                members=members.get(pairing.pk, []),
                sessions=stat.get("sessions", 0),
                completed=stat.get("completed", 0),
                waiting_for_feedback=stat.get("waiting", 0),
                last_session_at=stat.get("last_at"),
                next_session_at=stat.get("next_at"),
            )
        )
    return PairingsPage(page=page, pairings=rows)


def pairing_administered_by(*, pairing_id: int, user_id: int) -> Pairing | None:
    """The pairing, if this person administers its program's organisation; otherwise None
    (another organisation's pairing and one that does not exist look the same)."""
    return (
        Pairing.objects.select_related("program__organisation")
        .filter(pk=pairing_id, program__organisation__admins__id=user_id)
        .first()
    )


@dataclass(frozen=True)
class FeedbackGiven:
    author: Member
    rating: int
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class SessionRow:
    session: Session
    feedback: list[FeedbackGiven]

    @property
    def waiting_for_feedback(self) -> bool:
        return self.session.status == Session.Status.COMPLETED and not self.feedback


@dataclass(frozen=True)
class PairingRecord:
    pairing: Pairing
    members: list[Member]
    page: Page[Any]
    sessions: list[SessionRow]
    completed: int
    waiting_for_feedback: int


def pairing_record_page(*, pairing: Pairing, page_number: str | None = None) -> PairingRecord:
    """A pairing's members and its sessions, latest first, a page at a time, each with the
    feedback its members gave."""
    members = members_of([pairing.pk]).get(pairing.pk, [])
    by_participant = {member.participant_id: member for member in members}
    page = Paginator(
        Session.objects.filter(pairing=pairing).order_by("-starts_at", "-pk"), PAGE_SIZE
    ).get_page(page_number)
    sessions = list(page.object_list)
    feedback: dict[int, list[FeedbackGiven]] = {}
    for session_id, author_id, rating, comment, created_at in (
        Feedback.objects.filter(session_id__in=[s.pk for s in sessions])
        .order_by("created_at", "pk")
        .values_list("session_id", "author_id", "rating", "comment", "created_at")
    ):
        author = by_participant.get(author_id)
        if author is not None:
            feedback.setdefault(session_id, []).append(
                FeedbackGiven(author, rating, comment, created_at)
            )
    completed = Q(status=Session.Status.COMPLETED)
    figures = Session.objects.filter(pairing=pairing).aggregate(
        completed=Count("pk", filter=completed),
        waiting=Count("pk", filter=completed & Q(first_feedback_at__isnull=True)),
    )
    return PairingRecord(
        pairing=pairing,
        members=members,
        page=page,
        sessions=[SessionRow(s, feedback.get(s.pk, [])) for s in sessions],
        completed=figures["completed"],
        waiting_for_feedback=figures["waiting"],
    )
