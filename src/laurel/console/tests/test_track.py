"""Track Progress: finding people, and awarding a certificate to those chosen."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laurel.accounts.models import User
from laurel.certificates.factories import (
    give_feedback,
    make_certificate,
    make_pairing,
    make_participant,
    make_program,
    make_session,
)
from laurel.certificates.models import AuditEntry, IssuedCertificate
from laurel.certificates.services import award_revoke, certificate_award
from laurel.outbox.models import Message

pytestmark = pytest.mark.django_db


def admin_of(program, client):
    user = User.objects.create_user(f"admin{program.pk}@example.org", "Ada Admin")
    program.organisation.admins.add(user)
    client.force_login(user)
    return user


def names_on(response) -> list[str]:
    html = response.content.decode()
    return [unescape(n) for n in re.findall(r'<label for="tick-\d+">([^<]*)</label>', html)]


@pytest.fixture
def program():
    """Four people: Grace (mentor, 3 counting), Ada (mentee, 3), Alan (mentee, 1),
    Katherine (mentor, 1)."""
    program = make_program(name="Leaders")
    grace = make_participant(program, role="mentor", name="Grace Hopper")
    ada = make_participant(program, name="Ada Lovelace", email="ada@analytical.example")
    pairing = make_pairing(program, grace, ada)
    for days in (9, 8, 7):
        give_feedback(make_session(pairing, days_ago=days), ada)
    katherine = make_participant(program, role="mentor", name="Katherine Johnson")
    alan = make_participant(program, name="Alan Turing")
    give_feedback(make_session(make_pairing(program, katherine, alan), days_ago=3), alan)
    return program


def track(client, program, **params):
    return client.get(f"/manage/programs/{program.pk}/track/", params)


def test_it_lists_everyone_with_their_progress(client, program):
    admin_of(program, client)
    make_certificate(program, threshold=3, enabled=True, name="Three sessions")
    response = track(client, program)
    assert response.status_code == 200
    assert names_on(response) == [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
        "Katherine Johnson",
    ]
    page = response.content.decode()
    assert "Three sessions" in page
    assert "1 of 3" in page  # Alan's progress towards it
    assert page.count("pill--valid") == 2  # Grace and Ada earned it on enabling


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "lovelace"}, ["Ada Lovelace"]),
        ({"q": "analytical.example"}, ["Ada Lovelace"]),
        ({"role": "mentor"}, ["Grace Hopper", "Katherine Johnson"]),
        ({"min": "2"}, ["Ada Lovelace", "Grace Hopper"]),
        ({"max": "1"}, ["Alan Turing", "Katherine Johnson"]),
        ({"role": "mentee", "min": "1", "max": "1"}, ["Alan Turing"]),
        (
            {"sort": "-counting"},
            ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson"],
        ),
        ({"sort": "-name"}, ["Katherine Johnson", "Grace Hopper", "Alan Turing", "Ada Lovelace"]),
    ],
)
def test_search_filters_and_sorting(client, program, params, expected):
    admin_of(program, client)
    assert names_on(track(client, program, **params)) == expected


def test_filter_by_certificate_state(client, program):
    admin_of(program, client)
    definition = make_certificate(program, threshold=3, enabled=True)
    award_revoke(
        award=IssuedCertificate.objects.get(user__name="Grace Hopper"), by=None, reason="Mistake"
    )
    cid = str(definition.pk)
    assert names_on(track(client, program, certificate=cid, state="earned")) == ["Ada Lovelace"]
    assert names_on(track(client, program, certificate=cid, state="revoked")) == ["Grace Hopper"]
    assert names_on(track(client, program, certificate=cid, state="not_earned")) == [
        "Alan Turing",
        "Katherine Johnson",
    ]


def test_bad_filters_are_explained_next_to_the_field_and_kept(client, program):
    admin_of(program, client)
    response = track(client, program, min="2", max="1", state="earned", q="Ada")
    page = response.content.decode()
    assert 'id="id_max-error"' in page
    assert "Make this at least 2" in page
    assert "Choose the certificate this is about." in page
    assert 'name="min" id="id_min" value="2"' in page
    assert 'name="max" id="id_max" value="1"' in page
    # The valid part of the filter still applies.
    assert names_on(response) == ["Ada Lovelace"]


def test_pages_of_people(client, program, monkeypatch):
    monkeypatch.setattr("laurel.console.track.PER_PAGE", 3)
    admin_of(program, client)
    first = track(client, program)
    assert names_on(first) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert "Page 1 of 2" in first.content.decode()
    assert names_on(track(client, program, page="2")) == ["Katherine Johnson"]
    assert names_on(track(client, program, page="99")) == ["Katherine Johnson"]


def test_it_costs_the_same_queries_for_a_few_people_or_many(client):
    counts = []
    for people in (2, 40):
        program = make_program()
        make_certificate(program, threshold=2, enabled=True)
        definition = make_certificate(program, threshold=None, enabled=True, name="Manual")
        participants = [make_participant(program) for _ in range(people)]
        for mentor, mentee in zip(participants[::2], participants[1::2], strict=True):
            make_pairing(program, mentor, mentee)
        certificate_award(definition=definition, by=None, participant_ids=[participants[0].pk])
        admin_of(program, client)
        with CaptureQueriesContext(connection) as captured:
            response = track(client, program, role="mentee", sort="-counting")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 9  # session, user, program, certificates, and five for the page


def test_only_the_programs_admins_see_it(client, program):
    assert track(client, program).status_code == 302  # to the sign-in page
    outsider = User.objects.create_user("outsider@example.org", "Out Sider")
    make_program().organisation.admins.add(outsider)
    client.force_login(outsider)
    assert track(client, program).status_code == 404
    response = client.post(f"/manage/programs/{program.pk}/track/award/", {"scope": "all"})
    assert response.status_code == 404


def bulk(client, program, data):
    return client.post(f"/manage/programs/{program.pk}/track/award/", data)


def test_award_to_two_ticked_people_after_a_confirmation_naming_them(client, program, run_tasks):
    admin = admin_of(program, client)
    definition = make_certificate(program, threshold=None, enabled=True, name="Star mentee")
    alan = program.participants.get(user__name="Alan Turing")
    ada = program.participants.get(user__name="Ada Lovelace")
    data = {
        "award_certificate": str(definition.pk),
        "scope": "ticked",
        "participant": [str(alan.pk), str(ada.pk)],
        "role": "mentee",
    }

    confirmation = bulk(client, program, data)

    page = unescape(confirmation.content.decode())
    assert confirmation.status_code == 200
    assert "Award “Star mentee” to 2 people?" in page
    assert "Ada Lovelace" in page
    assert "Alan Turing" in page
    assert not IssuedCertificate.objects.exists()

    done = bulk(client, program, {**data, "confirm": "yes"})

    assert done.status_code == 302
    assert done["Location"] == f"/manage/programs/{program.pk}/track/?role=mentee"
    holders = IssuedCertificate.objects.filter(definition=definition)
    assert set(holders.values_list("user__name", flat=True)) == {"Ada Lovelace", "Alan Turing"}
    assert set(holders.values_list("awarded_by", flat=True)) == {admin.pk}
    assert Message.objects.count() == 2
    followed = unescape(client.get(done["Location"]).content.decode())
    assert "“Star mentee” was awarded to 2 people; they are being emailed." in followed


def test_award_to_everyone_who_matches_names_the_count_and_skips_holders(client, program):
    admin_of(program, client)
    definition = make_certificate(program, threshold=None, enabled=True, name="Mentor award")
    grace = program.participants.get(user__name="Grace Hopper")
    certificate_award(definition=definition, by=None, participant_ids=[grace.pk])
    data = {"award_certificate": str(definition.pk), "scope": "all", "role": "mentor"}

    confirmation = unescape(bulk(client, program, data).content.decode())

    assert "Award “Mentor award” to 1 person?" in confirmation
    assert "2 people match: mentors." in confirmation
    assert "1 of them already holds it and is skipped." in confirmation
    assert IssuedCertificate.objects.filter(definition=definition).count() == 1

    bulk(client, program, {**data, "confirm": "yes"})

    assert set(
        IssuedCertificate.objects.filter(definition=definition).values_list("user__name", flat=True)
    ) == {"Grace Hopper", "Katherine Johnson"}
    entry = AuditEntry.objects.filter(action="certificate.awarded_manually").latest("id")
    assert entry.data["selection"] == {"role": "mentor"}


def test_a_bulk_award_without_a_certificate_or_people_says_what_is_missing(client, program):
    admin_of(program, client)
    make_certificate(program, threshold=None, enabled=True)
    response = bulk(client, program, {"scope": "ticked", "q": "a"})
    page = unescape(response.content.decode())
    assert response.status_code == 422
    assert "Choose the certificate to award." in page
    assert "Tick the people to award, or choose everyone who matches the filter." in page
    assert 'value="a"' in page  # the search is kept
    assert not IssuedCertificate.objects.exists()


def test_people_of_another_program_cannot_be_ticked(client, program):
    admin_of(program, client)
    definition = make_certificate(program, threshold=None, enabled=True)
    stranger = make_participant(make_program(program.organisation))
    data = {
        "award_certificate": str(definition.pk),
        "scope": "ticked",
        "participant": [stranger.pk],
    }
    for extra in ({}, {"confirm": "yes"}):
        response = bulk(client, program, {**data, **extra})
        assert response.status_code == 422
    assert not IssuedCertificate.objects.exists()


def test_the_confirmation_costs_a_bounded_number_of_queries(client, program):
    admin_of(program, client)
    definition = make_certificate(program, threshold=None, enabled=True)
    ids = [str(p.pk) for p in program.participants.all()]
    for data in (
        {"award_certificate": str(definition.pk), "scope": "ticked", "participant": ids},
        {"award_certificate": str(definition.pk), "scope": "all", "q": "a"},
    ):
        with CaptureQueriesContext(connection) as captured:
            assert bulk(client, program, data).status_code == 200
        assert len(captured) <= 8
