"""The Pairings pages: the list, pairing two people, and one pairing's sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from laurel.accounts.models import User
from laurel.certificates.factories import make_organisation, make_program
from laurel.programs.factories import give_feedback, make_pairing, make_participant, make_session
from laurel.programs.models import Pairing, PairingMember

pytestmark = pytest.mark.django_db


def admin_of(organisation) -> User:
    admin = User.objects.create_user(email=f"admin{organisation.pk}@example.org", name="Admin")
    organisation.admins.add(admin)
    return admin


def pairings_url(program) -> str:
    return reverse("console:pairings", args=[program.pk])


def pairing_url(pairing) -> str:
    return reverse("console:pairing", args=[pairing.pk])


@pytest.fixture
def program():
    return make_program(make_organisation("Northwind"), name="Engineering")


@pytest.fixture
def admin_client(client, program):
    client.force_login(admin_of(program.organisation))
    return client


@pytest.fixture
def people(program):
    return {
        "grace": make_participant(program, name="Grace Hopper", role="mentor"),
        "alan": make_participant(program, name="Alan Turing", role="mentor"),
        "ada": make_participant(program, name="Ada Lovelace", role="mentee"),
        "joan": make_participant(program, name="Joan Clarke", role="mentee"),
    }


def members(pairing) -> set[int]:
    return set(
        PairingMember.objects.filter(pairing=pairing).values_list("participant_id", flat=True)
    )


def test_the_pages_are_for_the_programs_admins_only(client, program, people):
    pairing = make_pairing(program, people["grace"], people["ada"])
    for url in (pairings_url(program), pairing_url(pairing)):
        assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    client.force_login(admin_of(make_organisation("Other")))
    for url in (pairings_url(program), pairing_url(pairing)):
        assert client.get(url).status_code == 404
    client.force_login(people["ada"].user)
    assert client.get(pairing_url(pairing)).status_code == 404
    response = client.post(
        pairings_url(program),
        {"action": "create", "mentor": people["alan"].pk, "mentee": people["joan"].pk},
    )
    assert response.status_code == 404
    assert Pairing.objects.count() == 1


def test_pairing_a_mentor_with_a_mentee_opens_the_new_pairing(admin_client, program, people):
    response = admin_client.post(
        pairings_url(program),
        {"action": "create", "mentor": people["grace"].pk, "mentee": people["ada"].pk},
    )

    pairing = Pairing.objects.get(program=program)
    assert response.status_code == 302
    assert response["Location"] == pairing_url(pairing)
    assert members(pairing) == {people["grace"].pk, people["ada"].pk}
    page = admin_client.get(response["Location"]).content.decode()
    assert "Grace Hopper and Ada Lovelace are now paired." in page
    assert "<h1>Grace Hopper &amp; Ada Lovelace</h1>" in page


def test_each_list_is_searched_and_what_was_chosen_stays_chosen(admin_client, program, people):
    response = admin_client.post(
        pairings_url(program),
        {
            "action": "search",
            "mentor": people["grace"].pk,
            "mentor_search": "",
            "mentee_search": "lovel",
        },
    )

    assert response.status_code == 200
    choices = response.context["choices"]
    assert [p.user.name for p in choices["mentor"].options] == ["Alan Turing", "Grace Hopper"]
    assert [p.user.name for p in choices["mentee"].options] == ["Ada Lovelace"]
    page = response.content.decode()
    assert f'<option value="{people["grace"].pk}" selected>' in page
    assert 'value="lovel"' in page
    assert not response.context["form"].errors
    assert not Pairing.objects.exists()


def test_a_chosen_person_stays_in_the_list_when_a_search_leaves_them_out(
    admin_client, program, people
):
    response = admin_client.post(
        pairings_url(program),
        {"action": "search", "mentor": people["grace"].pk, "mentor_search": "turing"},
    )
    names = [p.user.name for p in response.context["choices"]["mentor"].options]
    assert names == ["Grace Hopper", "Alan Turing"]


def test_the_lists_show_fifty_people_and_say_how_many_match(admin_client, program):
    for n in range(53):
        make_participant(program, name=f"Mentor {n:02}", role="mentor")

    response = admin_client.get(pairings_url(program))

    assert len(response.context["choices"]["mentor"].options) == 50
    assert "The first 50 of 53; search to narrow the list." in response.content.decode()


def test_both_people_must_be_chosen(admin_client, program, people):
    response = admin_client.post(
        pairings_url(program), {"action": "create", "mentor": people["grace"].pk}
    )
    assert response.context["form"].errors == {"mentee": ["Choose a mentee."]}
    assert f'<option value="{people["grace"].pk}" selected>' in response.content.decode()
    assert not Pairing.objects.exists()


def test_someone_from_another_program_cannot_be_chosen(admin_client, program, people):
    stranger = make_participant(make_program(program.organisation), role="mentee")
    response = admin_client.post(
        pairings_url(program),
        {"action": "create", "mentor": people["grace"].pk, "mentee": stranger.pk},
    )
    assert response.context["form"].errors == {
        "mentee": ["Choose someone from this program's list; search to find them."]
    }
    assert not Pairing.objects.exists()


def test_a_person_cannot_be_paired_with_themselves(admin_client, program):
    as_mentor = make_participant(program, name="Grace", role="mentor", email="g@example.org")
    as_mentee = make_participant(program, name="Grace", role="mentee", email="g@example.org")
    response = admin_client.post(
        pairings_url(program),
        {"action": "create", "mentor": as_mentor.pk, "mentee": as_mentee.pk},
    )
    assert response.context["form"].errors == {
        "mentee": ["A person cannot be paired with themselves."]
    }
    assert not Pairing.objects.exists()


def test_pairing_the_same_two_again_is_refused_with_a_link_to_their_pairing(
    admin_client, program, people
):
    existing = make_pairing(program, people["grace"], people["ada"])
    response = admin_client.post(
        pairings_url(program),
        {"action": "create", "mentor": people["grace"].pk, "mentee": people["ada"].pk},
    )
    assert response.context["form"].non_field_errors() == [
        f"These participants are already paired in this program (pairing {existing.pk})."
    ]
    assert f'href="{pairing_url(existing)}"' in response.content.decode()
    assert Pairing.objects.count() == 1


def test_the_list_shows_members_and_how_sessions_stand(admin_client, program, people):
    pairing = make_pairing(program, people["grace"], people["ada"])
    give_feedback(make_session(pairing, days_ago=9), people["ada"])
    make_session(pairing, days_ago=2)
    make_session(pairing, status="scheduled", days_ago=-3)
    make_pairing(program, people["alan"], people["joan"])

    response = admin_client.get(pairings_url(program) + "?q=grace")

    rows = response.context["listing"].pairings
    assert [
        ([m.name for m in r.members], r.sessions, r.completed, r.waiting_for_feedback) for r in rows
    ] == [(["Grace Hopper", "Ada Lovelace"], 3, 2, 1)]
    assert f'href="{pairing_url(pairing)}"' in response.content.decode()


def test_the_pairing_page_shows_sessions_and_who_said_what(admin_client, program, people):
    pairing = make_pairing(program, people["grace"], people["ada"])
    earlier = make_session(pairing, starts_at=timezone.now() - timedelta(days=9))
    give_feedback(earlier, people["ada"], rating=3, comment="Clear <b>advice</b>")
    give_feedback(earlier, people["grace"], rating=4)
    make_session(pairing, starts_at=timezone.now() - timedelta(days=2))
    make_session(pairing, status="cancelled", starts_at=timezone.now() + timedelta(days=5))

    response = admin_client.get(pairing_url(pairing))

    assert response.status_code == 200
    sessions = response.context["record"].sessions
    assert [(r.session.status, r.waiting_for_feedback) for r in sessions] == [
        ("cancelled", False),
        ("completed", True),
        ("completed", False),
    ]
    assert [(f.author.name, f.rating) for f in sessions[2].feedback] == [
        ("Ada Lovelace", 3),
        ("Grace Hopper", 4),
    ]
    page = response.content.decode()
    assert "Clear &lt;b&gt;advice&lt;/b&gt;" in page
    assert "Rated 3 of 4" in page
    assert "Completed, waiting for feedback" in page
    assert 'aria-current="page">Pairings</a>' in page


def test_the_pages_cost_the_same_queries_for_few_and_many(
    admin_client, program, people, django_assert_max_num_queries
):
    for n in range(55):
        mentor = make_participant(program, name=f"Mentor {n:02}", role="mentor")
        pairing = make_pairing(program, mentor, make_participant(program, name=f"Mentee {n:02}"))
    for day in range(55):
        session = make_session(pairing, days_ago=day + 1)
        if day % 2:
            give_feedback(session, mentor)

    with django_assert_max_num_queries(11):
        assert admin_client.get(pairings_url(program) + "?page=2&q=ment").status_code == 200
    with django_assert_max_num_queries(12):
        response = admin_client.post(
            pairings_url(program),
            {"action": "search", "mentor_search": "men", "mentor": mentor.pk},
        )
        assert response.status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(pairing_url(pairing) + "?page=2").status_code == 200
