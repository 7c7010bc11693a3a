"""Who may open what: every URL pattern and every API operation, tried by each kind of
person.

The tests enumerate the URL configuration and the served OpenAPI document, so a new page
or endpoint without a decision below fails the build. A decision says, for each actor,
what they must get:

- ``OK``: the view answers (any status below 400 that is not a redirect to sign in; for a
  POST, also a 4xx about the input, never 401, 403 or 404);
- ``LOGIN``: a redirect to the sign-in page;
- ``DENIED``: 404 (or 403), never a hint that the object exists.

The actors: ``anonymous``; ``participant``, a mentee of the organisation who holds a
certificate; ``other_admin``, the admin of another organisation; ``admin``, the
organisation's own admin. Every test gets its own fresh world, so a write by one actor
never changes what the next one sees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from laurel.accounts.models import User
from laurel.api.services import api_token_create
from laurel.api.v1 import api
from laurel.badges.factories import make_badge
from laurel.badges.models import BadgeDefinition, IssuedBadge
from laurel.badges.services import BadgeRule
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_organisation,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import certificate_award
from laurel.credentials.models import StatusList
from laurel.credentials.services import credential_issue
from laurel.notifications.services import unsubscribe_token
from laurel.programs.invitations import invitation_create, invitation_token
from laurel.webhooks.services import webhook_endpoint_create

OK, LOGIN, DENIED = "ok", "login", "denied"
# Signing out answers everyone alike, with the sign-in page.
SIGNED_OUT = "signed out"
ACTORS = ("anonymous", "participant", "other_admin", "admin")


@dataclass(frozen=True)
class Decision:
    method: str
    anonymous: str
    participant: str
    other_admin: str
    admin: str

    def expected(self, actor: str) -> str:
        return str(getattr(self, actor))


def page(anonymous: str, participant: str, other_admin: str, admin: str) -> Decision:
    return Decision("get", anonymous, participant, other_admin, admin)


def form(anonymous: str, participant: str, other_admin: str, admin: str) -> Decision:
    return Decision("post", anonymous, participant, other_admin, admin)


PUBLIC = page(OK, OK, OK, OK)
SIGNED_IN = page(LOGIN, OK, OK, OK)
PROGRAM_ADMIN = page(LOGIN, DENIED, DENIED, OK)
PROGRAM_ADMIN_FORM = form(LOGIN, DENIED, DENIED, OK)
# Signed in with a password (both admins here have one, the participant has none).
WITH_PASSWORD = page(LOGIN, DENIED, OK, OK)
# The holder's own certificate; everyone else is told it does not exist.
HOLDER_FORM = form(DENIED, OK, DENIED, DENIED)
# A pairing's own sessions: only its members; an admin of the program is not one.
MEMBER = page(LOGIN, OK, DENIED, DENIED)
MEMBER_FORM = form(LOGIN, OK, DENIED, DENIED)

# Every page, by URL name (or by route when it has no name).
PAGES: dict[str, Decision] = {
    "home": SIGNED_IN,
    "accounts:login": PUBLIC,
    "accounts:logout": form(SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT),
    "admin:login": PUBLIC,
    # The same sign-in page, with the sign-in rate limits in front of it.
    "admin/login/": PUBLIC,
    "certificates:program_certificates": PROGRAM_ADMIN,
    "console:participants": PROGRAM_ADMIN,
    "console:participants_import": PROGRAM_ADMIN,
    "console:pairings": PROGRAM_ADMIN,
    "console:pairing": PROGRAM_ADMIN,
    "console:certificates": PROGRAM_ADMIN,
    "console:certificate_new": PROGRAM_ADMIN,
    "console:certificate_preview": PROGRAM_ADMIN,
    "console:certificate_edit": PROGRAM_ADMIN,
    "console:certificate_change_confirm": PROGRAM_ADMIN,
    "console:certificate_enable": PROGRAM_ADMIN,
    "console:certificate_disable": PROGRAM_ADMIN_FORM,
    "console:reporting": PROGRAM_ADMIN,
    "console:reporting_export": PROGRAM_ADMIN,
    "console:track": PROGRAM_ADMIN,
    "console:track_award": PROGRAM_ADMIN_FORM,
    "console:award": PROGRAM_ADMIN,
    "console:award_revoke": PROGRAM_ADMIN_FORM,
    "console:award_reinstate": PROGRAM_ADMIN_FORM,
    "console:award_correct": PROGRAM_ADMIN_FORM,
    "verification:page": PUBLIC,
    "verification:pdf": PUBLIC,
    "verification:card": PUBLIC,
    "verification:preview": PUBLIC,
    "verification:visibility": HOLDER_FORM,
    "credentials:did_document": PUBLIC,
    "credentials:status_list": PUBLIC,
    "credentials:credential": PUBLIC,
    "credentials:verify": PUBLIC,
    # An issued badge's public face, as a certificate's.
    "verification:badge_page": PUBLIC,
    "verification:badge_image": PUBLIC,
    "verification:badge_card": PUBLIC,
    "verification:badge_visibility": HOLDER_FORM,
    "credentials:badge_credential": PUBLIC,
    "participation:sessions": MEMBER,
    "participation:history": MEMBER,
    "participation:schedule": MEMBER,
    "participation:complete": MEMBER_FORM,
    "participation:cancel": MEMBER_FORM,
    "participation:feedback": MEMBER,
    "participation:feedback_withdraw": MEMBER_FORM,
    # A preference of whoever is signed in, about how their own pages show times.
    "participation:timezone": form(LOGIN, OK, OK, OK),
    "api-v1:openapi-json": PUBLIC,
    "api-v1:openapi-view": PUBLIC,
    # The console.
    "console:home": SIGNED_IN,
    "console:organisation_settings": PROGRAM_ADMIN,
    "console:invitations": PROGRAM_ADMIN,
    "console:invitation_resend": PROGRAM_ADMIN_FORM,
    "console:invitation_revoke": PROGRAM_ADMIN_FORM,
    "console:program_new": PROGRAM_ADMIN,
    "console:program_settings": PROGRAM_ADMIN,
    # An invitation's link shows what it is for to whoever holds it (accepting is a POST).
    "invitation_accept": PUBLIC,
    # django-allauth's pages (accounts/): signing in, codes, password reset, two-factor.
    "account_login": PUBLIC,
    "account_logout": form(SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT),
    # Closed: people join by invitation; the page says so.
    "account_signup": PUBLIC,
    "account_inactive": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_request_login_code": PUBLIC,
    # Without a code requested first, back to the sign-in page (signed in: home).
    "account_confirm_login_code": SIGNED_IN,
    "account_email_verification_sent": PUBLIC,
    "account_confirm_email": PUBLIC,
    # An organisation knows its people by their address: nobody changes it themselves.
    "account_email": page(DENIED, DENIED, DENIED, DENIED),
    "accounts:email": page(DENIED, DENIED, DENIED, DENIED),
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    # Confirming who one is again needs a password (the participant here has none).
    "account_reauthenticate": WITH_PASSWORD,
    "account_request_reauthentication_code": WITH_PASSWORD,
    "account_confirm_reauthentication_code": SIGNED_IN,
    "mfa_index": SIGNED_IN,
    # Without a password entered first, back to the sign-in page (signed in: home).
    "mfa_authenticate": SIGNED_IN,
    "mfa_reauthenticate": WITH_PASSWORD,
    "mfa_activate_totp": WITH_PASSWORD,
    "mfa_generate_recovery_codes": WITH_PASSWORD,
    # Nobody here has an authenticator: nothing to switch off or show.
    "mfa_deactivate_totp": page(LOGIN, DENIED, DENIED, DENIED),
    "mfa_view_recovery_codes": page(LOGIN, DENIED, DENIED, DENIED),
    "mfa_download_recovery_codes": page(LOGIN, DENIED, DENIED, DENIED),
    # An email's unsubscribe link: its signed token is the authority (GET only asks).
    "notifications:unsubscribe": PUBLIC,
    "participation:settings": SIGNED_IN,
    "console:participant_emails": PROGRAM_ADMIN,
    # The organisation's badges, their holders and each issued badge: its admins only.
    "console:badges": PROGRAM_ADMIN,
    "console:badge_new": PROGRAM_ADMIN,
    "console:badge_edit": PROGRAM_ADMIN,
    "console:badge_image": PROGRAM_ADMIN_FORM,
    "console:badge_change_confirm": PROGRAM_ADMIN,
    "console:badge_enable": PROGRAM_ADMIN,
    "console:badge_disable": PROGRAM_ADMIN_FORM,
    "console:badge_holders": PROGRAM_ADMIN,
    "console:badge_award": PROGRAM_ADMIN,
    "console:badge_award_revoke": PROGRAM_ADMIN_FORM,
    "console:badge_award_reinstate": PROGRAM_ADMIN_FORM,
    # Django's admin (its own namespace) is checked model by model below.
}
# Patterns that are not pages of the product.
NOT_PAGES = {
    # Uploaded files, served by Django only while developing.
    r"^media/(?P<path>.*)$",
}

# Every API operation, by method and path as the OpenAPI document names them.
SCOPED = Decision("api", DENIED, DENIED, DENIED, OK)  # no token: 401, checked below
ANY_TOKEN = Decision("api", DENIED, DENIED, OK, OK)
OPEN = Decision("api", OK, OK, OK, OK)
OPERATIONS: dict[str, Decision] = {
    "POST /api/v1/programs": ANY_TOKEN,
    "GET /api/v1/programs": ANY_TOKEN,
    "GET /api/v1/programs/{program_id}": SCOPED,
    "POST /api/v1/programs/{program_id}/participants": SCOPED,
    "GET /api/v1/programs/{program_id}/participants": SCOPED,
    "POST /api/v1/programs/{program_id}/pairings": SCOPED,
    "POST /api/v1/pairings/{pairing_id}/sessions": SCOPED,
    "POST /api/v1/sessions/{session_id}/complete": SCOPED,
    "POST /api/v1/sessions/{session_id}/cancel": SCOPED,
    "POST /api/v1/sessions/{session_id}/feedback": SCOPED,
    "POST /api/v1/programs/{program_id}/certificates": SCOPED,
    "GET /api/v1/programs/{program_id}/certificates": SCOPED,
    "GET /api/v1/certificates/{certificate_id}": SCOPED,
    "PATCH /api/v1/certificates/{certificate_id}": SCOPED,
    "POST /api/v1/certificates/{certificate_id}/enable": SCOPED,
    "POST /api/v1/certificates/{certificate_id}/disable": SCOPED,
    "GET /api/v1/certificates/{certificate_id}/progress": SCOPED,
    "POST /api/v1/certificates/{certificate_id}/awards": SCOPED,
    "GET /api/v1/certificates/{certificate_id}/awards": SCOPED,
    "GET /api/v1/awards/{award_id}": SCOPED,
    "POST /api/v1/awards/{award_id}/revoke": SCOPED,
    "POST /api/v1/awards/{award_id}/reinstate": SCOPED,
    "POST /api/v1/awards/{award_id}/correct": SCOPED,
    "GET /api/v1/participants/{participant_id}/certificates": SCOPED,
    "GET /api/v1/badges": ANY_TOKEN,
    "POST /api/v1/badges": ANY_TOKEN,
    "GET /api/v1/badges/{badge_id}": SCOPED,
    "PATCH /api/v1/badges/{badge_id}": SCOPED,
    "POST /api/v1/badges/{badge_id}/enable": SCOPED,
    "POST /api/v1/badges/{badge_id}/disable": SCOPED,
    "GET /api/v1/badges/{badge_id}/awards": SCOPED,
    "GET /api/v1/badge-awards/{badge_award_id}": SCOPED,
    "POST /api/v1/badge-awards/{badge_award_id}/revoke": SCOPED,
    "POST /api/v1/badge-awards/{badge_award_id}/reinstate": SCOPED,
    "GET /api/v1/participants/{participant_id}/badges": SCOPED,
    "POST /api/v1/webhooks": ANY_TOKEN,
    "GET /api/v1/webhooks": ANY_TOKEN,
    "POST /api/v1/webhooks/{webhook_id}/disable": SCOPED,
    "GET /api/v1/webhooks/{webhook_id}/deliveries": SCOPED,
    "POST /api/v1/verify": OPEN,
}


# The pages whose ``public_id`` is an issued badge's.
BADGE_URLS = {
    "verification:badge_page",
    "verification:badge_image",
    "verification:badge_card",
    "verification:badge_visibility",
    "credentials:badge_credential",
}


@dataclass
class World:
    organisation: Any
    program: Any
    mentor: Any
    mentee: Any
    pairing: Any
    session: Any
    definition: Any
    award: IssuedCertificate
    badge: BadgeDefinition
    badge_award: IssuedBadge
    webhook: Any
    status_list: StatusList
    admin: User
    other_admin: User
    invitation: Any
    token: str
    other_token: str

    def value(self, name: str, url: str = "") -> object:
        """The value of one URL parameter, for the objects of this world."""
        if (url, name) in {("notifications:unsubscribe", "token")}:
            return unsubscribe_token(user_id=self.mentee.user_id, kind="award")
        if name == "public_id" and url in BADGE_URLS:
            return self.badge_award.public_id
        values: dict[str, Callable[[], object]] = {
            "program_id": lambda: self.program.pk,
            "pairing_id": lambda: self.pairing.pk,
            "session_id": lambda: self.session.pk,
            "participant_id": lambda: self.mentee.pk,
            "certificate_id": lambda: self.definition.pk,
            "definition_id": lambda: self.definition.pk,
            "award_id": lambda: self.award.pk,
            "badge_id": lambda: self.badge.pk,
            "badge_award_id": lambda: self.badge_award.pk,
            "public_id": lambda: self.award.public_id,
            "slug": lambda: self.organisation.slug,
            "number": lambda: self.status_list.number,
            "webhook_id": lambda: self.webhook.pk,
            "organisation_id": lambda: self.organisation.pk,
            "invitation_id": lambda: self.invitation.pk,
            "token": lambda: invitation_token(self.invitation),
            # A password-reset link's parts: well formed, not valid.
            "uidb36": lambda: "1",
            "key": lambda: "set-password-key",
        }
        if name not in values:
            pytest.fail(f"Say in World.value how to build the URL parameter {name!r}.")
        return values[name]()


# A valid body for each API operation that takes one, so that a refusal is about who asks,
# not about what they sent.
BODIES: dict[str, Callable[[World], dict[str, object]]] = {
    "POST /api/v1/programs": lambda w: {"name": "New program", "kind": "one_on_one"},
    "POST /api/v1/programs/{program_id}/participants": lambda w: {
        "email": "new.person@example.org",
        "name": "New Person",
        "role": "mentee",
    },
    "POST /api/v1/programs/{program_id}/pairings": lambda w: {
        "participant_ids": [str(w.mentor.pk), str(w.mentee.pk)]
    },
    "POST /api/v1/pairings/{pairing_id}/sessions": lambda w: {
        "starts_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "duration_minutes": 45,
    },
    "POST /api/v1/sessions/{session_id}/complete": lambda w: {},
    "POST /api/v1/sessions/{session_id}/cancel": lambda w: {},
    "POST /api/v1/sessions/{session_id}/feedback": lambda w: {
        "participant_id": str(w.mentor.pk),
        "rating": 4,
    },
    "POST /api/v1/programs/{program_id}/certificates": lambda w: {
        "name": "Another certificate",
        "text": "For {recipient_name}.",
        "colour": "#1F6FEB",
        "rule": {"type": "manual", "guidance": "Ask your admin."},
    },
    "PATCH /api/v1/certificates/{certificate_id}": lambda w: {"name": "Renamed"},
    "POST /api/v1/certificates/{certificate_id}/enable": lambda w: {"confirm": True},
    "POST /api/v1/certificates/{certificate_id}/disable": lambda w: {},
    "POST /api/v1/certificates/{certificate_id}/awards": lambda w: {
        "participant_ids": [str(w.mentor.pk)]
    },
    "POST /api/v1/awards/{award_id}/revoke": lambda w: {"reason": "Issued by mistake."},
    "POST /api/v1/awards/{award_id}/reinstate": lambda w: {"reason": "Revoked by mistake."},
    "POST /api/v1/awards/{award_id}/correct": lambda w: {
        "recipient_name": "Eli Mentee-Smith",
        "reason": "The name changed.",
    },
    "POST /api/v1/badges": lambda w: {
        "name": "Another badge",
        "rule": {"type": "distinct_partners", "threshold": 5},
    },
    "PATCH /api/v1/badges/{badge_id}": lambda w: {"name": "Renamed"},
    "POST /api/v1/badges/{badge_id}/enable": lambda w: {"confirm": True},
    "POST /api/v1/badges/{badge_id}/disable": lambda w: {},
    "POST /api/v1/badge-awards/{badge_award_id}/revoke": lambda w: {"reason": "Issued by mistake."},
    "POST /api/v1/badge-awards/{badge_award_id}/reinstate": lambda w: {},
    "POST /api/v1/webhooks": lambda w: {"url": "https://hooks.example.org/laurel"},
    "POST /api/v1/webhooks/{webhook_id}/disable": lambda w: {},
    "POST /api/v1/verify": lambda w: {"@context": [], "type": ["VerifiableCredential"]},
}


def build_world() -> World:
    organisation = make_organisation("Acme Mentoring")
    program = make_program(organisation, name="Engineering Mentoring")
    mentor = make_participant(program, role="mentor", name="Mia Mentor")
    mentee = make_participant(program, role="mentee", name="Eli Mentee")
    pairing = make_pairing(program, mentor, mentee)
    session = make_session(pairing, status="completed", days_ago=3)
    give_feedback(session, mentee)
    make_session(pairing, status="scheduled", starts_at=timezone.now() + timedelta(days=5))
    definition = make_certificate(program, threshold=None, enabled=True, name="Recognition")
    result = certificate_award(definition=definition, by=None, participant_ids=[mentee.pk])
    award = IssuedCertificate.objects.get(pk=result.awarded[0])
    credential_issue(award=award)
    # The mentee's completed session earns them a badge when it is enabled.
    badge = make_badge(
        organisation,
        rule=BadgeRule(type="sessions_as_role", role="mentee", threshold=1),
        name="First Session",
        enabled=True,
    )
    webhook = webhook_endpoint_create(
        organisation=organisation, url="https://hooks.example.org/acme"
    )
    admin_user = User.objects.create_user("admin@acme.example", "Ada Admin", "pw-admin-1")
    organisation.admins.add(admin_user)
    other = make_organisation("Other Mentoring")
    make_program(other, name="Their program")
    other_admin = User.objects.create_user("admin@other.example", "Otto Other", "pw-other-1")
    other.admins.add(other_admin)
    return World(
        organisation=organisation,
        program=program,
        mentor=mentor,
        mentee=mentee,
        pairing=pairing,
        session=session,
        definition=definition,
        award=award,
        badge=badge,
        badge_award=IssuedBadge.objects.get(badge=badge, user=mentee.user),
        webhook=webhook,
        status_list=StatusList.objects.get(organisation=organisation),
        admin=admin_user,
        other_admin=other_admin,
        invitation=invitation_create(
            organisation=organisation,
            by=admin_user,
            program=program,
            email="invited@example.org",
            name="Ivy Invited",
            role="mentor",
        ),
        token=api_token_create(organisation=organisation, name="acme").raw,
        other_token=api_token_create(organisation=other, name="other").raw,
    )


def client_for(world: World, actor: str) -> Client:
    client = Client()
    person = {
        "anonymous": None,
        "participant": world.mentee.user,
        "other_admin": world.other_admin,
        "admin": world.admin,
    }[actor]
    if person is not None:
        client.force_login(person)
    return client


# ---------------------------------------------------------------- enumeration


def _walk(
    patterns: list[URLPattern | URLResolver], route: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), inner)
        else:
            full = route + str(pattern.pattern)
            key = f"{namespace}{pattern.name}" if pattern.name else full
            yield key, full, pattern


def url_patterns() -> dict[str, str]:
    """Every page of the product: its key (URL name, or route) and its route."""
    found: dict[str, str] = {}
    for key, route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/") and key not in ("admin:login", "admin/login/"):
            continue
        if pattern.callback.__module__ == "ninja.operation" or key in NOT_PAGES:
            continue  # API operations are enumerated from the OpenAPI document
        if key == "api-v1:api-root":
            continue  # ninja's root route: the same view as the docs' operations
        found.setdefault(key, route)
    return found


def api_operations() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
        if method in {"get", "post", "patch", "put", "delete"}
    )


def test_every_page_has_a_decision():
    missing = sorted(set(url_patterns()) - set(PAGES))
    assert not missing, f"Decide who may open these pages in PAGES: {missing}"
    stale = sorted(set(PAGES) - set(url_patterns()))
    assert not stale, f"These PAGES entries name no URL any more: {stale}"


def test_every_api_operation_has_a_decision_and_a_body():
    operations = api_operations()
    missing = sorted(set(operations) - set(OPERATIONS))
    assert not missing, f"Decide who may call these operations in OPERATIONS: {missing}"
    stale = sorted(set(OPERATIONS) - set(operations))
    assert not stale, f"These OPERATIONS entries name no operation any more: {stale}"
    without_body = [op for op in operations if op.split()[0] != "GET" and op not in BODIES]
    assert not without_body, f"Give these operations a valid body in BODIES: {without_body}"


# ---------------------------------------------------------------- pages


def _path(world: World, route: str, key: str) -> str:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if key != route:
        return reverse(key, kwargs={name: world.value(name, key) for name in names})
    assert not names, f"Give {route!r} a URL name."
    return "/" + route


def _is_login_redirect(response: Any) -> bool:
    if response.status_code not in (301, 302, 303):
        return False
    return response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("key", sorted(PAGES))
def test_page_answers_each_actor_as_decided(db, key, actor):
    routes = url_patterns()
    if key not in routes:
        pytest.fail(f"{key} names no URL any more")
    world = build_world()
    decision = PAGES[key]
    path = _path(world, routes[key], key)
    client = client_for(world, actor)
    response = client.post(path) if decision.method == "post" else client.get(path)
    _check(response, decision.expected(actor), f"{actor} {decision.method.upper()} {path}")


def _check(response: Any, expected: str, what: str) -> None:
    status = response.status_code
    if expected == SIGNED_OUT:
        assert _is_login_redirect(response), f"{what}: {status}, expected the sign-in page"
    elif expected == LOGIN:
        assert _is_login_redirect(response), f"{what}: {status}, expected a redirect to sign in"
    elif expected == DENIED:
        assert status in (403, 404), f"{what}: {status}, expected 404"
    else:
        assert not _is_login_redirect(response), f"{what}: sent to sign in"
        assert status not in (401, 403, 404, 405), f"{what}: {status}"
        assert status < 500, f"{what}: {status}"


# ---------------------------------------------------------------- API


@pytest.mark.parametrize("who", ["no_token", "other_token", "token"])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_api_operation_answers_each_token_as_decided(db, operation, who):
    if operation not in api_operations():
        pytest.fail(f"{operation} names no operation any more")
    world = build_world()
    decision = OPERATIONS[operation]
    method, route = operation.split(" ", 1)
    path = re.sub(r"\{(\w+)\}", lambda m: str(world.value(m.group(1))), route)
    headers = {}
    if who != "no_token":
        headers["Authorization"] = f"Bearer {world.token if who == 'token' else world.other_token}"
    client = Client(headers=headers)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.generic(
            method,
            path,
            data=json.dumps(BODIES[operation](world)),
            content_type="application/json",
        )
    what = f"{who} {operation}"
    if who == "no_token":
        expected = OK if decision.anonymous == OK else "unauthorised"
    else:
        expected = decision.other_admin if who == "other_token" else decision.admin
    if expected == "unauthorised":
        assert response.status_code == 401, f"{what}: {response.status_code}"
    elif expected == DENIED:
        assert response.status_code == 404, f"{what}: {response.status_code}"
    else:
        assert response.status_code not in (401, 403, 404, 405), (
            f"{what}: {response.status_code} {response.content[:300]!r}"
        )
        assert response.status_code < 500, f"{what}: {response.status_code}"


# ---------------------------------------------------------------- Django's admin


def admin_changelists() -> list[str]:
    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    )


@pytest.mark.parametrize("name", ["admin:index", *admin_changelists()])
def test_django_admin_is_for_platform_staff_only(db, name):
    world = build_world()
    path = reverse(name)
    login = reverse("admin:login")
    for actor in ("anonymous", "participant", "other_admin", "admin"):
        response = client_for(world, actor).get(path)
        assert response.status_code == 302, f"{actor} {path}: {response.status_code}"
        assert response["Location"].startswith(login), f"{actor} {path}"
    staff = User.objects.create_user("staff@laurel.example", "Sam Staff", "pw-staff-1")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    assert client.get(path).status_code == 200
