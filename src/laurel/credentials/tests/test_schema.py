from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from laurel.certificates.models import IssuedCertificate
from laurel.credentials.services import credential_for

pytestmark = pytest.mark.django_db

SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
SCHEMA = json.loads((Path(__file__).parent / "schema" / SCHEMA_FILE).read_text())


def _validate(document: dict) -> None:
    jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    ).validate(document)


def test_the_schema_shipped_is_the_published_one():
    assert SCHEMA["$id"] == (
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
        "ob_v3p0_achievementcredential_schema.json"
    )
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    # The copy's bytes are the ones the README beside it records.
    digest = hashlib.sha256((Path(__file__).parent / "schema" / SCHEMA_FILE).read_bytes())
    readme = (Path(__file__).parent / "schema" / "README.md").read_text()
    assert digest.hexdigest() in readme


def test_the_schema_shipped_is_the_vc_2_0_one():
    assert SCHEMA["required"] == [
        "@context",
        "id",
        "type",
        "credentialSubject",
        "issuer",
        "validFrom",
    ]
    jsonschema.Draft201909Validator.check_schema(SCHEMA)


def test_credential_validates_against_the_open_badges_schema(make_award):
    _validate(credential_for(make_award(name="فاطمة الزهراء")))


def test_credential_with_images_validates_against_the_open_badges_schema(make_award):
    award = make_award()
    IssuedCertificate.objects.filter(pk=award.pk).update(
        logo="logos/acme.png", banner="banners/leaders.png"
    )
    award.refresh_from_db()

    document = credential_for(award)

    assert document["issuer"]["image"]["id"].endswith("/media/logos/acme.png")
    assert document["credentialSubject"]["achievement"]["image"]["type"] == "Image"
    _validate(document)


def test_the_schema_would_catch_a_credential_without_its_start_date(make_award):
    document = {k: v for k, v in credential_for(make_award()).items() if k != "validFrom"}

    with pytest.raises(jsonschema.ValidationError, match="validFrom"):
        _validate(document)
