"""Request and response bodies of the REST API, as published in its OpenAPI document.

Types here describe the shape of the input (and bound every string); the rules about
what a value may be live in the services, which the web UI and CLI call too.

Input is taken as sent: a number must be a JSON number (not "5", not true), a flag must
be true or false, and a field the schema does not name is refused, so that a typo
(``treshold``) is reported instead of silently ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from laurel.accounts.models import NAME_MAX_LENGTH
from laurel.api.models import IDEMPOTENCY_KEY_MAX_LENGTH
from laurel.badges.models import MAX_THRESHOLD as BADGE_MAX_THRESHOLD
from laurel.badges.models import TEXT_MAX_LENGTH as BADGE_TEXT_MAX_LENGTH
from laurel.certificates.models import TEXT_MAX_LENGTH
from laurel.certificates.services import MAX_THRESHOLD
from laurel.programs.models import EXTERNAL_ID_MAX_LENGTH
from laurel.programs.services import COMMENT_MAX_LENGTH

ID_PATTERN = r"^[1-9][0-9]{0,17}$"
EMAIL_MAX_LENGTH = 254
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def _id_from_number(value: object) -> object:
    # Ids are strings, but a client that sends the number means the same thing.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            "The text contains an invalid character (an unpaired surrogate); send valid UTF-8."
        ) from None
    return value


def _plausible_time(value: datetime) -> datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"The time must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return value


Id = Annotated[
    str,
    BeforeValidator(_id_from_number),
    StringConstraints(pattern=ID_PATTERN, max_length=18),
    Field(description="An object id (a string of digits).", examples=["1"]),
]
Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(_encodable)]
PersonName = Annotated[
    str, StringConstraints(max_length=NAME_MAX_LENGTH), AfterValidator(_encodable)
]
Email = Annotated[str, StringConstraints(max_length=EMAIL_MAX_LENGTH), AfterValidator(_encodable)]
LongText = Annotated[str, StringConstraints(max_length=TEXT_MAX_LENGTH), AfterValidator(_encodable)]
Comment = Annotated[
    str, StringConstraints(max_length=COMMENT_MAX_LENGTH), AfterValidator(_encodable)
]
Colour = Annotated[
    str,
    StringConstraints(max_length=16),
    AfterValidator(_encodable),
    Field(description="#RRGGBB", examples=["#1F6FEB"]),
]
Moment = Annotated[datetime, AfterValidator(_plausible_time)]
BadgeText = Annotated[
    str, StringConstraints(max_length=BADGE_TEXT_MAX_LENGTH), AfterValidator(_encodable)
]
IdempotencyKey = Annotated[str, StringConstraints(max_length=IDEMPOTENCY_KEY_MAX_LENGTH)]


class StrictIn(Schema):
    """A request body: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


# --- problems (RFC 9457) ------------------------------------------------------------------


class Problem(Schema):
    type: str = Field(max_length=200)
    title: str = Field(max_length=200)
    status: int
    detail: str = Field(max_length=10_000)
    errors: dict[str, list[str]] | None = Field(
        None, description="For invalid input: the messages for each field, by field name."
    )


class PersonOut(Schema):
    id: str = Field(max_length=18, description="The person's participant id in the program.")
    name: str = Field(max_length=NAME_MAX_LENGTH)


class WouldAward(Schema):
    count: int
    participants: list[PersonOut]


class ConfirmationProblem(Problem):
    would_award: WouldAward | None = Field(
        None,
        description="When the change needs confirmation: exactly who it would award now.",
    )


# --- the mentorship record ------------------------------------------------------------------


class ProgramIn(StrictIn):
    name: Name
    kind: Literal["one_on_one", "group", "development"]


class ProgramOut(Schema):
    id: str
    name: str = Field(max_length=200)
    kind: Literal["one_on_one", "group", "development"]


class ParticipantIn(StrictIn):
    email: Email
    name: PersonName
    role: Literal["mentor", "mentee"]


class ParticipantOut(Schema):
    id: str
    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    name: str = Field(max_length=NAME_MAX_LENGTH)
    role: Literal["mentor", "mentee"]


ExternalId = Annotated[
    str,
    StringConstraints(max_length=EXTERNAL_ID_MAX_LENGTH),
    AfterValidator(_encodable),
    Field(
        description=(
            "Your own id for it. Sending the same external_id again returns the object"
            " recorded under it (200) instead of creating a second one."
        ),
        examples=["crm-4711"],
    ),
]


