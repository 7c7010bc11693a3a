"""Benchmark of the badge engine over the 1,000,000-session organisation.

Builds the organisation of ``benchmarks/record.py`` (one 1:1 program, 100,000
participants, 50,000 pairings, about 1,000,000 sessions, feedback on about 70 %) in a
fresh database, computes the badge tallies from the record, and prints:

- the floor: the plain GROUP BY of completed sessions per person in a role over the
  record (and, for Connector, of the different people each person met), measured in
  the same run;
- the time of the exact preview of who enabling a badge awards (the aggregate over the
  kept tallies), and to enable it (Mentor at 10 sessions, Connector at 10 people), awards
  committed, and its ratio to the floor (target <= 1.5); then of lowering Connector to
  1 person, which awards almost everyone (nobody in this record meets two people);
- the median time of one feedback that awards a badge and a certificate at once
  (target <= 20 ms).

    python benchmarks/badges.py [--pairings 50000] [--samples 50]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from datetime import timedelta
from functools import partial
from pathlib import Path

from record import build, median_ms, timed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def prepare_database() -> None:
    """A fresh database of its own, so that it can run beside the other benchmarks."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = url.rsplit("/", 1)[1] + "_badges"
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        path = ROOT / "var" / "bench-badges.sqlite3"
        path.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")


