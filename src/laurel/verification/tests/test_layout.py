"""An issued certificate is drawn in the layout frozen into it, whatever its certificate
says now."""

from __future__ import annotations

import pytest

from laurel.certificates.services import certificate_update
from laurel.verification.factories import make_award
from laurel.verification.selectors import certificate_face

pytestmark = pytest.mark.django_db


def test_the_face_carries_the_frozen_layout():
    award = make_award()
    assert certificate_face(award=award).layout == "classic"
    certificate_update(definition=award.definition, by=None, layout="modern")
    award.refresh_from_db()
    assert certificate_face(award=award).layout == "classic"
    award.layout = "modern"
    assert certificate_face(award=award).layout == "modern"
