"""Benchmark of the admin console's reporting page and CSV export at 100,000 participants.

Builds the organisation of ``benchmarks/record.py`` (one program, 100,000 participants,
50,000 pairings, about 1,000,000 sessions, feedback on about 70 %) in a fresh database,
enables a certificate that about half the people have earned, and prints:

- the reporting page's server time (in-process requests through the whole Django stack:
  middleware, view, queries, template) on its first, middle and last page, and its queries;
- the Content > Certificates page's and the Enable confirmation's server time;
- the CSV export of everyone: time, rows, and the process's memory before and at its
  highest while streaming (the memory must not grow with the number of rows).

    python benchmarks/console.py [--pairings 50000] [--requests 7]

Target: the reporting page in under 300 ms, any page.
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
    """A fresh database of its own, so that it can run beside the record benchmark."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1] + "_console"
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        path = ROOT / "var" / "bench-console.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")


def rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


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
    from laurel.certificates.factories import make_certificate
    from laurel.certificates.services import certificate_enable, progress_rebuild

    setup_test_environment()
    print(f"Console benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    data = build(args.pairings, args.sessions_per_pairing, args.seed)
    program = data["program"]
    progress_rebuild(program=program)
    counting = sorted(data["counting_per_pairing"])
    median = max(1, counting[len(counting) // 2])
    definition = make_certificate(program, threshold=median, name="Mentorship Certificate")
    result = certificate_enable(definition=definition, by=None, confirm=True)
    make_certificate(program, threshold=median * 2, name="Advanced Certificate")
    # Measure the database as it is in its steady state, with the planner's statistics
    # counting the 51,280 new awards (autovacuum's work on a live PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"built: {data['people']:,} participants, {data['sessions']:,} sessions, "
        f"a certificate at {median} sessions awarded to {result.awarded:,} people, "
        f"in {time.perf_counter() - start:.0f} s"
    )

    admin = User.objects.create_user(email="admin@bench.example", name="Bench Admin")
    program.organisation.admins.add(admin)
    client = Client()
    client.force_login(admin)

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

    reporting = reverse("console:reporting", args=[program.pk])
    pages = -(-data["people"] // 50)
    for label, number in (("first", 1), ("middle", pages // 2), ("last", pages)):
        ms, queries = server_time(f"{reporting}?page={number}")
        print(
            f"reporting page, {label} page ({number:,} of {pages:,}): {ms:7.1f} ms "
            f"(median of {args.requests}, {queries} queries; target < 300 ms)"
        )
    ms, queries = server_time(reverse("console:certificates", args=[program.pk]))
    print(f"Content > Certificates page: {ms:7.1f} ms ({queries} queries)")
    advanced = program.certificates.get(name="Advanced Certificate")
    ms, queries = server_time(reverse("console:certificate_enable", args=[program.pk, advanced.pk]))
    print(
        f"Enable confirmation (exact list, first page of names): {ms:7.1f} ms ({queries} queries)"
    )

    before = rss_mb()
    peak = before
    began = time.perf_counter()
    response = client.get(reverse("console:reporting_export", args=[program.pk]))
    rows = 0
    size = 0
    for chunk in response.streaming_content:  # type: ignore[union-attr]
        rows += 1
        size += len(chunk)
        if rows % 2000 == 0:
            peak = max(peak, rss_mb())
    seconds = time.perf_counter() - began
    peak = max(peak, rss_mb())
    print(
        f"CSV export: {rows - 1:,} people, {size / 2**20:.1f} MB in {seconds:.1f} s; "
        f"process memory {before:.0f} MB before, {peak:.0f} MB at most while streaming"
    )


if __name__ == "__main__":
    main()
