"""Benchmark of the counting rule and the award engine at the size of a large customer.

``make bench`` runs it on SQLite (``var/bench.sqlite3``, made afresh), ``make
bench-postgres`` on PostgreSQL (database ``laurel_bench``, made afresh). It builds one
program with 100,000 participants, 50,000 pairings, about 1,000,000 sessions and
feedback on about 70% of them, then prints what it measured.

    python benchmarks/record.py [--pairings 50000] [--sessions-per-pairing 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def prepare_database(sqlite_name: str = "bench.sqlite3") -> None:
    """Point Django at a fresh benchmark database before it starts."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(__file__).resolve().parents[1] / "var" / sqlite_name
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")


def timed(call: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def median_ms(samples: Sequence[float]) -> str:
    return f"{statistics.median(samples) * 1000:.2f} ms (median of {len(samples)})"


class Loader:
    """Fast bulk loading of generated rows: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def ts(self, value: datetime) -> Any:
        # SQLite keeps datetimes as text in UTC, as Django writes them.
        return value if self.postgres else value.strftime("%Y-%m-%d %H:%M:%S")

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        count = 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"  # noqa: S608
            batch: list[Sequence[Any]] = []
            raw = cursor.cursor
            for row in rows:
                batch.append(row)
                if len(batch) == 50_000:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            raw.executemany(sql, batch)
            return count + len(batch)


def build(pairings: int, per_pairing: int, seed: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from laurel.certificates import tables as t
    from laurel.programs.services import organisation_create, program_create

    rng = random.Random(seed)
    loader = Loader()
    now = datetime.now(UTC).replace(microsecond=0)
    organisation = organisation_create(name="Benchmark Corp", slug="bench")
    program = program_create(organisation=organisation, name="Benchmark Program", kind="one_on_one")
    people = pairings * 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t.USER}")  # noqa: S608
        first_user = cursor.fetchone()[0] + 1
    user_ids = range(first_user, first_user + people)

    with transaction.atomic():
        loader.load(
            t.USER,
            [
                "id",
                "password",
                "email",
                "name",
                "is_active",
                "is_staff",
                "is_superuser",
                "date_joined",
            ],
            (
                (
                    uid,
                    "!",
                    f"person{uid}@bench.example",
                    f"Person {uid}",
                    True,
                    False,
                    False,
                    loader.ts(now),
                )
                for uid in user_ids
            ),
        )
        # Participant i is user i; even ones mentor, odd ones mentee; pairing k joins 2k, 2k+1.
        loader.load(
            t.PARTICIPANT,
            ["id", "program_id", "user_id", "role", "joined_at"],
            (
                (i + 1, program.pk, uid, "mentor" if i % 2 == 0 else "mentee", loader.ts(now))
                for i, uid in enumerate(user_ids)
            ),
        )
        loader.load(t.PROGRESS, ["program_id", "user_id", "sessions_completed", "sessions_counting"],
                    ((program.pk, uid, 0, 0) for uid in user_ids))  # fmt: skip
        loader.load(t.PAIRING, ["id", "program_id", "created_at"],
                    ((k + 1, program.pk, loader.ts(now)) for k in range(pairings)))  # fmt: skip
        loader.load(
            t.MEMBER,
            ["pairing_id", "participant_id", "user_id"],
            (
                (k + 1, 2 * k + 1 + side, first_user + 2 * k + side)
                for k in range(pairings)
                for side in (0, 1)
            ),
        )
        counting_per_pairing = [0] * pairings
        feedback_rows: list[tuple[Any, ...]] = []

        def sessions() -> Iterable[tuple[Any, ...]]:
            session_id = 0
            for k in range(pairings):
                for _ in range(rng.randint(0, 2 * per_pairing)):
                    session_id += 1
                    roll = rng.random()
                    if roll < 0.05:  # booked in the future
                        starts = now + timedelta(days=rng.randint(1, 30))
                        status, completed_at, cancelled_at = "scheduled", None, None
                    elif roll < 0.10:
                        starts = now - timedelta(days=rng.randint(1, 365))
                        status, completed_at, cancelled_at = "cancelled", None, starts
                    else:
                        starts = now - timedelta(
                            days=rng.randint(1, 365), minutes=rng.randint(0, 600)
                        )
                        status, completed_at, cancelled_at = (
                            "completed",
                            starts + timedelta(hours=1),
                            None,
                        )
                    first_feedback = None
                    if status == "completed" and rng.random() < 0.78:
                        first_feedback = starts + timedelta(hours=2)
                        counting_per_pairing[k] += 1
                        authors = rng.choice(((1,), (1,), (1,), (0,), (0, 1)))
                        for side in authors:
                            feedback_rows.append(
                                (
                                    session_id,
                                    2 * k + 1 + side,
                                    rng.randint(1, 4),
                                    "",
                                    loader.ts(first_feedback),
                                )
                            )
                    yield (
                        session_id, k + 1, loader.ts(starts), 60, loader.ts(starts + timedelta(hours=1)),
                        status, completed_at and loader.ts(completed_at),
                        cancelled_at and loader.ts(cancelled_at),
                        first_feedback and loader.ts(first_feedback),
                    )  # fmt: skip

        session_count = loader.load(
            t.SESSION,
            ["id", "pairing_id", "starts_at", "duration_minutes", "ends_at", "status",
             "completed_at", "cancelled_at", "first_feedback_at"],
            sessions(),
        )  # fmt: skip
        feedback_count = loader.load(
            t.FEEDBACK,
            ["session_id", "author_id", "rating", "comment", "created_at"],
            feedback_rows,
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (
                t.SESSION,
                t.FEEDBACK,
                t.MEMBER,
                t.PAIRING,
                t.PARTICIPANT,
                t.PROGRESS,
                t.USER,
            ):
                sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
                cursor.execute(sql)
        if connection.vendor == "postgresql":
            # Measure a database in its steady state, as it is after months of use, not in
            # the minutes after a bulk load when autovacuum and checkpoints still run.
            cursor.execute("VACUUM (ANALYZE, FREEZE)")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    sessions_with_feedback = sum(counting_per_pairing)
    return {
        "program": program,
        "now": now,
        "people": people,
        "sessions": session_count,
        "feedback": feedback_count,
        "sessions_with_feedback": sessions_with_feedback,
        "counting_per_pairing": counting_per_pairing,
        "first_user": first_user,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairings", type=int, default=50_000)
    parser.add_argument("--sessions-per-pairing", type=int, default=20)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()

    prepare_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from laurel.api.services import api_token_create
    from laurel.certificates.factories import make_certificate
    from laurel.certificates.models import IssuedCertificate
    from laurel.certificates.selectors import (
        counting_by_user,
        progress_for_user,
        would_award,
    )
    from laurel.certificates.services import certificate_enable, progress_rebuild
    from laurel.outbox.models import Message
    from laurel.programs.models import Pairing, Participant
    from laurel.programs.services import feedback_submit, session_schedule

    out = sys.stdout
    print(f"Laurel benchmark on {connection.vendor} ({connection.settings_dict['NAME']})", file=out)
    call_command("migrate", verbosity=0)
    seconds, data = timed(lambda: build(args.pairings, args.sessions_per_pairing, args.seed))
    program = data["program"]
    print(
        f"built: {data['people']:,} participants, {args.pairings:,} pairings, {data['sessions']:,} sessions, "
        f"{data['feedback']:,} feedback rows on {data['sessions_with_feedback']:,} sessions "
        f"({data['sessions_with_feedback'] / data['sessions']:.0%}) in {seconds:.1f} s",
        file=out,
    )

    seconds, rows = timed(lambda: progress_rebuild(program=program))
    print(f"progress rebuilt from the record: {rows:,} rows in {seconds:.2f} s", file=out)

    floors = []
    for _ in range(3):
        seconds, counts = timed(lambda: counting_by_user(program=program))
        floors.append(seconds)
    floor = statistics.median(floors)
    print(f"floor (bare counting aggregate over the whole program): {floor:.2f} s "
          f"(median of 3: {', '.join(f'{s:.2f}' for s in floors)}; {len(counts):,} people)", file=out)  # fmt: skip

    counting = sorted(data["counting_per_pairing"])
    threshold = max(1, counting[len(counting) // 2])
    definition = make_certificate(program, threshold=threshold, name="Benchmark Certificate")
    previews = []
    for _ in range(3):
        seconds, qualifiers = timed(lambda: would_award(definition=definition, threshold=threshold))
        previews.append(seconds)
    print(f"preview (exact list of who enabling awards, threshold {threshold}): "
          f"{len(qualifiers):,} people in {statistics.median(previews):.2f} s (median of 3)", file=out)  # fmt: skip

    tasks_before = Message.objects.count()
    enable_seconds, result = timed(
        lambda: certificate_enable(definition=definition, by=None, confirm=True)
    )
    awards = IssuedCertificate.objects.filter(definition=definition).count()
    tasks = Message.objects.count() - tasks_before
    assert awards == result.awarded == len(qualifiers), (awards, result.awarded, len(qualifiers))
    print(f"enable: awarded {result.awarded:,} of {data['people']:,} participants "
          f"({result.awarded / data['people']:.0%}), {tasks:,} outbox messages, committed, in {enable_seconds:.2f} s",
          file=out)  # fmt: skip
    ratio = enable_seconds / floor
    print(f"enable / floor: {ratio:.2f} (target <= 1.5)", file=out)

    # Pairings one counting session short of the certificate: one more feedback awards both.
    short = [k for k, c in enumerate(data["counting_per_pairing"]) if c == threshold - 1]
    rng = random.Random(args.seed)
    chosen = rng.sample(short, min(args.samples, len(short)))
    feedback_times = []
    awarded_by_feedback = 0
    for k in chosen:
        mentee = Participant.objects.get(pk=2 * k + 2)
        # A completed session nobody has given feedback on yet (not timed).
        session = session_schedule(
            pairing=Pairing.objects.get(pk=k + 1),
            starts_at=data["now"] - timedelta(hours=3),
            duration_minutes=60,
            status="completed",
        )
        before = IssuedCertificate.objects.count()
        seconds, _ = timed(partial(feedback_submit, session=session, author=mentee, rating=4))
        feedback_times.append(seconds)
        awarded_by_feedback += IssuedCertificate.objects.count() - before
    print(f"one feedback that triggers an award: {median_ms(feedback_times)}; "
          f"max {max(feedback_times) * 1000:.2f} ms; {awarded_by_feedback} awards (target median <= 20 ms)", file=out)  # fmt: skip

    users = rng.sample(range(data["first_user"], data["first_user"] + data["people"]), 200)
    progress_times = [
        timed(partial(progress_for_user, program=program, user_id=u))[0] for u in users
    ]
    print(f"one user's progress: {median_ms(progress_times)} (target <= 5 ms)", file=out)

    # The progress endpoint, page after page through the program, timed in the server
    # process (request to response, without a network in between).
    token = api_token_create(organisation=program.organisation, name="Benchmark")
    client = Client(headers={"Authorization": f"Bearer {token.raw}"})
    for limit, target in ((50, 100), (500, 300)):
        cursor = ""
        page_times = []
        for _ in range(12):
            url = f"/api/v1/certificates/{definition.pk}/progress?limit={limit}"
            seconds, response = timed(
                partial(client.get, url + (f"&cursor={cursor}" if cursor else ""))
            )
            assert response.status_code == 200, response.content[:300]
            cursor = response.json()["next_cursor"]
            page_times.append(seconds)
        print(f"progress endpoint, limit={limit}: {median_ms(page_times)} (target <= {target} ms)",
              file=out)  # fmt: skip


if __name__ == "__main__":
    main()
