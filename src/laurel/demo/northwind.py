"""The demo organisation, Northwind Mentoring: ``python manage.py demo`` builds it.

Everything goes through the services the product uses. Six months of history are replayed
in the order they would have happened (``timeline``), each step passed its moment as the
services' ``now``. A fixed random seed makes every build the same.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from laurel.accounts.models import User
from laurel.badges.models import BadgeAuditEntry
from laurel.badges.services import badge_enable, badges_defaults_ensure
from laurel.certificates.models import CertificateDefinition, IssuedCertificate
from laurel.certificates.services import (
    RuleInput,
    award_revoke,
    certificate_award,
    certificate_create,
    certificate_enable,
)
from laurel.demo.images import banner_png, logo_png
from laurel.demo.timeline import (
    Timeline,
    plan_pairing_sessions,
    plan_scripted_sessions,
    plan_session,
)
from laurel.programs.models import Organisation, Participant, Program, Session
from laurel.programs.services import (
    organisation_create,
    pairing_create,
    participant_add,
    program_create,
    user_for_email,
)

DEMO_SLUG = "northwind-mentoring"
DEMO_ORGANISATION = "Northwind Mentoring"
DEMO_ACCENT = "#0F766E"
DEMO_PASSWORD = "laurel-demo"  # noqa: S105 - a published demo login, not a secret
DEMO_DOMAIN = "northwind.example"
SEED = 20260301

ADMIN_NAME = "Margaret Osei"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
MENTEE_NAME = "Zoë Ødegaard"
MENTOR_NAME = "José Núñez"

ENGINEERING = "Engineering Mentorship 2026"
LEADERSHIP = "Leadership Development"
CIRCLES = "New Managers Circle"
# The default badges the demo has enabled, so that people see badges from the start.
DEMO_BADGES = ("mentor", "connector")


_NO_DECOMPOSITION: dict[str, str | int | None] = {
    "Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "\N{LATIN SMALL LETTER DOTLESS I}": "i",
}  # fmt: skip


def email_for(name: str) -> str:
    """first.last@northwind.example, spelled in plain ASCII."""
    # Letters such as Ø and Ł have no decomposition to strip an accent from.
    plain = name.translate(str.maketrans(_NO_DECOMPOSITION))
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    words = [w for w in plain.lower().replace("'", "").split() if w]
    return f"{words[0]}.{words[-1]}@{DEMO_DOMAIN}"


DEMO_LOGINS: list[tuple[str, str, str]] = [
    (f"Organisation admin ({ADMIN_NAME})", ADMIN_EMAIL, DEMO_PASSWORD),
    (f"Mentee with an earned certificate ({MENTEE_NAME})", email_for(MENTEE_NAME), DEMO_PASSWORD),
    (f"Mentor close to a certificate ({MENTOR_NAME})", email_for(MENTOR_NAME), DEMO_PASSWORD),
]

LONG_NAME = "Anna-Katharina Wilhelmina von Stauffenberg-Lichtenau"

# (mentor, mentee, days ago of the first session, days between sessions, how reliably
# the pair gives feedback). Two pairs are written out session by session further down.
ENGINEERING_PAIRS: list[tuple[str, str, int, int, float]] = [
    ("Hiroshi Tanaka", "Jae-won Park", 158, 14, 0.85),
    ("Ingrid Lindqvist", "Łucja Kowalczyk", 165, 14, 0.9),
    ("Ingrid Lindqvist", "Isabela Costa", 120, 21, 0.55),
    ("Łucja Kowalczyk", "Emily Zhang", 90, 14, 0.75),
    ("Kofi Boateng", LONG_NAME, 160, 12, 0.95),
    ("Kofi Boateng", "Björn Halvorsen", 162, 14, 0.8),
    ("Siobhán O'Connell", "Mateo Fernández", 150, 14, 0.7),
    ("Siobhán O'Connell", "Nguyễn Thị Mai", 70, 14, 0.6),
    ("Chen Wei", "Aroha Ngata", 140, 21, 0.45),
    ("Chen Wei", "Dmitri Volkov", 100, 14, 0.3),
    ("Leila Haddad", "Yuki Nakamura", 155, 14, 0.8),
    ("Leila Haddad", "Sofia Rossi", 45, 14, 0.5),
]
# Joined, not matched with a mentor yet.
ENGINEERING_UNPAIRED = ["Tomás Ó Briain", "Ana Lúcia Ferreira"]

LEADERSHIP_PAIRS: list[tuple[str, str, int, int, float]] = [
    ("Ingrid Lindqvist", MENTEE_NAME, 150, 30, 0.8),
    ("Ahmed Farouk", "Fatima Al-Sayed", 165, 28, 0.9),
    ("Ahmed Farouk", "Rahul Mehta", 140, 30, 0.6),
    ("Noa Levi", "Camille Rousseau", 160, 30, 0.7),
    ("Noa Levi", "Santiago Herrera", 120, 35, 0.5),
    ("Ahmed Farouk", "Olamide Adeyemi", 100, 30, 0.8),
    ("Noa Levi", "Marta Głowacka", 60, 28, 0.9),
]

# (facilitator, members, days ago of the first session, days between sessions)
CIRCLES_GROUPS: list[tuple[str, list[str], int, int]] = [
    (
        MENTOR_NAME,
        ["Elif Yıldız", "Omar Benali", "Hannah Becker", "Ravi Subramanian", "Amara Okafor"],  # noqa: RUF001 - a Turkish name
        150,
        21,
    ),
    (
        "Thandiwe Dlamini",
        ["Grace Whitfield", "Mei Lin", "Lucas Martin", "Kenji Watanabe", "Sofia Rossi"],
        140,
        21,
    ),
]

FEEDBACK_COMMENTS = [
    "",
    "",
    "",
    "Really useful session — we worked through my promotion case together.",
    "Good conversation about giving feedback to peers.",
    "We went over the system design interview prep; I have a plan for next week.",
    "Short one today, but we agreed on clear next steps.",
    "Talked through handling a difficult stakeholder. Very helpful.",
    "Great session on career direction. Lots to think about!",
    "Reviewed my first design doc; I learnt a lot from the questions.",
    "We practised the talk I'm giving at the all-hands.",
    "Helpful, though we ran out of time for the second topic.",
]

MENTORSHIP_TEXT = (
    "This certifies that {recipient_name} completed {sessions_required} mentorship sessions "
    "in {program_name}, run by {organisation_name}. Awarded on {date}."
)
ADVANCED_TEXT = (
    "{recipient_name} has shown sustained commitment to {program_name}, completing "
    "{sessions_required} mentorship sessions with {organisation_name}. Awarded on {date}."
)
LEADERSHIP_TEXT = (
    "{recipient_name} has completed {program_name} with {organisation_name}, including the "
    "leadership modules and a capstone presentation. Awarded on {date}."
)
LEADERSHIP_GUIDANCE = (
    "Finish the three leadership modules, present your capstone project at a quarterly "
    "review, and ask your coach to confirm with the program team. We award this "
    "certificate once all three are done."
)
REVOCATION_REASON = (
    "Awarded in error: three of the counted sessions were logged against the wrong "
    "pairing and have been removed."
)
REVOKED_NAME = "Björn Halvorsen"
MANUALLY_AWARDED_NAME = "Fatima Al-Sayed"


C, X, S = Session.Status.COMPLETED, Session.Status.CANCELLED, Session.Status.SCHEDULED

# The mentee demo login: earned the Mentorship Certificate when it was enabled, and has
# recent completed sessions nobody has given feedback on yet.
MENTEE_SCRIPT = [
    (150, C, "mentee"), (136, C, "both"), (122, X, ""), (108, C, "mentor"), (94, C, ""),
    (80, C, "mentee"), (52, C, "mentee"), (38, C, "both"), (24, C, ""), (10, C, ""),
    (-4, S, ""), (-18, S, ""),
]  # fmt: skip
# The mentor demo login: two mentees, two counting sessions, one waiting for feedback.
MENTOR_SCRIPTS = {
    "Amara Okafor": [(45, C, "mentee"), (31, C, ""), (-2, S, "")],
    "Kwame Mensah": [(40, X, ""), (26, C, "mentor"), (-9, S, "")],
}


@dataclass(frozen=True)
class DemoResult:
    organisation: Organisation
    created: bool


def build_demo(*, now: datetime | None = None) -> DemoResult:
    """Build the demo organisation, or leave it as it is if it exists already."""
    existing = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        _badges_if_never_chosen(existing, now=now or timezone.now())
        return DemoResult(organisation=existing, created=False)
    today = (now or timezone.now()).replace(second=0, microsecond=0)
    with transaction.atomic():
        organisation = _build(
            Timeline(today=today, comments=FEEDBACK_COMMENTS), random.Random(SEED)
        )
    return DemoResult(organisation=organisation, created=True)


def _build(timeline: Timeline, rng: random.Random) -> Organisation:
    start = timeline.days_ago(185, hour=9)
    organisation = organisation_create(
        name=DEMO_ORGANISATION, slug=DEMO_SLUG, accent_colour=DEMO_ACCENT, now=start
    )
    organisation.logo.save("northwind.png", ContentFile(logo_png(DEMO_ACCENT)))
    admin = _demo_admin(organisation)
    engineering = _program(
        organisation, ENGINEERING, "one_on_one", ("#0F766E", "#134E4A"), 1, start
    )
    leadership = _program(organisation, LEADERSHIP, "development", ("#1E3A8A", "#5B21B6"), 2, start)
    circles = _program(organisation, CIRCLES, "group", ("#9A3412", "#9F1239"), 3, start)

    joined = start + timedelta(days=3)
    _engineering_record(timeline, rng, engineering, joined)
    _leadership_record(timeline, rng, leadership, joined)
    _circles_record(timeline, rng, circles, joined)

    timeline.add(timeline.days_ago(130), partial(_leadership_certificate, leadership, admin))
    timeline.add(timeline.days_ago(90), partial(_badges, organisation, admin))
    timeline.add(timeline.days_ago(58), partial(_mentorship_certificate, engineering, admin))
    timeline.add(timeline.days_ago(21), partial(_advanced_certificate, engineering, admin))
    timeline.add(timeline.days_ago(12, hour=15), partial(_manual_award, leadership, admin))
    timeline.add(timeline.days_ago(6, hour=11), partial(_revoke, engineering, admin))
    timeline.replay()

    for _, email, password in DEMO_LOGINS:
        user = User.objects.get(email=email)
        user.set_password(password)
        user.save(update_fields=["password"])
    return organisation


def _demo_admin(organisation: Organisation) -> User:
    admin = user_for_email(email=ADMIN_EMAIL, name=ADMIN_NAME)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    organisation.admins.add(admin)
    # Read-only browsing of the record in Django admin, which shows an organisation's
    # admins their own organisation only.
    admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["programs", "certificates"], codename__startswith="view_"
        )
    )
    return admin


def _program(
    organisation: Organisation,
    name: str,
    kind: str,
    colours: tuple[str, str],
    seed: int,
    now: datetime,
) -> Program:
    program = program_create(organisation=organisation, name=name, kind=kind, now=now)
    program.banner.save(
        f"{kind}.png", ContentFile(banner_png(*colours, seed=SEED + seed)), save=False
    )
    program.save(update_fields=["banner"])
    return program


def _join(program: Program, name: str, role: str, now: datetime) -> Participant:
    return participant_add(program=program, email=email_for(name), name=name, role=role, now=now)


def _engineering_record(
    timeline: Timeline, rng: random.Random, program: Program, now: datetime
) -> None:
    participants: dict[tuple[str, str], Participant] = {}

    def member(name: str, role: str) -> Participant:
        if (name, role) not in participants:
            participants[(name, role)] = _join(program, name, role, now)
        return participants[(name, role)]

    zoe_mentor, zoe = member("Hiroshi Tanaka", "mentor"), member(MENTEE_NAME, "mentee")
    plan_scripted_sessions(
        timeline, rng, pairing=pairing_create(now=now, program=program, participants=[zoe_mentor, zoe]),
        mentor=zoe_mentor, mentee=zoe, script=MENTEE_SCRIPT,
    )  # fmt: skip
    jose = member(MENTOR_NAME, "mentor")
    for mentee_name, script in MENTOR_SCRIPTS.items():
        mentee = member(mentee_name, "mentee")
        plan_scripted_sessions(
            timeline, rng, pairing=pairing_create(now=now, program=program, participants=[jose, mentee]),
            mentor=jose, mentee=mentee, script=script,
        )  # fmt: skip
    for mentor_name, mentee_name, first, every, diligence in ENGINEERING_PAIRS:
        mentor, mentee = member(mentor_name, "mentor"), member(mentee_name, "mentee")
        plan_pairing_sessions(
            timeline, rng, pairing=pairing_create(now=now, program=program, participants=[mentor, mentee]),
            mentor=mentor, mentee=mentee, first_days_ago=first, every_days=every,
            diligence=diligence,
        )  # fmt: skip
    for name in ENGINEERING_UNPAIRED:
        timeline.add(timeline.days_ago(rng.randint(3, 9)), partial(_join, program, name, "mentee"))


def _leadership_record(
    timeline: Timeline, rng: random.Random, program: Program, now: datetime
) -> None:
    coaches: dict[str, Participant] = {}
    for coach_name, mentee_name, first, every, diligence in LEADERSHIP_PAIRS:
        if coach_name not in coaches:
            coaches[coach_name] = _join(program, coach_name, "mentor", now)
        coach, mentee = coaches[coach_name], _join(program, mentee_name, "mentee", now)
        plan_pairing_sessions(
            timeline, rng, pairing=pairing_create(now=now, program=program, participants=[coach, mentee]),
            mentor=coach, mentee=mentee, first_days_ago=first, every_days=every,
            diligence=diligence,
        )  # fmt: skip


def _circles_record(
    timeline: Timeline, rng: random.Random, program: Program, now: datetime
) -> None:
    for facilitator_name, member_names, first, every in CIRCLES_GROUPS:
        facilitator = _join(program, facilitator_name, "mentor", now)
        members = [facilitator, *(_join(program, name, "mentee", now) for name in member_names)]
        pairing = pairing_create(now=now, program=program, participants=members)
        day = float(first)
        while day > -25:
            starts_at = timeline.days_ago(day, hour=17)
            outcome = S if day < 0 else X if rng.random() < 0.1 else C
            attendees = [m for m in members if rng.random() < 0.35]
            plan_session(
                timeline, rng, pairing=pairing, starts_at=starts_at,
                outcome=outcome, feedback_from=attendees,
            )  # fmt: skip
            day -= every


def _leadership_certificate(program: Program, admin: User, now: datetime) -> None:
    definition = certificate_create(
        program=program, by=admin, name="Leadership Development Certificate",
        text=LEADERSHIP_TEXT, colour="#1E3A8A",
        rule=RuleInput(type="manual", guidance=LEADERSHIP_GUIDANCE), now=now,
    )  # fmt: skip
    certificate_enable(definition=definition, by=admin, confirm=True, now=now)


def _mentorship_certificate(program: Program, admin: User, now: datetime) -> None:
    definition = certificate_create(
        program=program, by=admin, name="Mentorship Certificate", text=MENTORSHIP_TEXT,
        colour=DEMO_ACCENT, rule=RuleInput(type="sessions_completed", threshold=3), now=now,
    )  # fmt: skip
    certificate_enable(definition=definition, by=admin, confirm=True, now=now)


def _advanced_certificate(program: Program, admin: User, now: datetime) -> None:
    # Left disabled: the admin is still deciding, and the report shows who would get it.
    certificate_create(
        program=program, by=admin, name="Advanced Mentorship Certificate", text=ADVANCED_TEXT,
        colour="#B45309", rule=RuleInput(type="sessions_completed", threshold=8), now=now,
    )  # fmt: skip


def _badges(organisation: Organisation, admin: User, now: datetime) -> None:
    for badge in badges_defaults_ensure(organisation=organisation):
        if badge.default_key in DEMO_BADGES and not badge.enabled:
            badge_enable(badge=badge, by=admin, confirm=True, now=now)


def _badges_if_never_chosen(organisation: Organisation, *, now: datetime) -> None:
    """A demo built before badges existed gets them too, unless its admin has already
    enabled or disabled a badge (their choice stands): running the demo again changes
    nothing after that."""
    chosen = BadgeAuditEntry.objects.filter(
        organisation=organisation,
        action__in=[BadgeAuditEntry.Action.ENABLED, BadgeAuditEntry.Action.DISABLED],
    ).exists()
    admin = organisation.admins.filter(email=ADMIN_EMAIL).first()
    if not chosen and admin is not None:
        with transaction.atomic():
            _badges(organisation, admin, now)


def _manual_award(program: Program, admin: User, now: datetime) -> None:
    definition = CertificateDefinition.objects.get(program=program, rule="manual")
    participant = Participant.objects.get(
        program=program, user__email=email_for(MANUALLY_AWARDED_NAME), role="mentee"
    )
    certificate_award(definition=definition, by=admin, participant_ids=[participant.pk], now=now)


def _revoke(program: Program, admin: User, now: datetime) -> None:
    award = IssuedCertificate.objects.get(
        program=program, user__email=email_for(REVOKED_NAME), is_current=True
    )
    award_revoke(award=award, by=admin, reason=REVOCATION_REASON, now=now)
