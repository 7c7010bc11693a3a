"""Benchmark of signed credentials: sign and verify one, and issue those of 1,000 awards.

    python benchmarks/credentials.py [--awards 1000] [--repeat 200]

On SQLite it uses ``var/bench-credentials.sqlite3`` (made afresh); with ``DATABASE_URL``
set to PostgreSQL it uses that database as it is, in a new organisation. It prints the
median time to sign one credential (canonicalisation of document and proof options,
Ed25519), to verify one (the same, plus the key and status look-ups of
``credential_verify``), the time to build, sign and store the credentials of 1,000
awards (status index allocation included), and the time to bake one credential into the
card PNG (an ``iTXt`` chunk) and into the PDF (an attachment). Target: at most 15 ms to
sign or verify.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import time
from pathlib import Path

VAR = Path(__file__).resolve().parents[1] / "var"
TARGET_MS = 15.0


def prepare_database() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        path = VAR / "bench-credentials.sqlite3"
        VAR.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--awards", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    prepare_database()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from laurel.certificates.factories import make_certificate
    from laurel.certificates.models import IssuedCertificate
    from laurel.certificates.services import certificate_award
    from laurel.credentials.identity import verification_method_id
    from laurel.credentials.proofs import proof_attach, proof_verify
    from laurel.credentials.sealing import unseal
    from laurel.credentials.services import credential_issue, issuer_key_active
    from laurel.credentials.verification import credential_verify
    from laurel.programs.services import organisation_create, participant_add, program_create

    tag = secrets.token_hex(3)
    organisation = organisation_create(name=f"Bench {tag}", slug=f"bench-{tag}")
    program = program_create(organisation=organisation, name="Leaders 2026", kind="one_on_one")
    definition = make_certificate(program, threshold=None, enabled=True)
    participants = [
        participant_add(
            program=program, email=f"p{n}-{tag}@example.org", name=f"Person {n}", role="mentee"
        )
        for n in range(args.awards)
    ]
    result = certificate_award(
        definition=definition, by=None, participant_ids=[p.pk for p in participants]
    )
    awards = list(IssuedCertificate.objects.filter(pk__in=result.awarded).order_by("pk"))
    print(f"{len(awards)} awards to issue credentials for ({os.environ['DATABASE_URL'][:8]}…)")

    start = time.perf_counter()
    credentials = [credential_issue(award=award) for award in awards]
    issue_seconds = time.perf_counter() - start

    signed = credentials[0].document
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    key = issuer_key_active(organisation=organisation)
    private_key = unseal(key.sealed_private_key)
    method = verification_method_id(organisation.slug, key.key_id)
    public_key = Ed25519PublicKey.from_public_bytes(bytes(key.public_key))
    created = awards[0].issued_at

    sign_ms = median_ms(
        lambda: proof_attach(
            unsigned, private_key=private_key, verification_method=method, created=created
        ),
        args.repeat,
    )
    verify_ms = median_ms(lambda: proof_verify(signed, public_key=public_key), args.repeat)
    from django.core.cache import cache

    def verify_afresh() -> None:
        # A good signature is remembered (the public page relies on it): forget it, so
        # that every run canonicalises again.
        cache.clear()
        credential_verify(signed)

    full_verify_ms = median_ms(verify_afresh, args.repeat)
    remembered_verify_ms = median_ms(lambda: credential_verify(signed), args.repeat)
    assert credential_verify(signed).verified

    print(f"sign one credential (median of {args.repeat}):    {sign_ms:6.2f} ms")
    print(f"verify one signature (median of {args.repeat}):   {verify_ms:6.2f} ms")
    print(f"credential_verify, all checks (median):  {full_verify_ms:6.2f} ms")
    print(f"credential_verify, signature remembered: {remembered_verify_ms:6.2f} ms")
    print(
        f"issue {len(awards)} credentials (build, allocate, sign, store): {issue_seconds:.2f} s"
        f" ({issue_seconds / len(awards) * 1000:.1f} ms each)"
    )
    verdicts = ", ".join(
        f"{name} {'met' if ms <= TARGET_MS else 'missed'}"
        for name, ms in (
            ("sign", sign_ms),
            ("verify signature", verify_ms),
            ("credential_verify", full_verify_ms),
        )
    )
    print(f"target <= {TARGET_MS:.0f} ms: {verdicts}")

    bake(credentials[0].award, signed, args.repeat)


def bake(award, document, repeat: int) -> None:
    """Baking one credential into the files: the PNG chunk, and the PDF attachment (the
    PDF rendered with it, less the PDF rendered without)."""
    from laurel.rendering import Attachment, png_text, png_with_text, render_card_png, render_pdf
    from laurel.verification.selectors import certificate_face
    from laurel.verification.services import CREDENTIAL_MEDIA_TYPE, PNG_KEYWORD, credential_text

    face = certificate_face(award=award)
    text = credential_text(document)
    card = render_card_png(face)
    attachment = Attachment(
        name="credential.json", text=text, mime_type=CREDENTIAL_MEDIA_TYPE, description="x"
    )
    render_pdf(face, attachment=attachment)  # warm the compiler and its fonts
    renders = max(20, repeat // 4)
    png_ms = median_ms(lambda: png_with_text(card, keyword=PNG_KEYWORD, text=text), repeat)
    baked = png_with_text(card, keyword=PNG_KEYWORD, text=text)
    read_ms = median_ms(lambda: png_text(baked, keyword=PNG_KEYWORD), repeat)
    # Measured in turn, so that the machine's drift touches both alike.
    plain, with_credential = [], []
    for _ in range(renders):
        plain.append(median_ms(lambda: render_pdf(face), 1))
        with_credential.append(median_ms(lambda: render_pdf(face, attachment=attachment), 1))
    plain_pdf_ms = statistics.median(plain)
    baked_pdf_ms = statistics.median(with_credential)
    print(
        f"bake into the card PNG ({len(card) // 1024} KiB, iTXt chunk of {len(text)} bytes):"
        f" {png_ms * 1000:6.1f} µs; read it back: {read_ms * 1000:.1f} µs"
    )
    print(
        f"PDF with the credential attached: {baked_pdf_ms:6.2f} ms, without: {plain_pdf_ms:.2f} ms"
        f" (bake {baked_pdf_ms - plain_pdf_ms:+.2f} ms, median of {renders})"
    )


if __name__ == "__main__":
    main()
