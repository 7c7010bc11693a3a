"""Benchmark of the CSV import: a 100,000-row file into a fresh database.

    python benchmarks/csv_import.py [--rows 100000] [--pairings 10000]

On SQLite it uses ``var/bench-import.sqlite3`` (made afresh); with ``DATABASE_URL`` set to
PostgreSQL it uses that database as it is. It writes the file under ``var/``, imports it
(every row new, 70 % with feedback, one enabled certificate), imports it again (nothing
new), and prints both times. The import must take under 60 s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

VAR = Path(__file__).resolve().parents[1] / "var"
BUDGET_SECONDS = 60.0


def prepare_database() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        path = VAR / "bench-import.sqlite3"
        VAR.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laurel.settings")


def write_file(path: Path, *, rows: int, pairings: int) -> None:
    random.seed(7)
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    from laurel.imports.parsing import columns

    header = list(columns())
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(rows):
            p = n % pairings
            when = start + timedelta(days=n // pairings, minutes=p % 600)
            status = "cancelled" if random.random() < 0.05 else "completed"
            feedback = status == "completed" and random.random() < 0.7
            writer.writerow(
                [
                    f"pair-{p}",
                    f"mentor{p}@example.org",
                    f"Mentor {p}",
                    f"mentee{p}@example.org",
                    f"Mentee {p}",
                    f"session-{n}",
                    when.isoformat(),
                    60,
                    status,
                    random.randint(1, 4) if feedback else "",
                    "Useful session" if feedback else "",
                    "",
                    "",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pairings", type=int, default=10_000)
    args = parser.parse_args()
    prepare_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from laurel.certificates.factories import make_certificate, make_organisation, make_program
    from laurel.imports.services import record_import

    call_command("migrate", verbosity=0)
    program = make_program(make_organisation("Benchmark org"), name="Benchmark program")
    make_certificate(program, threshold=5, enabled=True)
    path = VAR / "bench-import.csv"
    write_file(path, rows=args.rows, pairings=args.pairings)
    size_mb = path.stat().st_size / 1e6
    print(f"{connection.vendor}: {args.rows} rows, {args.pairings} pairings, {size_mb:.1f} MB")

    for attempt in ("first import", "same file again"):
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as stream:
            result = record_import(program=program, stream=stream)
        seconds = time.perf_counter() - started
        print(
            f"{attempt}: {seconds:.1f} s — {result.sessions_created} sessions,"
            f" {result.feedback_created} feedback, {result.participants_created} participants,"
            f" {result.awarded} certificates awarded"
        )
        if attempt == "first import" and seconds > BUDGET_SECONDS:
            raise SystemExit(f"Over the budget of {BUDGET_SECONDS:.0f} s.")


if __name__ == "__main__":
    main()