class PairingIn(StrictIn):
    participant_ids: list[Id] = Field(max_length=100)
    external_id: ExternalId | None = Field(
        None, description="Your id for the pairing, unique in the program."
    )


class PairingOut(Schema):
    id: str
    participant_ids: list[str]
    external_id: str | None = Field(max_length=EXTERNAL_ID_MAX_LENGTH)


SessionStatus = Literal["scheduled", "completed", "cancelled"]


class SessionIn(StrictIn):
    starts_at: Moment = Field(description="With a time zone, e.g. 2026-03-01T10:00:00Z.")
    duration_minutes: StrictInt = Field(ge=1, le=24 * 60)
    status: SessionStatus = "scheduled"
    external_id: ExternalId | None = Field(
        None, description="Your id for the session, unique in the pairing."
    )


class SessionOut(Schema):
    id: str
    pairing_id: str
    starts_at: datetime
    duration_minutes: int
    status: SessionStatus
    external_id: str | None = Field(max_length=EXTERNAL_ID_MAX_LENGTH)


class FeedbackIn(StrictIn):
    participant_id: Id
    rating: StrictInt = Field(ge=1, le=4)
    comment: Comment = ""


class FeedbackOut(Schema):
    id: str
    session_id: str
    participant_id: str
    rating: int
    comment: str = Field(max_length=COMMENT_MAX_LENGTH)
    created_at: datetime


# --- certificates ---------------------------------------------------------------------------


class RuleIn(StrictIn):
    type: Literal["sessions_completed", "manual"]
    threshold: StrictInt | None = Field(
        None,
        ge=1,
        le=MAX_THRESHOLD,
        description="For sessions_completed only (and required there): sessions needed.",
    )
    guidance: LongText | None = Field(
        None, description="For manual only: what a participant needs to do to earn it."
    )


class SessionsRuleOut(Schema):
    type: Literal["sessions_completed"]
    threshold: int


class ManualRuleOut(Schema):
    type: Literal["manual"]
    guidance: str = Field(max_length=TEXT_MAX_LENGTH)


class CertificateIn(StrictIn):
    name: Name
    text: LongText
    colour: Colour
    rule: RuleIn


class CertificatePatch(StrictIn):
    name: Name | None = None
    text: LongText | None = None
    colour: Colour | None = None
    rule: RuleIn | None = None
    confirm: StrictBool = False


class CertificateOut(Schema):
    id: str
    program_id: str
    name: str = Field(max_length=200)
    text: str = Field(max_length=TEXT_MAX_LENGTH)
    colour: str = Field(max_length=7)
    enabled: bool
    rule: SessionsRuleOut | ManualRuleOut


class ConfirmIn(StrictIn):
    confirm: StrictBool = False


class CertificateChangeOut(Schema):
    certificate: CertificateOut
    awarded: int = Field(description="How many people this change awarded the certificate to.")


class ProgressOut(Schema):
    participant_id: str
    name: str = Field(max_length=NAME_MAX_LENGTH)
    roles: list[Literal["mentor", "mentee"]]
    sessions_completed: int
    sessions_counting: int
    sessions_missing_feedback: list[str]
    earned_award_id: str | None


class AwardIn(StrictIn):
    participant_ids: list[Id] = Field(min_length=1, max_length=500)


class AwardResultOut(Schema):
    awarded: list[str]
    skipped: list[str]


class AwardOut(Schema):
    id: str
    certificate_id: str
    participant_id: str
    recipient_name: str = Field(max_length=NAME_MAX_LENGTH)
    name: str = Field(max_length=200)
    text: str
    colour: str = Field(max_length=7)
    issued_at: datetime
    method: Literal["automatic", "manual"]
    status: Literal["valid", "revoked"]
    revocation_reason: str = Field(max_length=TEXT_MAX_LENGTH)
    revocation_reason_public: bool = Field(
        description="Whether the public page shows the revocation reason."
    )
    version: int
    public_url: str


class RevokeIn(StrictIn):
    reason: LongText = Field(description="Why it is revoked (required, not empty).")
    public_reason: StrictBool = Field(
        False, description="Show the reason on the certificate's public page."
    )


class ReinstateIn(StrictIn):
    reason: LongText = Field(description="Why the revocation is undone (required).")


