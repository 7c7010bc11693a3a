"""Running Digital Bazaar's verifier stack (``verifier/``, installed by ``make test``) on
a credential, offline, as the tests of several apps do."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from django.conf import settings

from laurel.credentials.models import StatusList
from laurel.credentials.selectors import organisation_did_document
from laurel.credentials.services import status_list_signed

VERIFIER = Path(settings.PROJECT_DIR) / "verifier"


def third_party_verify(
    tmp_path: Path, document: dict, *, slug: str, with_status: bool = True
) -> dict:
    """The verifier's report: ``verified``, ``signature``, ``status`` and ``errors``."""
    credential_file = tmp_path / "credential.json"
    credential_file.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    did_file = tmp_path / "did.json"
    did_file.write_text(json.dumps(organisation_did_document(slug)), "utf-8")
    args = ["node", str(VERIFIER / "verify.mjs"), str(credential_file), "--did", str(did_file)]
    if with_status:
        for status_list in StatusList.objects.filter(organisation__slug=slug):
            status_file = tmp_path / f"status-{status_list.number}.json"
            status_file.write_text(json.dumps(status_list_signed(status_list=status_list)))
            args += ["--status", str(status_file)]
    run = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert run.returncode in (0, 1) and run.stdout, run.stderr
    report = json.loads(run.stdout)
    assert report["verified"] is (run.returncode == 0)
    return report
