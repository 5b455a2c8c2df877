"""The reminder e-mails: a digest written for its responsable, and sending through SMTP."""
import contextlib
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


# What a server may answer for one message without the others being affected.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
            smtplib.SMTPNotSupportedError, UnicodeEncodeError)


def send(messages):
    """Send each message on its own through the SMTP server of the settings (SMTP_HOST, SMTP_PORT,
    SMTP_STARTTLS, SMTP_USER...): one refused address never stops the others. Returns the failures,
    as (message, reason) pairs; a lost connection is opened again for the next message."""
    failures = []
    smtp = None
    for msg in messages:
        try:
            smtp = smtp or _connect()
            smtp.send_message(msg)
        except REFUSALS as exc:
            failures.append((msg, _reason(exc)))
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.rset()
        except (smtplib.SMTPException, OSError) as exc:
            failures.append((msg, _reason(exc)))
            _close(smtp)
            smtp = None
    _close(smtp)
    return failures


def _connect():
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30)
    try:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _close(smtp):
    if smtp is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()


def _reason(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPNotSupportedError, UnicodeEncodeError)):
        return "adresse non ASCII, que le serveur n'accepte pas (SMTPUTF8)"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace') if isinstance(exc.smtp_error, bytes) else exc.smtp_error}"
    return str(exc) or exc.__class__.__name__
