"""gunicorn's settings for Jalon, read from the working folder (`gunicorn app:app`).

Each worker process answers with several threads: making a large PDF takes seconds of one thread,
and the other threads of that worker go on answering logins and ticks meanwhile (xhtml2pdf makes
one PDF at a time per process; each user makes one at a time, see documents/pdf.py)."""
import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 4
timeout = 120
