"""Schema migrations: a database made by the previous schema is upgraded, data kept."""
import datetime as dt

import peewee

import migrations
import models
from conftest import create_session, make_app


def schema(database):
    """Tables with their columns and indexes, as the database reports them."""
    result = {}
    for table in database.get_tables():
        columns = sorted((c.name, c.null) for c in database.get_columns(table))
        indexes = sorted((tuple(i.columns), i.unique) for i in database.get_indexes(table))
        result[table] = (columns, indexes)
    return result


def test_a_database_of_the_previous_schema_is_upgraded_with_its_data(tmp_path):
    app = make_app(tmp_path)
    with app.app_context(), models.db.connection_context():
        database = models.db.obj
        session = create_session()
        models.mark_done(session.ordered_items()[0].id, None, dt.date(2027, 1, 5), dt.date(2027, 2, 1))
        # Back to the previous schema: as a database made before migration 2 was released.
        database.execute_sql('DROP INDEX "auditevent_session_id_at"')
        database.execute_sql("DELETE FROM schemaversion WHERE version = 2")
        assert migrations.current_version(database) == 1

    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    assert "Migration 2 appliquée" in result.output and "version 2" in result.output
    with models.db.connection_context():
        assert migrations.current_version(models.db.obj) == migrations.LATEST
        assert any(i.columns == ["session_id", "at"] for i in models.db.obj.get_indexes("auditevent"))
        assert models.ChecklistItem.get(models.ChecklistItem.position == 1).state == "done"
        assert models.AuditEvent.select().count() == 2
    again = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert "inchangée" in again.output


def test_the_migrated_schema_is_the_one_the_models_describe(tmp_path):
    app = make_app(tmp_path)
    with app.app_context(), models.db.connection_context():
        database = models.db.obj
        migrated = schema(database)
        assert migrations.current_version(database) == migrations.LATEST
        # The same models, created directly in an empty database of the same engine.
        database.execute_sql("DROP TABLE IF EXISTS schemaversion")
        for table in database.get_tables():
            database.execute_sql(f'DROP TABLE "{table}"' + (" CASCADE" if isinstance(database, peewee.PostgresqlDatabase) else ""))
        database.create_tables(models.MODELS)
        direct = schema(database)
    migrated.pop("schemaversion")
    assert migrated == direct


def test_a_database_made_before_versioning_counts_as_the_baseline(tmp_path):
    app = make_app(tmp_path)
    with app.app_context(), models.db.connection_context():
        database = models.db.obj
        database.execute_sql("DROP TABLE schemaversion")
        assert migrations.current_version(database) == 1
        assert [m.version for m in migrations.upgrade(database)] == [2]
        assert migrations.current_version(database) == migrations.LATEST
        assert models.GuideTask.select().count() == 99