def floor_sql(*, role: str | None) -> str:
    """The bare aggregate over the record: completed sessions per person in a role, or
    (``role`` None) the different people each person held completed sessions with."""
    from laurel.badges import tables as t

    if role is None:
        return f"""
            SELECT m.user_id, COUNT(DISTINCT o.user_id)
            FROM {t.SESSION} s
            JOIN {t.PAIRING} p ON p.id = s.pairing_id
            JOIN {t.PROGRAM} pr ON pr.id = p.program_id
            JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
            JOIN {t.MEMBER} o ON o.pairing_id = s.pairing_id AND o.user_id <> m.user_id
            WHERE pr.organisation_id = %s AND pr.kind = 'one_on_one' AND s.status = 'completed'
            GROUP BY m.user_id
        """  # noqa: S608
    return f"""
        SELECT m.user_id, COUNT(*)
        FROM {t.SESSION} s
        JOIN {t.PAIRING} p ON p.id = s.pairing_id
        JOIN {t.PROGRAM} pr ON pr.id = p.program_id
        JOIN {t.MEMBER} m ON m.pairing_id = s.pairing_id
        JOIN {t.PARTICIPANT} pt ON pt.id = m.participant_id
        WHERE pr.organisation_id = %s AND pr.kind = 'one_on_one' AND s.status = 'completed'
          AND pt.role = '{role}'
        GROUP BY m.user_id
    """  # noqa: S608


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

    from laurel.badges.models import BadgeDefinition, IssuedBadge
    from laurel.badges.selectors import badge_would_award
    from laurel.badges.services import (
        BadgeRule,
        badge_create,
        badge_enable,
        badge_update,
        badges_tallies_rebuild,
    )
    from laurel.certificates.factories import make_certificate
    from laurel.certificates.models import IssuedCertificate
    from laurel.certificates.services import certificate_enable, progress_rebuild
    from laurel.programs.models import Pairing, Participant
    from laurel.programs.services import feedback_submit, session_schedule

    print(f"Badge benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    seconds, data = timed(lambda: build(args.pairings, args.sessions_per_pairing, args.seed))
    program = data["program"]
    organisation = program.organisation
    print(
        f"built: {data['people']:,} participants, {args.pairings:,} pairings, "
        f"{data['sessions']:,} sessions in {seconds:.1f} s"
    )
    seconds, rows = timed(lambda: badges_tallies_rebuild(organisation=organisation))
    print(f"badge tallies rebuilt from the record: {rows:,} rows in {seconds:.2f} s")
    progress_rebuild(program=program)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def aggregate(role: str | None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(floor_sql(role=role), [organisation.pk])
            return len(cursor.fetchall())

    def floor(role: str | None) -> float:
        return statistics.median(timed(partial(aggregate, role))[0] for _ in range(3))

    for key, role in (("mentor", "mentor"), ("connector", None)):
        badge = BadgeDefinition.objects.get(organisation=organisation, default_key=key)
        bare = floor(role)
        what = "completed sessions per mentor" if role else "different people met per person"
        print(
            f"floor (bare GROUP BY of {what} over the record): {bare * 1000:.0f} ms (median of 3)"
        )
        seconds, preview = timed(lambda badge=badge: badge_would_award(badge=badge))
        print(
            f"preview of {badge.name} at {badge.threshold} (exact list, {len(preview):,} people): "
            f"{seconds * 1000:.0f} ms; / floor: {seconds / bare:.2f}"
        )
        seconds, result = timed(
            lambda badge=badge: badge_enable(badge=badge, by=None, confirm=True)
        )
        held = IssuedBadge.objects.filter(badge=badge).count()
        assert held == result.awarded, (held, result.awarded)
        print(
            f"enable {badge.name} at {badge.threshold}: awarded {result.awarded:,} people, "
            f"committed, in {seconds * 1000:.0f} ms; enable / floor: {seconds / bare:.2f} "
            "(target <= 1.5)"
        )

    # Nobody in this record meets more than one person, so Connector at 10 awards nobody:
    # lowering it to 1 (a rule change of an enabled badge) awards almost everyone.
    connector = BadgeDefinition.objects.get(organisation=organisation, default_key="connector")
    lower = BadgeRule(type="distinct_partners", threshold=1)
    seconds, changed = timed(
        lambda: badge_update(
            badge=connector,
            by=None,
            name=connector.name,
            description=connector.description,
            colour="",
            rule=lower,
            confirm=True,
        )
    )
    print(
        f"lower Connector to 1: awarded {changed.awarded:,} people, committed, in "
        f"{seconds * 1000:.0f} ms; / floor: {seconds / floor(None):.2f} (target <= 1.5)"
    )

    # One feedback that awards a certificate and a badge at once: a certificate at the
    # median of counting sessions, and a badge for as many mentee sessions with feedback.
    counting = sorted(data["counting_per_pairing"])
    threshold = max(1, counting[len(counting) // 2])
    definition = make_certificate(program, threshold=threshold, name="Benchmark Certificate")
    certificate_enable(definition=definition, by=None, confirm=True)
    badge = badge_create(
        organisation=organisation, by=None, name="Engaged Mentee", description="", colour="",
        rule=BadgeRule(type="sessions_as_role", role="mentee", threshold=threshold,
                       feedback_required=True),
    )  # fmt: skip
    badge_enable(badge=badge, by=None, confirm=True)
    short = [k for k, c in enumerate(data["counting_per_pairing"]) if c == threshold - 1]
    rng = random.Random(args.seed)
    chosen = rng.sample(short, min(args.samples, len(short)))
    feedback_times = []
    certificates = badges = 0
    for k in chosen:
        mentee = Participant.objects.get(pk=2 * k + 2)
        # A completed session nobody has given feedback on yet (not timed).
        session = session_schedule(
            pairing=Pairing.objects.get(pk=k + 1),
            starts_at=data["now"] - timedelta(hours=3),
            duration_minutes=60,
            status="completed",
        )
        certificates_before = IssuedCertificate.objects.count()
        badges_before = IssuedBadge.objects.filter(badge=badge).count()
        seconds, _ = timed(partial(feedback_submit, session=session, author=mentee, rating=4))
        feedback_times.append(seconds)
        certificates += IssuedCertificate.objects.count() - certificates_before
        badges += IssuedBadge.objects.filter(badge=badge).count() - badges_before
    assert badges == len(chosen) and certificates == 2 * len(chosen), (badges, certificates)
    print(
        f"one feedback that awards a badge and a certificate: {median_ms(feedback_times)}; "
        f"max {max(feedback_times) * 1000:.2f} ms; {badges} badges and {certificates} "
        "certificates awarded (target median <= 20 ms)"
    )


if __name__ == "__main__":
    main()
