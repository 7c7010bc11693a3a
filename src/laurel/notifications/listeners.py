"""Which award changes send an email: a new certificate, and a correction made before the
first email went out (that email then goes out for the corrected version)."""

from __future__ import annotations

from laurel.certificates.events import AwardChange, AwardCorrected, AwardsIssued
from laurel.certificates.models import IssuedCertificate
from laurel.notifications.tasks import send_award_notifications

NOTIFICATION_BATCH = 500


def on_award_change(event: AwardChange) -> None:
    # Enqueued inside the awarding transaction: if the awards roll back, so do the tasks.
    if isinstance(event, AwardsIssued):
        ids = list(event.award_ids)
        for start in range(0, len(ids), NOTIFICATION_BATCH):
            send_award_notifications.enqueue(award_ids=ids[start : start + NOTIFICATION_BATCH])
    elif (
        isinstance(event, AwardCorrected)
        # The task queued for the old version finds it superseded and skips it.
        and IssuedCertificate.objects.filter(pk=event.award_id, notified_at__isnull=True).exists()
    ):
        send_award_notifications.enqueue(award_ids=[event.award_id])
