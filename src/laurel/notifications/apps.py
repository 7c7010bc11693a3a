from datetime import timedelta

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "laurel.notifications"
    label = "notifications"

    def ready(self) -> None:
        from laurel.badges.events import badge_changes
        from laurel.certificates.events import award_changes
        from laurel.notifications.listeners import on_award_change, on_badge_change
        from laurel.notifications.services import reminders_due_send
        from laurel.notifications.tasks import (
            send_award_email,
            send_award_emails_prepare,
            send_badge_email,
            send_feedback_reminder,
        )
        from laurel.outbox.batches import batch_preparer_register
        from laurel.outbox.handover import handover_aware_register
        from laurel.outbox.periodic import periodic_job_register

        award_changes.listen(on_award_change)
        badge_changes.listen(on_badge_change)
        # Award emails come thousands at a time: a worker reads a batch of them at once.
        batch_preparer_register(send_award_email, send_award_emails_prepare)
        # Each sends one email through ``email_deliver``, which calls ``handover()`` right
        # before the mail server takes it (and nothing else leaves before).
        for task in (send_award_email, send_badge_email, send_feedback_reminder):
            handover_aware_register(task)
        # Hourly, so that a person becomes due within the hour their week is over.
        periodic_job_register("feedback reminders", reminders_due_send, every=timedelta(hours=1))
