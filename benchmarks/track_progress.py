"""Server time of the Track Progress page, and of awarding a certificate to everyone a filter
matches, in a program of 100,000 participants.

``make bench`` runs it on SQLite (``var/bench-track.sqlite3``, made afresh), ``make
bench-postgres`` on PostgreSQL (database ``laurel_bench``, made afresh). The program has
the people and progress of ``benchmarks/record.py`` (its sessions are not needed: the page
reads the maintained progress table), an automatic certificate held by about half of them
(a few hundred of those revoked) and a manual one. Requests go through the whole Django
stack in this process (middleware, view, queries, template), without the network.

    python benchmarks/track_progress.py [--people 100000] [--requests 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "src"))
sys.path.insert(0, str(ROOT))

from record import Loader, prepare_database  # noqa: E402

TARGET_MS = 300


def build(people: int, seed: int) -> Any:
    from django.db import connection, transaction

    from laurel.certificates import tables as t
    from laurel.programs.services import organisation_create, program_create

    rng = random.Random(seed)
    loader = Loader()
    now = datetime.now(UTC).replace(microsecond=0)
    organisation = organisation_create(name="Benchmark Corp", slug="bench-track")
    program = program_create(organisation=organisation, name="Benchmark Program", kind="one_on_one")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t.USER}")  # noqa: S608
        first_user = cursor.fetchone()[0] + 1
    user_ids = range(first_user, first_user + people)
    with transaction.atomic():
        loader.load(
            t.USER,
            ["id", "password", "email", "name", "is_active", "is_staff", "is_superuser", "date_joined"],
            (
                (uid, "!", f"person{uid}@bench.example", f"Person {uid}", True, False, False, loader.ts(now))
                for uid in user_ids
            ),
        )  # fmt: skip
        loader.load(
            t.PARTICIPANT,
            ["id", "program_id", "user_id", "role", "joined_at"],
            (
                (i + 1, program.pk, uid, "mentor" if i % 2 == 0 else "mentee", loader.ts(now))
                for i, uid in enumerate(user_ids)
            ),
        )

        def progress() -> Any:
            # About 20 completed sessions per person, 78 % of them with feedback.
            for uid in user_ids:
                completed = rng.randint(0, 40)
                yield program.pk, uid, completed, sum(rng.random() < 0.78 for _ in range(completed))

        loader.load(
            t.PROGRESS, ["program_id", "user_id", "sessions_completed", "sessions_counting"], progress()
        )  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (t.PARTICIPANT, t.PROGRESS, t.USER):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                )
            cursor.execute("VACUUM (ANALYZE, FREEZE)")
        else:
            cursor.execute("ANALYZE")
    return program, first_user


def timings(call: Callable[[], Any], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()

    prepare_database(sqlite_name="bench-track.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from laurel.accounts.models import User
    from laurel.certificates.factories import make_certificate
    from laurel.certificates.models import IssuedCertificate
    from laurel.certificates.services import award_revoke, certificate_enable
    from laurel.outbox.models import Message

    print(f"Track Progress benchmark on {connection.vendor}")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    program, _first_user = build(args.people, args.seed)
    print(f"built: {args.people:,} participants in {time.perf_counter() - start:.1f} s")
    automatic = make_certificate(program, threshold=16, name="Sixteen sessions")
    enabled = certificate_enable(definition=automatic, by=None, confirm=True)
    for award in IssuedCertificate.objects.filter(definition=automatic).order_by("?")[:300]:
        award_revoke(award=award, by=None, reason="Benchmark")
    manual = make_certificate(program, threshold=None, enabled=True, name="Star participant")
    print(f"certificates: {enabled.awarded:,} hold “Sixteen sessions” (300 revoked); one manual")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # The floor: the bare count of the program's people, which every page runs.
        floor = statistics.median(
            timings(
                lambda: cursor.execute(
                    "SELECT COUNT(*) FROM certificates_progress WHERE program_id = %s",
                    [program.pk],
                ),
                args.requests,
            )
        )
    print(f"floor, counting the program's people: {floor * 1000:.1f} ms")

    admin = User.objects.create_user("bench-admin@bench.example", "Bench Admin")
    program.organisation.admins.add(admin)
    client = Client()
    client.force_login(admin)
    url = f"/manage/programs/{program.pk}/track/"

    def page_count(query: str) -> int:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, response.status_code
        text = response.content.decode()
        marker = "Page 1 of "
        return (
            int(text.split(marker, 1)[1].split("<", 1)[0].replace(",", "")) if marker in text else 1
        )

    views = [
        ("everyone, by name", "sort=name"),
        ("everyone, by counting sessions (most first)", "sort=-counting"),
        ("search “person1”, by name", "q=person1&sort=name"),
        ("mentors with 10 to 20 counting sessions, by completed", "role=mentor&min=10&max=20&sort=-completed"),
        ("not holding “Sixteen sessions”, by counting", f"certificate={automatic.pk}&state=not_earned&sort=-counting"),
        ("holding it revoked, by name", f"certificate={automatic.pk}&state=revoked&sort=name"),
    ]  # fmt: skip
    worst = 0.0
    for label, query in views:
        pages = page_count(query)
        figures = []
        for where, number in (("first", 1), ("middle", max(1, pages // 2)), ("last", pages)):
            samples = timings(
                lambda n=number, q=query: client.get(f"{url}?{q}&page={n}"), args.requests
            )
            median = statistics.median(samples) * 1000
            worst = max(worst, median)
            figures.append(f"{where} {median:6.1f} ms")
        print(f"{label:<52} {pages:>5,} pages: {', '.join(figures)}")
    print(f"slowest page (median of {args.requests}): {worst:.1f} ms (target < {TARGET_MS} ms)")

    award_url = f"/manage/programs/{program.pk}/track/award/"
    everyone = {"award_certificate": str(manual.pk), "scope": "all", "role": "mentee", "min": "5"}
    samples = timings(lambda: client.post(award_url, everyone), args.requests)
    print(f"confirmation of “award to all N matching”: {statistics.median(samples) * 1000:.1f} ms")
    messages_before = Message.objects.count()
    start = time.perf_counter()
    response = client.post(award_url, {**everyone, "confirm": "yes"})
    seconds = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    awarded = IssuedCertificate.objects.filter(definition=manual).count()
    emails = Message.objects.count() - messages_before
    print(
        f"award to all N matching (mentees with at least 5 counting sessions): {awarded:,} "
        f"awards and {emails:,} emails queued, committed, in {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
