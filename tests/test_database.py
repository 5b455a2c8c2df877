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
