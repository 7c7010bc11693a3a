"""Emails, reminders and what people chose to receive. Each module holds one idea."""

from laurel.notifications.services.emails import (
    award_email_send,
    badge_email_send,
    reminder_email_send,
)
from laurel.notifications.services.preferences import (
    email_preferences_set,
    email_unsubscribe,
    unsubscribe_token,
    unsubscribe_token_read,
)
from laurel.notifications.services.reminders import (
    RemindersResult,
    reminders_due_send,
    reminders_send,
)

__all__ = [
    "RemindersResult",
    "award_email_send",
    "badge_email_send",
    "email_preferences_set",
    "email_unsubscribe",
    "reminder_email_send",
    "reminders_due_send",
    "reminders_send",
    "unsubscribe_token",
    "unsubscribe_token_read",
]
