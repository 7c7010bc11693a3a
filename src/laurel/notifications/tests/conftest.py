"""Fixtures: a real SMTP server on loopback (``smtp_server``) and this process's email
sent to it (``smtp_settings``)."""

from __future__ import annotations

import logging

import pytest
from aiosmtpd.controller import Controller

from laurel.browser_testing import browser, site
from laurel.notifications.tests.mailserver import Inbox, free_port

__all__ = ["browser", "site", "smtp_server", "smtp_settings"]


@pytest.fixture
def smtp_server():
    """``(inbox, port)`` of an SMTP server running in a thread on 127.0.0.1."""
    # aiosmtpd logs every session at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def smtp_settings(smtp_server, settings):
    """This process sends its email to the loopback SMTP server; returns its inbox."""
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    return inbox
