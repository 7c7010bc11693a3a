"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EdDSA).

The signature covers SHA-256 of the canonical proof options followed by SHA-256 of the
canonical document, so neither can be changed without breaking it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.utils.translation import gettext as _

from laurel.credentials import jsonld
from laurel.credentials.multibase import base58btc_encode, multibase_decode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


def _hash_data(expanded: list[Any], context: Any, proof_options: dict[str, Any]) -> bytes:
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    options["@context"] = context
    return (
        hashlib.sha256(jsonld.canonicalise(options).encode("utf-8")).digest()
        + hashlib.sha256(jsonld.canonicalise(expanded).encode("utf-8")).digest()
    )


def xsd_datetime(moment: datetime) -> str:
    """An XML Schema dateTime in UTC to the second, as credentials carry it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_attach(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """The document with a proof made by ``private_key`` (checked first, see ``jsonld``)."""
    expanded = jsonld.check_document(document)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(_hash_data(expanded, document["@context"], proof))
    proof["proofValue"] = "z" + base58btc_encode(signature)
    return {**document, "proof": proof}


class ProofError(ValueError):
    pass


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    """The document's one ``eddsa-rdfc-2022`` proof, or a ProofError saying what is wrong."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError(_("The credential must carry exactly one proof."))
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError(_("The credential has no proof: it was never signed."))
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            _(
                "The proof is not a %(type)s with the %(suite)s cryptosuite, the only kind"
                " Laurel checks."
            )
            % {"type": PROOF_TYPE, "suite": CRYPTOSUITE}
        )
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError(_("The proof's purpose is not assertionMethod."))
    for field in ("verificationMethod", "proofValue", "created"):
        if not isinstance(proof.get(field), str):
            raise ProofError(_("The proof has no %(field)s.") % {"field": field})
    return proof


def proof_verify(document: dict[str, Any], *, public_key: Ed25519PublicKey) -> None:
    """Raise ProofError unless the document's proof was made by ``public_key``."""
    proof = proof_of(document)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    try:
        expanded = jsonld.check_document(unsigned)
        data = _hash_data(expanded, unsigned.get("@context"), proof)
    except jsonld.UnsafeDocument as exc:
        raise ProofError(str(exc)) from None
    try:
        signature = multibase_decode(proof["proofValue"])
    except ValueError:
        raise ProofError(_("The proof value is not a base58btc multibase string.")) from None
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise ProofError(
            _(
                "The signature does not match the content: the credential was changed after"
                " it was signed, or signed with another key."
            )
        ) from None
