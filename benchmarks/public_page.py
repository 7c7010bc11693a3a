"""Server time of the public certificate page, for a certificate whose files are cached.

    python benchmarks/public_page.py [--requests 500]

Runs in a throwaway test database (SQLite by default; PostgreSQL with DATABASE_URL) and
prints medians of in-process requests through the whole Django stack: middleware, view,
queries and template, without the network. The page verifies the certificate's signed
credential; a signature found good is remembered, so it is measured both ways. Target:
the page in at most 10 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")
os.environ.setdefault("LAUREL_TEST_DATABASE", "laurel_bench_public_page")


def timings(call: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    median = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
    print(f"{label:<52} {median:7.2f} ms median, {p95:7.2f} ms p95 ({len(samples)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    count = parser.parse_args().requests

    import logging

    import django

    django.setup()
    # Every 404 would be logged as a warning.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    settings.MEDIA_ROOT = Path(settings.VAR_DIR) / "bench-media"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from laurel.verification.factories import make_award
        from laurel.verification.services import award_files_render, award_visibility_set

        award = make_award(
            recipient="Ada Lovelace",
            certificate="Mentor of the Year",
            organisation="Analytical Engines Ltd",
        )
        private = make_award(recipient="Grace Hopper")
        award_visibility_set(award=private, by=private.user, is_public=False)

        start = time.perf_counter()
        files = {f.kind: f for f in award_files_render(award=award)}
        rendered_in = time.perf_counter() - start

        client = Client()
        page = f"/c/{award.public_id}"
        assert client.get(page).status_code == 200
        pdf = f"/c/{award.public_id}.pdf"
        etag = files["pdf"].etag

        print(
            f"database: {connection.vendor}; first render of the three files: "
            f"{rendered_in * 1000:.0f} ms"
        )
        report(
            "public page, files cached, signature remembered",
            timings(lambda: client.get(page), count),
        )
        from django.core.cache import caches

        def cold() -> object:
            # Forget the remembered signature (kept in the process's memory cache): the
            # credential is canonicalised and checked again.
            caches["memory"].clear()
            return client.get(page)

        report("public page, signature checked afresh", timings(cold, count))
        report(
            "PDF, If-None-Match matches (304)",
            timings(lambda: client.get(pdf, HTTP_IF_NONE_MATCH=etag), count),
        )
        report("PDF, full body", timings(lambda: b"".join(client.get(pdf)), count))
        # The three kinds of missing certificate must not be told apart by their timing:
        # measured in turn, so that drift on the machine touches all three alike.
        missing = {
            "404: private certificate": f"/c/{private.public_id}",
            "404: unknown id": "/c/" + "0" * 32,
            "404: malformed id": "/c/not-a-certificate",
        }
        samples: dict[str, list[float]] = {label: [] for label in missing}
        for _ in range(count):
            for label, url in missing.items():
                samples[label] += timings(lambda url=url: client.get(url), 1)
        for label, measured in samples.items():
            report(label, measured)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
