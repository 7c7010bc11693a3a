"""What a participant sees of their own record: their pairings in a program, the sessions
of each, and one session with their part in it.

Only members of a pairing see it: every read starts from the person's own memberships, so
another pairing's session, pairing or program is simply not found (a 404 to the page).
What a person may do to a session is asked of the record's state machine
(``programs.lifecycle``), the same rules that refuse a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext

from laurel.programs import lifecycle
from laurel.programs.models import Feedback, Pairing, PairingMember, Participant, Program, Session

# Sessions shown per pairing in each list; the sessions page says how many more there are
# and links to the pairing's whole history, a page of HISTORY_PAGE_SIZE at a time.
SHOWN_PER_PAIRING = 10
HISTORY_PAGE_SIZE = 25


@dataclass(frozen=True)
class SessionRow:
    """A session as one of its members sees it, and what they may do to it now."""

    session: Session
    own_feedback: Feedback | None
    now: datetime

    def _allowed(self, action: lifecycle.Action) -> bool:
        s = self.session
        return (
            lifecycle.refusal(
                status=s.status,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                action=action,
                now=self.now,
            )
            is None
        )

    @property
    def can_complete(self) -> bool:
        # Completing a completed session is allowed (a retry), but it is no button.
        return self.session.status == Session.Status.SCHEDULED and self._allowed(
            lifecycle.Action.COMPLETE
        )

    @property
    def can_cancel(self) -> bool:
        return self.session.status == Session.Status.SCHEDULED and self._allowed(
            lifecycle.Action.CANCEL
        )

    @property
    def can_give_feedback(self) -> bool:
        return self.own_feedback is None and self._allowed(lifecycle.Action.GIVE_FEEDBACK)

    @property
    def can_change_feedback(self) -> bool:
        return self.own_feedback is not None and self._allowed(lifecycle.Action.GIVE_FEEDBACK)

    @property
    def feedback_refusal(self) -> str | None:
        """Why feedback cannot be given on this session now (the record's own words)."""
        s = self.session
        refused = lifecycle.refusal(
            status=s.status,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            action=lifecycle.Action.GIVE_FEEDBACK,
            now=self.now,
        )
        return gettext(refused.message) if refused is not None else None

    @property
    def in_progress(self) -> bool:
        s = self.session
        return s.status == Session.Status.SCHEDULED and s.starts_at <= self.now < s.ends_at

    @property
    def time_has_passed(self) -> bool:
        s = self.session
        return s.status == Session.Status.SCHEDULED and s.ends_at <= self.now

    @property
    def waiting_for_feedback(self) -> bool:
        s = self.session
        return s.status == Session.Status.COMPLETED and s.first_feedback_at is None

    @property
    def partner_gave_feedback(self) -> bool:
        return self.own_feedback is None and self.session.first_feedback_at is not None


@dataclass(frozen=True)
class PairingSessions:
    pairing: Pairing
    member: Participant  # the person's own place in the pairing
    partners: list[PairingMember]
    upcoming: list[SessionRow]
    past: list[SessionRow]
    upcoming_total: int
    past_total: int

    @property
    def partner_names(self) -> list[str]:
        return [p.user.name for p in self.partners]

    @property
    def upcoming_not_shown(self) -> int:
        return self.upcoming_total - len(self.upcoming)

    @property
    def past_not_shown(self) -> int:
        return self.past_total - len(self.past)


@dataclass(frozen=True)
class ProgramSessions:
    program: Program
    roles: list[str]
    pairings: list[PairingSessions]


def _upcoming(now: datetime) -> Q:
    """Booked and not over yet (a session under way is still to be completed or cancelled)."""
    return Q(status=Session.Status.SCHEDULED, ends_at__gt=now)


def _sessions_shown(*, pairing_ids: list[int], upcoming: bool, now: datetime) -> list[Session]:
    """The first ``SHOWN_PER_PAIRING`` sessions of each pairing in one list: the soonest
    upcoming ones, or the latest past ones."""
    found = Session.objects.filter(pairing_id__in=pairing_ids)
    found = found.filter(_upcoming(now)) if upcoming else found.exclude(_upcoming(now))
    order = (
        [F("starts_at").asc(), F("pk").asc()]
        if upcoming
        else [F("starts_at").desc(), F("pk").desc()]
    )
    return list(
        found.annotate(rank=Window(RowNumber(), partition_by=F("pairing_id"), order_by=order))
        .filter(rank__lte=SHOWN_PER_PAIRING)
        .order_by(*order)
    )


def program_sessions(*, user_id: int, program_id: int, now: datetime) -> ProgramSessions | None:
    """This person's pairings in the program and their sessions; None if they are not in it.

    Seven queries, however many pairings and sessions.
    """
    participations = list(
        Participant.objects.filter(user_id=user_id, program_id=program_id)
        .select_related("program__organisation")
        .order_by("role")
    )
    if not participations:
        return None
    program = participations[0].program
    memberships = list(
        PairingMember.objects.filter(user_id=user_id, pairing__program_id=program_id)
        .select_related("pairing", "participant")
        .order_by("pairing__created_at", "pairing_id")
    )
    pairing_ids = [m.pairing_id for m in memberships]
    partners: dict[int, list[PairingMember]] = {}
    totals: dict[int, tuple[int, int]] = {}
    shown: list[Session] = []
    own: dict[int, Feedback] = {}
    if pairing_ids:
        for partner in (
            PairingMember.objects.filter(pairing_id__in=pairing_ids)
            .exclude(user_id=user_id)
            .select_related("user", "participant")
            .order_by("user__name", "pk")
        ):
            partners.setdefault(partner.pairing_id, []).append(partner)
        for row in (
            Session.objects.filter(pairing_id__in=pairing_ids)
            .values("pairing_id")
            .annotate(
                upcoming=Count("pk", filter=_upcoming(now)),
                past=Count("pk", filter=~_upcoming(now)),
            )
            .order_by()
        ):
            totals[row["pairing_id"]] = (row["upcoming"], row["past"])
        upcoming = _sessions_shown(pairing_ids=pairing_ids, upcoming=True, now=now)
        past = _sessions_shown(pairing_ids=pairing_ids, upcoming=False, now=now)
        shown = upcoming + past
        own = {
            f.session_id: f
            for f in Feedback.objects.filter(
                session_id__in=[s.pk for s in shown],
                author_id__in=[m.participant_id for m in memberships],
            )
        }
    pairings = []
    for membership in memberships:
        rows = [
            SessionRow(s, own.get(s.pk), now)
            for s in shown
            if s.pairing_id == membership.pairing_id
        ]
        upcoming_total, past_total = totals.get(membership.pairing_id, (0, 0))
        pairings.append(
            PairingSessions(
                pairing=membership.pairing,
                member=membership.participant,
                partners=partners.get(membership.pairing_id, []),
                upcoming=[r for r in rows if _is_upcoming(r.session, now)],
                past=[r for r in rows if not _is_upcoming(r.session, now)],
                upcoming_total=upcoming_total,
                past_total=past_total,
            )
        )
    return ProgramSessions(
        program=program,
        roles=[p.get_role_display() for p in participations],
        pairings=pairings,
    )


def _is_upcoming(session: Session, now: datetime) -> bool:
    return session.status == Session.Status.SCHEDULED and session.ends_at > now


@dataclass(frozen=True)
class MemberSession:
    """One session as one of its members sees it."""

    row: SessionRow
    member: Participant
    program: Program
    partner_names: list[str]

    @property
    def session(self) -> Session:
        return self.row.session


def member_session(*, user_id: int, session_id: int, now: datetime) -> MemberSession | None:
    """The session, if this person is a member of its pairing; otherwise None. Four queries."""
    membership = (
        PairingMember.objects.filter(user_id=user_id, pairing__sessions__id=session_id)
        .select_related("participant", "pairing__program__organisation")
        .first()
    )
    if membership is None:
        return None
    session = Session.objects.get(pk=session_id)
    partner_names = list(
        PairingMember.objects.filter(pairing_id=membership.pairing_id)
        .exclude(user_id=user_id)
        .order_by("user__name", "pk")
        .values_list("user__name", flat=True)
    )
    own = Feedback.objects.filter(
        session_id=session_id, author_id=membership.participant_id
    ).first()
    return MemberSession(
        row=SessionRow(session, own, now),
        member=membership.participant,
        program=membership.pairing.program,
        partner_names=partner_names,
    )


def member_pairing(*, user_id: int, pairing_id: int) -> PairingMember | None:
    """This person's membership of the pairing (with the pairing and its program); None if
    they are not in it."""
    return (
        PairingMember.objects.filter(user_id=user_id, pairing_id=pairing_id)
        .select_related("participant", "pairing__program__organisation")
        .first()
    )


@dataclass(frozen=True)
class PairingHistory:
    membership: PairingMember  # with the pairing, its program and the person's place in it
    partner_names: list[str]
    page: Page[Session]
    rows: list[SessionRow]


def pairing_history(
    *, user_id: int, pairing_id: int, page_number: str | int | None, now: datetime
) -> PairingHistory | None:
    """Every session of a pairing, latest first, a page at a time; None if this person is
    not a member of it. Five queries."""
    membership = member_pairing(user_id=user_id, pairing_id=pairing_id)
    if membership is None:
        return None
    partner_names = list(
        PairingMember.objects.filter(pairing_id=pairing_id)
        .exclude(user_id=user_id)
        .order_by("user__name", "pk")
        .values_list("user__name", flat=True)
    )
    page = Paginator(
        Session.objects.filter(pairing_id=pairing_id).order_by("-starts_at", "-pk"),
        HISTORY_PAGE_SIZE,
    ).get_page(page_number)
    sessions = list(page.object_list)
    own = {
        f.session_id: f
        for f in Feedback.objects.filter(
            session_id__in=[s.pk for s in sessions], author_id=membership.participant_id
        )
    }
    return PairingHistory(
        membership=membership,
        partner_names=partner_names,
        page=page,
        rows=[SessionRow(s, own.get(s.pk), now) for s in sessions],
    )