class CorrectIn(StrictIn):
    recipient_name: PersonName | None = Field(None, description="The name as it should read.")
    text: LongText | None = Field(
        None,
        description=(
            "The text of this certificate only, as it should read; merge fields such as"
            " {recipient_name} are filled in."
        ),
    )
    reason: LongText = Field(description="Why it is corrected (required).")


class UnearnedOut(Schema):
    certificate_id: str
    name: str = Field(max_length=200)
    guidance: str = Field(max_length=TEXT_MAX_LENGTH)
    sessions_counting: int
    threshold: int | None


class ParticipantCertificatesOut(Schema):
    earned: list[AwardOut]
    unearned: list[UnearnedOut]


# --- pages ------------------------------------------------------------------------------------


class ProgramPage(Schema):
    items: list[ProgramOut]
    next_cursor: str | None


class ParticipantPage(Schema):
    items: list[ParticipantOut]
    next_cursor: str | None


class CertificatePage(Schema):
    items: list[CertificateOut]
    next_cursor: str | None


class ProgressPage(Schema):
    items: list[ProgressOut]
    next_cursor: str | None


class AwardPage(Schema):
    items: list[AwardOut]
    next_cursor: str | None


# --- webhooks ---------------------------------------------------------------------------------

WebhookEvent = Literal["certificate.awarded", "certificate.revoked"]


class WebhookIn(StrictIn):
    url: Annotated[str, StringConstraints(max_length=500), AfterValidator(_encodable)]
    description: Name = ""
    events: list[WebhookEvent] = Field(
        default=["certificate.awarded", "certificate.revoked"], min_length=1, max_length=2
    )


class WebhookOut(Schema):
    id: str
    url: str = Field(max_length=500)
    description: str = Field(max_length=200)
    events: list[WebhookEvent]
    active: bool


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        max_length=100, description="For checking signatures. Shown only in this answer."
    )


class WebhookPage(Schema):
    items: list[WebhookOut]
    next_cursor: str | None


class DeliveryOut(Schema):
    id: str
    event_id: str
    event: WebhookEvent
    award_id: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str = Field(max_length=1000)


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


# --- badges -----------------------------------------------------------------------------------

BadgeRuleType = Literal["sessions_as_role", "distinct_partners"]
BadgeRole = Literal["mentor", "mentee"]
ProgramKind = Literal["one_on_one", "group", "development"]
Fingerprint = Annotated[
    str,
    StringConstraints(max_length=128),
    AfterValidator(_encodable),
    Field(
        description=(
            "The fingerprint of a 409's would_award: the change goes ahead only if it awards"
            " exactly those people; otherwise it is a 409 again, with the new list."
        ),
        examples=["3f9a0c…"],
    ),
]
_RULE_ROLE = (
    "For sessions_as_role only (and required there): the role whose sessions count."
    " A distinct_partners rule counts partners met in either role."
)
_RULE_FEEDBACK = (
    "Whether a completed session counts only once somebody gave feedback on it;"
    " false: as soon as it is completed."
)
_RULE_KINDS = "The kinds of program whose sessions count, each named once."


class BadgeRuleIn(StrictIn):
    type: BadgeRuleType = Field(
        description=(
            "sessions_as_role: sessions held in one role, across all of the organisation's"
            " programs; distinct_partners: different people met in such sessions, each once."
        )
    )
    threshold: StrictInt = Field(
        ge=1, le=BADGE_MAX_THRESHOLD, description="Sessions (or partners) needed.", examples=[10]
    )
    role: BadgeRole | None = Field(None, description=_RULE_ROLE)
    feedback_required: StrictBool = Field(False, description=_RULE_FEEDBACK)
    program_kinds: list[ProgramKind] = Field(
        default=["one_on_one"], min_length=1, max_length=3, description=_RULE_KINDS
    )


class BadgeRulePatch(StrictIn):
    """A changed rule: a field left out keeps the badge's current value."""

    type: BadgeRuleType | None = None
    threshold: StrictInt | None = Field(None, ge=1, le=BADGE_MAX_THRESHOLD)
    role: BadgeRole | None = Field(None, description=_RULE_ROLE)
    feedback_required: StrictBool | None = Field(None, description=_RULE_FEEDBACK)
    program_kinds: list[ProgramKind] | None = Field(
        None, min_length=1, max_length=3, description=_RULE_KINDS
    )


class SessionsAsRoleRuleOut(Schema):
    type: Literal["sessions_as_role"]
    role: BadgeRole
    threshold: int
    feedback_required: bool
    program_kinds: list[ProgramKind]


