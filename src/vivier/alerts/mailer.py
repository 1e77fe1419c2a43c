"""Sending a digest by e-mail through the SMTP server of the settings (VIVIER_SMTP_HOST)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from vivier.config import Settings

TIMEOUT_SECONDS = 30


def smtp_enabled(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def send_digest(settings: Settings, to: str, subject: str, html: str, text: str) -> None:
    """Send one message (text with an HTML alternative); raises OSError / SMTPException."""
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)
