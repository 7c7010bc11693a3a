"""Background tasks of the record. Each takes ids, calls a service, and is safe to run
twice."""

from __future__ import annotations

from django_tasks import task

from laurel.programs.invitations import invitation_email_send


@task()
def send_invitation_email(*, invitation_id: int) -> dict[str, bool]:
    return {"sent": invitation_email_send(invitation_id=invitation_id)}
