"""The database as configured: SQLite's pragmas are in force on the app's connections."""
import pytest

import models


@pytest.mark.sqlite_only
def test_the_sqlite_pragmas_are_in_force(app):
    with app.app_context(), models.db.connection_context():
        def read(name):
            return models.db.execute_sql(f"PRAGMA {name}").fetchone()[0]

        assert read("journal_mode") == "wal"
        assert read("synchronous") == 2  # FULL: an acknowledged tick survives a power cut
        assert read("foreign_keys") == 1
        assert read("busy_timeout") == 10_000


def test_each_postgresql_test_refills_its_database_instead_of_copying_the_template(app):
    """Copying the template database costs ~0.45 s a test: the refill must work on every table (it had
    failed, silently, on the journal heads' table, which has no id sequence)."""
    import helpers
    if not helpers.POSTGRES_URL:
        pytest.skip("PostgreSQL's test databases: run in the PostgreSQL pass")
    models.db.close()
    assert helpers.TEMPLATE.refillable and helpers.TEMPLATE._refill()
