"""JSON-LD processing with the contexts shipped in ``contexts/`` and nothing else.

Nothing is fetched: a credential that names any other context is refused. Two traps are
guarded here. Canonicalisers escape control characters differently (pyld writes U+000B
raw where JavaScript writes ``\\u000B``), so text is normalised before it is signed. And
expansion silently drops what the contexts do not define, or files it under the VC 2.0
"issuer-dependent" vocabulary; either would leave a property unsigned or meaningless, so
every document is checked before it is signed or trusted.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

CONTEXT_FILES = {
    VC_V2: "credentials-v2.json",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    "https://www.w3.org/ns/credentials/status/v1": "credentials-status-v1.json",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.json",
    MULTIKEY_V1: "multikey-v1.json",
    DID_V1: "did-v1.json",
}
_ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
# Everything below U+0020 but tab and line feed, DEL, and the C1 controls.
_UNSAFE_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class UnsafeDocument(ValueError):
    """A document that would not sign or verify the same way everywhere."""


@cache
def _context(url: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text("utf-8"))
    return loaded


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Serve the shipped contexts; refuse every other URL."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"The context {url} is not one Laurel knows; nothing is fetched.",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(_context(url)),
        # pyld keeps a "static" context resolved and processed across calls: without it
        # every canonicalisation would process the contexts again (3x slower).
        "tag": "static",
    }


_OPTIONS: dict[str, Any] = {"documentLoader": document_loader}


def normalise_text(value: str) -> str:
    """Text as it is signed: line breaks as LF, no other control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE_CONTROLS.sub("", value)


def _strings(node: Any, *, skip_context: bool) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        found: list[str] = []
        for key, value in node.items():
            if skip_context and key == "@context":
                continue
            found += _strings(value, skip_context=skip_context)
        return found
    if isinstance(node, list):
        return [s for item in node for s in _strings(item, skip_context=skip_context)]
    return []


def _leaves(node: Any) -> int:
    """How many values (strings, numbers, booleans, nulls) a document carries."""
    if isinstance(node, dict):
        if "@value" in node:
            return 1  # a literal, whatever datatype or language it carries
        return sum(_leaves(v) for k, v in node.items() if k != "@context")
    if isinstance(node, list):
        return sum(_leaves(item) for item in node)
    return 1


def _properties(node: Any) -> set[str]:
    if isinstance(node, dict):
        keys = {k for k in node if not k.startswith("@")}
        for value in node.values():
            keys |= _properties(value)
        return keys
    if isinstance(node, list):
        return set().union(*(_properties(item) for item in node)) if node else set()
    return set()


def check_document(document: dict[str, Any]) -> list[Any]:
    """Refuse what canonicalisation would not carry faithfully into the signature; return
    the expanded document, which ``canonicalise`` takes so as not to expand it twice."""
    for text in _strings(document, skip_context=True):
        if _UNSAFE_CONTROLS.search(text):
            raise UnsafeDocument(
                _(
                    "The document contains a control character, which verifiers canonicalise"
                    " differently; remove it."
                )
            )
    try:
        expanded: list[Any] = jsonld.expand(document, _OPTIONS)
    except jsonld.JsonLdError as exc:
        raise UnsafeDocument(
            _("The document is not valid JSON-LD: %(reason)s") % {"reason": _reason(exc)}
        ) from None
    undefined = sorted(
        iri.removeprefix(_ISSUER_DEPENDENT)
        for iri in _properties(expanded)
        if iri.startswith(_ISSUER_DEPENDENT)
    )
    if undefined:
        raise UnsafeDocument(
            _("These properties are not defined by the credential's contexts: %(names)s.")
            % {"names": ", ".join(undefined)}
        )
    lost = _leaves(document) - _leaves(expanded)
    if lost:
        names = _dropped_properties(document, lost)
        raise UnsafeDocument(
            _(
                "Some properties of the document are dropped by JSON-LD expansion, so they"
                " would not be signed: the contexts do not define %(names)s."
            )
            % {"names": ", ".join(names) if names else _("them")}
        )
    return expanded


def _without(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        return {
            k: _without(v, name) if k != "@context" else v for k, v in node.items() if k != name
        }
    if isinstance(node, list):
        return [_without(item, name) for item in node]
    return node


def _dropped_properties(document: dict[str, Any], lost: int) -> list[str]:
    """Which property names the lost values were under (only worked out on failure)."""
    names = []
    for name in sorted(_properties({k: v for k, v in document.items() if k != "@context"})):
        trimmed = _without(document, name)
        if _leaves(trimmed) - _leaves(jsonld.expand(trimmed, _OPTIONS)) < lost:
            names.append(name)
    return names


def canonicalise(document: dict[str, Any] | list[Any]) -> str:
    """RDF Dataset Canonicalization (RDFC-1.0, the algorithm pyld calls URDNA2015) of a
    compacted or an already expanded document."""
    options = {**_OPTIONS, "algorithm": "URDNA2015", "format": "application/n-quads"}
    try:
        canonical: str = jsonld.normalize(document, options)
    except jsonld.JsonLdError as exc:
        raise UnsafeDocument(
            _("The document is not valid JSON-LD: %(reason)s") % {"reason": _reason(exc)}
        ) from None
    return canonical


def _reason(exc: jsonld.JsonLdError) -> str:
    cause: Any = exc
    while True:
        url = (getattr(cause, "details", None) or {}).get("url")
        if url and url not in CONTEXT_FILES:
            return _(
                "it names the context %(url)s, which is not one of the contexts Laurel ships."
            ) % {"url": url}
        if not isinstance(getattr(cause, "cause", None), jsonld.JsonLdError):
            break
        cause = cause.cause
    return str(getattr(cause, "message", cause)).strip()
