"""The People page: a program's participants, searching them, adding one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laurel.accounts.models import User
from laurel.certificates.factories import make_organisation, make_program
from laurel.programs.factories import make_pairing, make_participant
from laurel.programs.models import Participant

pytestmark = pytest.mark.django_db


def url(program, **query) -> str:
    path = reverse("console:participants", args=[program.pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def admin_of(organisation) -> User:
    admin = User.objects.create_user(email=f"admin{organisation.pk}@example.org", name="Admin")
    organisation.admins.add(admin)
    return admin


@pytest.fixture
def program():
    return make_program(make_organisation("Northwind"), name="Engineering")


@pytest.fixture
def admin_client(client, program):
    client.force_login(admin_of(program.organisation))
    return client


def test_it_redirects_anonymous_visitors_to_log_in(client, program):
    response = client.get(url(program))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_is_a_404_for_another_organisations_admin_and_for_a_participant(client, program):
    client.force_login(admin_of(make_organisation("Other")))
    assert client.get(url(program)).status_code == 404
    participant = make_participant(program)
    client.force_login(participant.user)
    assert client.get(url(program)).status_code == 404
    assert client.post(url(program), {"name": "X", "email": "x@example.org"}).status_code == 404
    assert not Participant.objects.filter(user__email="x@example.org").exists()


def test_it_lists_each_person_once_with_their_roles(admin_client, program):
    grace = make_participant(program, name="Grace Hopper", role="mentor", email="grace@example.org")
    make_participant(program, name="Grace Hopper", role="mentee", email="grace@example.org")
    ada = make_participant(program, name="Ada Lovelace", email="ada@example.org")
    make_pairing(program, grace, ada)

    response = admin_client.get(url(program))

    assert response.status_code == 200
    people = response.context["listing"].people
    assert [(p.name, p.roles, p.pairings) for p in people] == [
        ("Ada Lovelace", ["mentee"], 1),
        ("Grace Hopper", ["mentee", "mentor"], 1),
    ]
    page = response.content.decode()
    assert "<strong>2</strong> people" in page
    assert 'aria-current="page">People</a>' in page


def test_it_finds_people_by_part_of_their_name_or_address(admin_client, program):
    make_participant(program, name="Grace Hopper", email="grace@navy.example")
    make_participant(program, name="Ada Lovelace", email="ada@example.org")

    by_name = admin_client.get(url(program, q="lovel"))
    by_address = admin_client.get(url(program, q="NAVY"))
    nobody = admin_client.get(url(program, q="turing"))

    assert [p.name for p in by_name.context["listing"].people] == ["Ada Lovelace"]
    assert [p.name for p in by_address.context["listing"].people] == ["Grace Hopper"]
    assert "Nobody in this program has “turing”" in nobody.content.decode()


def test_it_pages_through_many_people_keeping_the_search(admin_client, program):
    for n in range(55):
        make_participant(program, name=f"Person {n:02}", email=f"p{n}@example.org")

    first = admin_client.get(url(program, q="person"))
    second = admin_client.get(url(program, q="person", page=2))

    assert len(first.context["listing"].people) == 50
    assert [p.name for p in second.context["listing"].people] == [
        f"Person {n}" for n in range(50, 55)
    ]
    assert "?q=person&amp;page=2" in first.content.decode()


def test_adding_a_participant_adds_them_and_says_so(admin_client, program):
    response = admin_client.post(
        url(program), {"name": "Ada Lovelace", "email": "Ada@Example.org", "role": "mentee"}
    )

    assert response.status_code == 302
    participant = Participant.objects.get(program=program)
    assert (participant.user.email, participant.user.name, participant.role) == (
        "ada@example.org",
        "Ada Lovelace",
        "mentee",
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "Ada Lovelace is now in the program as a mentee." in page


def test_someone_known_by_their_address_is_reused_under_their_name(admin_client, program):
    known = make_participant(make_program(), name="Ada King", email="ada@example.org").user

    response = admin_client.post(
        url(program),
        {"name": "Ada Lovelace", "email": "ada@example.org", "role": "mentor"},
        follow=True,
    )

    assert Participant.objects.get(program=program).user_id == known.pk
    assert "ada@example.org was already known as Ada King" in response.content.decode()


def test_bad_input_is_shown_next_to_its_field_and_kept(admin_client, program):
    response = admin_client.post(
        url(program), {"name": "Ada <b>Lovelace</b>", "email": "not an address", "role": ""}
    )

    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    assert form.errors == {"role": ["Choose a role: mentor or mentee."]}
    assert 'value="Ada &lt;b&gt;Lovelace&lt;/b&gt;"' in page
    assert 'value="not an address"' in page
    assert not Participant.objects.exists()


def test_an_address_the_service_refuses_is_explained_next_to_the_email_field(admin_client, program):
    response = admin_client.post(
        url(program), {"name": "Ada", "email": "not an address", "role": "mentee"}
    )

    assert response.context["form"].errors == {
        "email": ["'not an address' is not an email address."]
    }
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_email_error"' in page
    assert 'id="id_email_error"' in page


def test_adding_someone_twice_in_the_same_role_is_refused_next_to_the_email(admin_client, program):
    make_participant(program, name="Ada", email="ada@example.org", role="mentee")

    response = admin_client.post(
        url(program), {"name": "Ada", "email": "ada@example.org", "role": "mentee"}
    )

    assert response.context["form"].errors == {
        "email": ["ada@example.org is already a mentee in this program."]
    }
    assert Participant.objects.filter(program=program).count() == 1


def test_the_page_costs_the_same_queries_for_few_and_many_people(
    admin_client, program, django_assert_max_num_queries
):
    for n in range(60):
        person = make_participant(program, name=f"Person {n:02}", role="mentor")
        make_pairing(program, person, make_participant(program, name=f"Mentee {n:02}"))

    with django_assert_max_num_queries(9):
        response = admin_client.get(url(program, q="person", page=2))
    assert response.status_code == 200
