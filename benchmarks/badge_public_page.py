"""Server time of a badge's public page, for a badge whose image is cached, and the time
to draw a badge's files the first time.

    python benchmarks/badge_public_page.py [--requests 500]

Runs in a throwaway test database (SQLite by default; PostgreSQL with DATABASE_URL) and
prints medians of in-process requests through the whole Django stack: middleware, view,
queries and template, without the network. The page verifies the badge's signed
credential; a signature found good is remembered, so it is measured both ways. Target:
the page in at most 10 ms, as a certificate's.
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
os.environ.setdefault("LAUREL_TEST_DATABASE", "laurel_bench_badge_public_page")

TARGET_MS = 10


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
        from django.core.cache import caches

        from laurel.badges.services import badge_award_visibility
        from laurel.verification.badge_services import badge_file_ensure
        from laurel.verification.factories import make_badge_award
        from laurel.verification.models import BadgeFile

        award = make_badge_award(
            recipient="Ada Lovelace", badge="Super Mentor", organisation="Analytical Engines Ltd"
        )
        hidden = make_badge_award(recipient="Grace Hopper")
        badge_award_visibility(award=hidden, user=hidden.user, is_public=False)

        start = time.perf_counter()
        image = badge_file_ensure(award=award, kind=BadgeFile.Kind.IMAGE)
        image_in = time.perf_counter() - start
        start = time.perf_counter()
        badge_file_ensure(award=award, kind=BadgeFile.Kind.CARD)
        card_in = time.perf_counter() - start

        client = Client()
        page = f"/b/{award.public_id}"
        assert client.get(page).status_code == 200
        png = f"/b/{award.public_id}.png"

        print(
            f"database: {connection.vendor}; first drawing of the badge image (with its"
            f" credential signed): {image_in * 1000:.0f} ms, of its share card:"
            f" {card_in * 1000:.0f} ms"
        )
        warm = timings(lambda: client.get(page), count)
        report("badge page, image cached, signature remembered", warm)
        memory = caches["memory"]

        def cold() -> object:
            # Forget the remembered signature: the credential is canonicalised again.
            memory.clear()
            return client.get(page)

        report("badge page, signature checked afresh", timings(cold, count))
        report(
            "badge image, If-None-Match matches (304)",
            timings(lambda: client.get(png, HTTP_IF_NONE_MATCH=image.etag), count),
        )
        report("badge image, full body", timings(lambda: b"".join(client.get(png)), count))
        missing = {
            "404: hidden badge": f"/b/{hidden.public_id}",
            "404: unknown id": "/b/" + "0" * 32,
            "404: malformed id": "/b/not-a-badge",
        }
        samples: dict[str, list[float]] = {label: [] for label in missing}
        for _ in range(count):
            for label, url in missing.items():
                samples[label] += timings(lambda url=url: client.get(url), 1)
        for label, measured in samples.items():
            report(label, measured)
        median = statistics.median(warm) * 1000
        verdict = "met" if median <= TARGET_MS else "NOT met"
        print(f"target: badge page in at most {TARGET_MS} ms: {verdict} ({median:.2f} ms)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
