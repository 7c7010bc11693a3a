from __future__ import annotations

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laurel.certificates.models import IssuedCertificate
from laurel.credentials.services import credential_for

pytestmark = pytest.mark.django_db


def test_credential_json_is_served_for_a_public_award(make_award, client):
    award = make_award(name="王小明")

    response = client.get(f"/c/{award.public_id}/credential.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert "王小明".encode() in response.content
    assert response.json() == credential_for(award)


def test_private_and_unknown_credentials_are_the_same_plain_404(make_award, client):
    award = make_award()
    IssuedCertificate.objects.filter(pk=award.pk).update(is_public=False)

    private = client.get(f"/c/{award.public_id}/credential.json")
    unknown = client.get("/c/0123456789abcdef0123456789abcdef/credential.json")

    assert private.status_code == unknown.status_code == 404
    assert private.content == unknown.content


def test_the_credential_url_serves_the_current_version(make_award, client):
    from laurel.certificates.services import award_correct

    award = make_award(name="Ada Lovelce")
    award_correct(
        award=award, by=None, recipient_name="Ada Lovelace", reason="The name was misspelt"
    )

    response = client.get(f"/c/{award.public_id}/credential.json")

    assert response.json()["credentialSubject"]["identifier"][0]["identityHash"] == "Ada Lovelace"


def test_api_verify_answers_checks_without_a_token(make_award, client):
    document = credential_for(make_award())

    response = client.post("/api/v1/verify", json.dumps(document), content_type="application/json")

    assert response.status_code == 200
    assert response.json()["verified"] is True
    assert [c["check"] for c in response.json()["checks"]] == [
        "signature",
        "issuer key",
        "status",
        "dates",
    ]
    assert all(c["ok"] and c["detail"] for c in response.json()["checks"])


def test_api_verify_explains_a_tampered_credential(make_award, client):
    document = copy.deepcopy(credential_for(make_award()))
    document["validFrom"] = "2001-01-01T00:00:00Z"

    body = client.post(
        "/api/v1/verify", json.dumps(document), content_type="application/json"
    ).json()

    assert body["verified"] is False
    assert body["checks"][0] == {
        "check": "signature",
        "ok": False,
        "detail": "The signature does not match the content: the credential was changed after"
        " it was signed, or signed with another key.",
    }


def test_api_verify_refuses_a_body_that_is_not_a_json_object(client):
    response = client.post("/api/v1/verify", "[1, 2]", content_type="application/json")

    assert response.status_code == 422
    assert "JSON object" in response.json()["detail"]


def test_verify_page_checks_pasted_json(make_award, client):
    document = credential_for(make_award())

    response = client.post("/verify", {"credential": json.dumps(document)})

    assert response.status_code == 200
    assert "This credential is genuine and valid." in response.content.decode()


def test_verify_page_checks_an_uploaded_file_and_explains_failures(make_award, client):
    document = copy.deepcopy(credential_for(make_award()))
    document["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    upload = SimpleUploadedFile("credential.json", json.dumps(document).encode())

    page = client.post("/verify", {"file": upload}).content.decode()

    assert "This credential does not check out." in page
    assert "changed after it was signed" in page


def test_verify_page_says_what_is_wrong_with_input_that_is_not_json(client):
    page = client.post("/verify", {"credential": "{not json"}).content.decode()

    assert "This is not valid JSON" in page
    assert "is genuine and valid" not in page


def test_verify_page_asks_for_something_to_check(client):
    page = client.post("/verify", {"credential": "  "}).content.decode()

    assert "Paste a credential or choose its file." in page


def test_verify_page_renders_literally_what_it_was_given(client):
    hostile = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "<script>alert(1)</script>",
        "validFrom": "2020-01-01T00:00:00Z",
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "assertionMethod",
            "created": "2020-01-01T00:00:00Z",
            "verificationMethod": "<script>alert(1)</script>#k",
            "proofValue": "z1",
        },
    }

    page = client.post("/verify", {"credential": json.dumps(hostile)}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