class DistinctPartnersRuleOut(Schema):
    type: Literal["distinct_partners"]
    threshold: int
    feedback_required: bool
    program_kinds: list[ProgramKind]


BadgeColour = Annotated[
    str,
    StringConstraints(max_length=16),
    AfterValidator(_encodable),
    Field(
        description="#RRGGBB, or empty for the organisation's accent colour.",
        examples=["#B8860B"],
    ),
]


class BadgeIn(StrictIn):
    name: Name = Field(examples=["Connector"])
    description: BadgeText = Field("", examples=["Held sessions with 10 different people."])
    colour: BadgeColour = ""
    rule: BadgeRuleIn


class BadgePatch(StrictIn):
    name: Name | None = None
    description: BadgeText | None = None
    colour: BadgeColour | None = None
    rule: BadgeRulePatch | None = None
    confirm: StrictBool = Field(
        False, description="Go ahead with a rule change that awards people at once."
    )
    confirmed: Fingerprint | None = None


class BadgeOut(Schema):
    id: str
    name: str = Field(max_length=200)
    description: str = Field(max_length=BADGE_TEXT_MAX_LENGTH)
    colour: str = Field(
        max_length=7, description="#RRGGBB, or empty for the organisation's accent colour."
    )
    enabled: bool
    default_key: str | None = Field(
        max_length=20,
        description=(
            "Which of the four badges every organisation starts with this one began as"
            " (mentor, mentee, super_mentor, connector); null for a badge added later."
        ),
    )
    rule: SessionsAsRoleRuleOut | DistinctPartnersRuleOut


class BadgeConfirmIn(StrictIn):
    confirm: StrictBool = False
    confirmed: Fingerprint | None = None


class BadgeChangeOut(Schema):
    badge: BadgeOut
    awarded: int = Field(description="How many people this change awarded the badge to.")


class BadgePersonOut(Schema):
    person_id: str = Field(
        max_length=18,
        description="The person's id: the same in every program of the organisation.",
    )
    name: str = Field(max_length=NAME_MAX_LENGTH)
    count: int = Field(
        description="Their count toward the badge: sessions in the role, or different partners."
    )


class BadgeWouldAward(Schema):
    count: int
    people: list[BadgePersonOut]


class BadgeConfirmationProblem(Problem):
    would_award: BadgeWouldAward | None = Field(
        None,
        description="When the change needs confirmation: exactly who it would award now.",
    )
    fingerprint: str | None = Field(
        None,
        max_length=128,
        description="Send it back as confirmed to go ahead with exactly these people.",
    )
    changed: bool | None = Field(
        None,
        description="True when the people differ from those the sent fingerprint was for.",
    )


class BadgeAwardOut(Schema):
    id: str
    badge_id: str
    person_id: str = Field(
        max_length=18,
        description="The recipient's id: the same in every program of the organisation.",
    )
    recipient_name: str = Field(max_length=NAME_MAX_LENGTH)
    name: str = Field(max_length=200)
    description: str
    colour: str = Field(max_length=7)
    rule: SessionsAsRoleRuleOut | DistinctPartnersRuleOut = Field(
        description="The rule it was earned under, as it was then."
    )
    issued_at: datetime
    method: Literal["automatic", "manual"]
    status: Literal["valid", "revoked"]
    revoked_at: datetime | None
    revocation_reason: str = Field(max_length=BADGE_TEXT_MAX_LENGTH)
    revocation_reason_public: bool = Field(
        description="Whether the public page shows the revocation reason."
    )
    is_public: bool = Field(description="Whether the recipient shows it on its public page.")
    public_url: str


class BadgeRevokeIn(StrictIn):
    reason: BadgeText = Field(
        description="Why it is revoked (required, not empty).", examples=["Awarded in error."]
    )
    public_reason: StrictBool = Field(
        False, description="Show the reason on the badge's public page."
    )


class BadgeUnearnedOut(Schema):
    badge_id: str
    name: str = Field(max_length=200)
    description: str = Field(max_length=BADGE_TEXT_MAX_LENGTH)
    count: int = Field(
        description="Their count toward it: sessions in the role, or different partners."
    )
    threshold: int


class ParticipantBadgesOut(Schema):
    earned: list[BadgeAwardOut]
    unearned: list[BadgeUnearnedOut]


class BadgePage(Schema):
    items: list[BadgeOut]
    next_cursor: str | None


class BadgeAwardPage(Schema):
    items: list[BadgeAwardOut]
    next_cursor: str | None
