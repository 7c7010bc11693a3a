"""The admin's page of one issued certificate: revoke, reinstate, correct, and its history."""

from __future__ import annotations

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.accounts.models import User
from laurel.certificates.factories import make_certificate, make_participant, make_program
from laurel.certificates.models import IssuedCertificate
from laurel.certificates.services import award_correct, award_revoke, certificate_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def award():
    program = make_program(name="Leaders")
    definition = make_certificate(
        program, threshold=None, enabled=True, name="Star", text="For {recipient_name}."
    )
    participant = make_participant(program, name="Ada Byron")
    result = certificate_award(definition=definition, by=None, participant_ids=[participant.pk])
    return IssuedCertificate.objects.get(pk=result.awarded[0])


@pytest.fixture
def admin(award, client):
    user = User.objects.create_user("admin@example.org", "Grace Admin")
    award.program.organisation.admins.add(user)
    client.force_login(user)
    return user


def page_of(client, award_id) -> str:
    response = client.get(f"/manage/awards/{award_id}/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_it_shows_the_certificate_and_its_history(client, admin, award):
    page = page_of(client, award.pk)
    assert "Ada Byron" in page
    assert "For Ada Byron." in page
    assert "Awarded by an admin" in page
    assert f"/c/{award.public_id}" in page


def test_revoke_with_a_public_reason(client, admin, award):
    response = client.post(
        f"/manage/awards/{award.pk}/revoke/",
        {"reason": "Awarded to the wrong person", "public_reason": "on"},
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.status, award.revocation_reason_public, award.revoked_by) == (
        "revoked",
        True,
        admin,
    )
    page = page_of(client, award.pk)
    assert "The certificate was revoked." in page
    assert "Awarded to the wrong person" in page
    assert "shown on the public page" in page
    public = client.get(f"/c/{award.public_id}").content.decode()
    assert "Awarded to the wrong person" in public


def test_revoke_without_a_reason_says_so_and_keeps_the_box_ticked(client, admin, award):
    response = client.post(
        f"/manage/awards/{award.pk}/revoke/", {"reason": "  ", "public_reason": "on"}
    )
    assert response.status_code == 422
    page = unescape(response.content.decode())
    assert 'id="revoke-reason-error"' in page
    assert "Give a reason; it is kept in the audit log." in page
    assert 'id="revoke-public_reason" aria-describedby="revoke-public_reason-help" checked' in page
    award.refresh_from_db()
    assert award.status == "valid"


def test_reinstate_a_revoked_certificate(client, admin, award):
    award_revoke(award=award, by=None, reason="Mistake")
    missing = client.post(f"/manage/awards/{award.pk}/reinstate/", {"reason": ""})
    assert missing.status_code == 422
    assert "Give a reason" in missing.content.decode()

    response = client.post(f"/manage/awards/{award.pk}/reinstate/", {"reason": "Checked again"})

    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == "valid"
    page = page_of(client, award.pk)
    assert "Reinstated" in page
    assert "Reason: Checked again" in page
    assert "Reason: Mistake" in page


def test_reinstating_a_valid_certificate_is_refused_with_a_message(client, admin, award):
    response = client.post(f"/manage/awards/{award.pk}/reinstate/", {"reason": "Why"}, follow=True)
    assert "only a revoked one can be reinstated" in response.content.decode()
    award.refresh_from_db()
    assert award.status == "valid"


def test_correct_a_name_issues_a_new_version_and_the_old_page_leads_to_it(client, admin, award):
    response = client.post(
        f"/manage/awards/{award.pk}/correct/",
        {"recipient_name": "Ada Lovelace", "text": "For {recipient_name}.", "reason": "Misspelt"},
    )

    new = IssuedCertificate.objects.get(public_id=award.public_id, is_current=True)
    assert response.status_code == 302
    assert response["Location"] == f"/manage/awards/{new.pk}/"
    assert (new.version, new.recipient_name, new.text) == (2, "Ada Lovelace", "For Ada Lovelace.")
    assert client.get(f"/manage/awards/{award.pk}/")["Location"] == f"/manage/awards/{new.pk}/"
    page = page_of(client, new.pk)
    assert "Version 2 was issued under the same link." in page
    assert "Name: “Ada Byron” → “Ada Lovelace”" in page
    assert "superseded" in page
    assert "Reason: Misspelt" in page


def test_a_correction_that_changes_nothing_is_refused_and_keeps_the_input(client, admin, award):
    response = client.post(
        f"/manage/awards/{award.pk}/correct/",
        {"recipient_name": "Ada Byron", "text": "For {recipient_name}.", "reason": "No change"},
    )
    assert response.status_code == 422
    page = unescape(response.content.decode())
    assert "This is what the certificate already says" in page
    assert 'value="Ada Byron"' in page
    assert "No change</textarea>" in page
    assert IssuedCertificate.objects.filter(public_id=award.public_id).count() == 1


def test_a_correction_with_an_unknown_merge_field_is_explained_next_to_the_text(
    client, admin, award
):
    response = client.post(
        f"/manage/awards/{award.pk}/correct/",
        {"recipient_name": "Ada Byron", "text": "For {nickname}.", "reason": "Wording"},
    )
    assert response.status_code == 422
    page = unescape(response.content.decode())
    assert 'id="correct-text-error"' in page
    assert "Unknown merge field {nickname}" in page


def test_only_the_organisations_admins_can_open_or_change_it(client, award):
    outsider = User.objects.create_user("out@example.org", "Out Sider")
    make_program().organisation.admins.add(outsider)
    client.force_login(outsider)
    assert client.get(f"/manage/awards/{award.pk}/").status_code == 404
    for action, data in (
        ("revoke", {"reason": "x"}),
        ("reinstate", {"reason": "x"}),
        ("correct", {"recipient_name": "Me", "text": "Me", "reason": "x"}),
    ):
        assert client.post(f"/manage/awards/{award.pk}/{action}/", data).status_code == 404
    award.refresh_from_db()
    assert (award.status, award.is_current) == ("valid", True)


def test_the_page_costs_the_same_queries_with_a_short_or_long_history(client, admin, award):
    def queries(award_id) -> int:
        with CaptureQueriesContext(connection) as captured:
            page_of(client, award_id)
        return len(captured)

    short = queries(award.pk)
    current = award
    for i in range(5):
        current = award_correct(award=current, by=None, recipient_name=f"Ada {i}", reason="x")
    award_revoke(award=current, by=None, reason="x")
    assert queries(current.pk) == short
    assert short <= 7
