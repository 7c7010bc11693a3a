"""The demo organisation: built through the services, the same every time, built once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from laurel.accounts.models import User
from laurel.badges.models import BadgeAuditEntry, BadgeDefinition, IssuedBadge
from laurel.badges.selectors import badge_standings
from laurel.badges.services import badge_disable
from laurel.certificates.activity import activity_for_user
from laurel.certificates.models import CertificateDefinition, IssuedCertificate, Progress
from laurel.demo.northwind import DEMO_LOGINS, DEMO_SLUG, email_for
from laurel.programs.models import Organisation, Program, Session

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("accounts", "programs", "certificates", "badges")
        for model in apps.get_app_config(app).get_models()
    }


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    return run_demo()


def test_it_is_idempotent(demo):
    first = row_counts()
    assert "Built the demo organisation Northwind Mentoring" in demo
    again = run_demo()
    assert "exists already" in again
    assert row_counts() == first
    # Both runs show how to sign in, as `make run` prints it before serving.
    for _, email, password in DEMO_LOGINS:
        assert f"{email}  {password}" in demo
        assert f"{email}  {password}" in again


def test_it_builds_the_same_record_every_time():
    def shape():
        return sorted(
            Progress.objects.values_list(
                "program__name", "user__name", "sessions_completed", "sessions_counting"
            )
        )

    with transaction.atomic():
        run_demo()
        first = shape()
        transaction.set_rollback(True)
    assert not Progress.objects.exists()
    run_demo()
    assert shape() == first


def test_it_builds_one_program_of_each_kind_with_images(demo):
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    assert organisation.logo
    programs = Program.objects.filter(organisation=organisation)
    assert sorted(p.kind for p in programs) == ["development", "group", "one_on_one"]
    assert all(p.banner for p in programs)
    assert 35 <= User.objects.filter(participations__isnull=False).distinct().count() <= 45


def test_it_has_sessions_in_every_state(demo):
    statuses = set(Session.objects.values_list("status", flat=True))
    assert statuses == {"scheduled", "completed", "cancelled"}
    assert Session.objects.filter(status="completed", first_feedback_at__isnull=True).exists()


def test_it_has_certificates_in_several_states(demo):
    mentorship = CertificateDefinition.objects.get(name="Mentorship Certificate")
    assert (mentorship.enabled, mentorship.rule, mentorship.threshold) == (
        True,
        "sessions_completed",
        3,
    )
    advanced = CertificateDefinition.objects.get(name__startswith="Advanced")
    assert (advanced.enabled, advanced.threshold) == (False, 8)
    manual = CertificateDefinition.objects.get(program__kind="development")
    assert manual.enabled and manual.rule == "manual" and manual.guidance
    assert IssuedCertificate.objects.filter(definition=mentorship, method="automatic").count() > 5
    assert IssuedCertificate.objects.filter(definition=manual, method="manual").count() == 1
    revoked = IssuedCertificate.objects.get(status="revoked")
    assert revoked.revocation_reason


def test_it_includes_names_beyond_ascii(demo):
    names = set(User.objects.values_list("name", flat=True))
    assert {"Zoë Ødegaard", "José Núñez", "Łucja Kowalczyk"} <= names
    assert max(len(name) for name in names) > 40


def test_its_logins_work_and_show_what_they_promise(demo):
    for _, email, password in DEMO_LOGINS:
        assert authenticate(username=email, password=password) is not None
    admin = User.objects.get(email=DEMO_LOGINS[0][1])
    assert admin.is_staff
    assert admin.administered_organisations.filter(slug=DEMO_SLUG).exists()
    mentee = User.objects.get(email=email_for("Zoë Ødegaard"))
    assert IssuedCertificate.objects.filter(user=mentee, status="valid").exists()
    mentor = User.objects.get(email=email_for("José Núñez"))
    [engineering] = [a for a in activity_for_user(user_id=mentor.pk) if a.towards]
    assert engineering.towards[0].sessions_counting < engineering.towards[0].sessions_required


def test_email_for_spells_names_in_ascii():
    assert email_for("Zoë Ødegaard") == "zoe.odegaard@northwind.example"
    assert email_for("Łucja Kowalczyk") == "lucja.kowalczyk@northwind.example"
    assert email_for("Siobhán O'Connell") == "siobhan.oconnell@northwind.example"


def test_it_enables_the_mentor_and_connector_badges(demo):
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    enabled = set(
        BadgeDefinition.objects.filter(organisation=organisation, enabled=True).values_list(
            "default_key", flat=True
        )
    )
    assert enabled == {"mentor", "connector"}
    assert IssuedBadge.objects.filter(badge__default_key="mentor").exists()
    # The demo mentor sees where she stands towards both.
    mentor = User.objects.get(email=email_for("José Núñez"))
    standings = badge_standings(organisation_id=organisation.pk, user_id=mentor.pk)
    assert {s.badge.default_key for s in standings} == {"mentor", "connector"}
    assert all(s.count > 0 for s in standings)


def test_a_demo_built_before_badges_gets_them_once_and_an_admins_choice_stands(demo):
    organisation = Organisation.objects.get(slug=DEMO_SLUG)
    BadgeAuditEntry.objects.all().delete()
    IssuedBadge.objects.all().delete()
    BadgeDefinition.objects.all().update(enabled=False)
    run_demo()
    assert set(
        BadgeDefinition.objects.filter(organisation=organisation, enabled=True).values_list(
            "default_key", flat=True
        )
    ) == {"mentor", "connector"}
    connector = BadgeDefinition.objects.get(organisation=organisation, default_key="connector")
    badge_disable(badge=connector, by=None)
    run_demo()
    connector.refresh_from_db()
    assert not connector.enabled
