"""What the PostgreSQL benchmarks share: an empty database for each run."""
from urllib.parse import urlsplit

from peewee import PostgresqlDatabase


def reset(url):
    """Empty the PostgreSQL database at `url` (its tables are made again by the app's migrations)."""
    parts = urlsplit(url)
    database = PostgresqlDatabase(parts.path.lstrip("/"), user=parts.username, password=parts.password,
                                  host=parts.hostname, port=parts.port)
    database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    database.close()
