"""Benchmark of the badge pages over the 1,000,000-session organisation.

Builds the organisation of ``benchmarks/record.py`` (one 1:1 program, 100,000
participants, 50,000 pairings, about 1,000,000 sessions) in a fresh database, computes the
badge tallies from the record, enables Mentor (10 sessions as mentor), and prints the
server time (in-process requests through the whole Django stack) and the queries of:

- the console's Badges page (each badge with its holders and the five people closest);
- the Enable confirmation of Mentee (the exact list of who it awards, first 50 names);
- Mentor's holders and history, first page and a search by name;
- a participant's activity page with their badges.

    python benchmarks/badge_pages.py [--pairings 50000] [--requests 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from record import build

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def prepare_database() -> None:
    """A fresh database of its own, so that it can run beside the other benchmarks."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1] + "_badge_pages"
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        path = ROOT / "var" / "bench-badge-pages.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairings", type=int, default=50_000)
    parser.add_argument("--sessions-per-pairing", type=int, default=20)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()

    prepare_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from laurel.accounts.models import User
    from laurel.badges.models import BadgeDefinition, IssuedBadge
    from laurel.badges.services import badge_enable, badges_tallies_rebuild
    from laurel.certificates.services import progress_rebuild
    from laurel.programs.models import Participant

    setup_test_environment()
    print(f"Badge pages benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    data = build(args.pairings, args.sessions_per_pairing, args.seed)
    program = data["program"]
    organisation = program.organisation
    progress_rebuild(program=program)
    badges_tallies_rebuild(organisation=organisation)
    mentor = BadgeDefinition.objects.get(organisation=organisation, default_key="mentor")
    result = badge_enable(badge=mentor, by=None, confirm=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"built: {data['people']:,} participants, {data['sessions']:,} sessions, "
        f"Mentor enabled and awarded to {result.awarded:,} people, "
        f"in {time.perf_counter() - start:.0f} s"
    )

    admin = User.objects.create_user(email="admin@bench.example", name="Bench Admin")
    organisation.admins.add(admin)
    client = Client()

    def server_time(url: str) -> tuple[float, int]:
        samples = []
        queries = 0
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - began)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        return statistics.median(samples) * 1000, queries

    def line(label: str, url: str) -> None:
        ms, queries = server_time(url)
        print(f"{label}: {ms:7.1f} ms (median of {args.requests}, {queries} queries)")

    client.force_login(admin)
    mentee = BadgeDefinition.objects.get(organisation=organisation, default_key="mentee")
    held = IssuedBadge.objects.filter(badge=mentor).count()
    line(
        "Badges page (4 badges, the 5 closest to each)",
        reverse("console:badges", args=[organisation.pk]),
    )
    line(
        "Enable confirmation of Mentee (exact list, first 50 names)",
        reverse("console:badge_enable", args=[mentee.pk]),
    )
    holders = reverse("console:badge_holders", args=[mentor.pk])
    line(f"Mentor's holders, first page of {held:,}", holders)
    line('Mentor\'s holders, search "person1"', f"{holders}?q=person1")
    participant = Participant.objects.filter(program=program, role="mentor").order_by("pk").first()
    assert participant is not None
    client.force_login(participant.user)
    line("a mentor's activity page with their badges", reverse("home"))


if __name__ == "__main__":
    main()
