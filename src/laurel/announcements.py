"""Telling other apps what happened, without knowing who they are.

A lower layer (the mentorship record, the award engine) announces a fact; the apps above it
that care listen, each subscribing once when Django starts (``AppConfig.ready``). Listeners
run synchronously, in the order they subscribed, inside the announcer's transaction: what
they write commits or rolls back with the change that caused it, and an error in one rolls
the change back too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Event = TypeVar("Event")


class Announcer(Generic[Event]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[[Event], object]] = []

    def listen(self, listener: Callable[[Event], object]) -> Callable[[Event], object]:
        """Subscribe ``listener``; subscribing it again changes nothing."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def announce(self, event: Event) -> None:
        for listener in self._listeners:
            listener(event)

    def __repr__(self) -> str:
        return f"<Announcer {self.name}: {len(self._listeners)} listener(s)>"
