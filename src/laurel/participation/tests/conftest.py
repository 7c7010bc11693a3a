from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from laurel.browser_testing import browser, site  # noqa: F401 - fixtures for test_browser
from laurel.certificates.factories import make_pairing, make_participant, make_program
from laurel.programs.models import Pairing, Participant, Program


@dataclass
class Pair:
    program: Program
    mentor: Participant
    mentee: Participant
    pairing: Pairing


@pytest.fixture
def pair() -> Pair:
    program = make_program(name="Engineering mentoring")
    mentor = make_participant(program, role="mentor", name="Grace Hopper")
    mentee = make_participant(program, name="Alan Turing")
    return Pair(program, mentor, mentee, make_pairing(program, mentor, mentee))


@pytest.fixture
def mentee_client(pair: Pair) -> Client:
    client = Client()
    client.force_login(pair.mentee.user)
    return client


@pytest.fixture
def outsider_client(pair: Pair) -> Client:
    """Someone in the same program, but not in the pairing."""
    outsider = make_participant(pair.program, name="Outsider")
    client = Client()
    client.force_login(outsider.user)
    return client
