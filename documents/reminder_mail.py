"""The reminder e-mails: a digest written for its responsable, and sending through SMTP."""
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template


def message(digest, today, link):
    """The e-mail of a digest; link(group) gives a group of tasks' address (routes.group_link)."""
    config = current_app.config
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = digest.user.email
    msg.set_content(render_template("reminders/digest.txt", digest=digest, today=today, link=link))
    return msg


def send(messages):
    """Send through the SMTP server of the settings (SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_USER...)."""
    config = current_app.config
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        for msg in messages:
            smtp.send_message(msg)
