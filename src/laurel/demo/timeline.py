"""Six months of a program's history, planned first and then replayed in time order.

Every step goes through the services the product uses, each passed the moment it happens
as ``now``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from laurel.programs.models import Pairing, Participant, Session
from laurel.programs.services import feedback_submit, session_schedule


@dataclass(order=True)
class Event:
    at: datetime
    sequence: int
    run: Callable[[datetime], object] = field(compare=False)


@dataclass
class Timeline:
    today: datetime
    # What people write with their feedback, picked at random.
    comments: Sequence[str] = ("",)
    events: list[Event] = field(default_factory=list)

    def days_ago(self, days: float, hour: int = 10, minute: int = 0) -> datetime:
        return (self.today - timedelta(days=days)).replace(hour=hour, minute=minute)

    def add(self, at: datetime, run: Callable[[datetime], object]) -> None:
        # Nothing in the record may claim to have happened after the real now.
        at = min(at, self.today - timedelta(minutes=5))
        self.events.append(Event(at, len(self.events), run))

    def replay(self) -> None:
        # Each step runs with the clock at its moment, so that join, feedback, award and
        # audit dates read like a real program's rather than all saying today.
        for event in sorted(self.events):
            event.run(event.at)


@dataclass
class _PlannedSession:
    """A session and what happens to it, recorded by the timeline in order."""

    pairing: Pairing
    starts_at: datetime
    duration_minutes: int
    status: str
    session: Session | None = None


def _record(planned: _PlannedSession, now: datetime) -> None:
    planned.session = session_schedule(
        pairing=planned.pairing,
        starts_at=planned.starts_at,
        duration_minutes=planned.duration_minutes,
        status=planned.status,
        now=now,
    )


def _feedback(
    planned: _PlannedSession, author: Participant, rating: int, comment: str, now: datetime
) -> None:
    assert planned.session is not None
    feedback_submit(session=planned.session, author=author, rating=rating, comment=comment, now=now)


def plan_session(
    timeline: Timeline,
    rng: random.Random,
    *,
    pairing: Pairing,
    starts_at: datetime,
    outcome: str,
    feedback_from: list[Participant],
) -> None:
    duration = rng.choice([45, 60, 60, 90])
    ends_at = starts_at + timedelta(minutes=duration)
    recorded_at = ends_at + timedelta(minutes=rng.randint(5, 90))
    if outcome == Session.Status.COMPLETED and recorded_at >= timeline.today:
        outcome = Session.Status.SCHEDULED
    planned = _PlannedSession(pairing, starts_at, duration, outcome)
    if outcome == Session.Status.COMPLETED:
        timeline.add(recorded_at, partial(_record, planned))
        for author in feedback_from:
            at = recorded_at + timedelta(hours=rng.randint(1, 60))
            if at >= timeline.today:
                continue
            rating = rng.choice([3, 4, 4, 4]) if rng.random() > 0.08 else 2
            comment = rng.choice(timeline.comments)
            timeline.add(at, partial(_feedback, planned, author, rating, comment))
    elif outcome == Session.Status.CANCELLED:
        booked = min(starts_at - timedelta(days=1), timeline.today - timedelta(hours=1))
        timeline.add(booked, partial(_record, planned))
    else:
        booked = min(starts_at - timedelta(days=rng.randint(3, 12)), timeline.today)
        timeline.add(booked, partial(_record, planned))


def plan_pairing_sessions(
    timeline: Timeline,
    rng: random.Random,
    *,
    pairing: Pairing,
    mentor: Participant,
    mentee: Participant,
    first_days_ago: int,
    every_days: int,
    diligence: float,
) -> None:
    """Sessions from the first date until a few weeks from now, with realistic gaps."""
    day = float(first_days_ago)
    while day > -30:
        starts_at = timeline.days_ago(day, hour=rng.choice([9, 10, 11, 13, 14, 15, 16]))
        if day < 0:
            outcome = Session.Status.SCHEDULED
        elif rng.random() < 0.08:
            outcome = Session.Status.CANCELLED
        else:
            outcome = Session.Status.COMPLETED
        authors: list[Participant] = []
        if rng.random() < diligence:
            pick = rng.random()
            authors = [mentee] if pick < 0.55 else [mentor] if pick < 0.8 else [mentee, mentor]
        plan_session(
            timeline,
            rng,
            pairing=pairing,
            starts_at=starts_at,
            outcome=outcome,
            feedback_from=authors,
        )
        day -= every_days + rng.randint(-2, 4)


def plan_scripted_sessions(
    timeline: Timeline,
    rng: random.Random,
    *,
    pairing: Pairing,
    mentor: Participant,
    mentee: Participant,
    script: Sequence[tuple[int, str, str]],
) -> None:
    """Sessions written out one by one: (days ago, outcome, who gives feedback)."""
    who = {"": [], "mentor": [mentor], "mentee": [mentee], "both": [mentee, mentor]}
    for days, outcome, feedback in script:
        plan_session(
            timeline,
            rng,
            pairing=pairing,
            starts_at=timeline.days_ago(days, hour=14),
            outcome=outcome,
            feedback_from=who[feedback],
        )
