"""Schema migrations: a database made by the previous schema is upgraded, data kept."""
import datetime as dt

import peewee

import migrations
from guide import read_guide
import models
from domain import journal
from helpers import make_app


def schema(database):
    """Tables with their columns, indexes and foreign keys (with what a deletion does), as the
    database reports them."""
    result = {}
    for table in database.get_tables():
        columns = sorted((c.name, c.null) for c in database.get_columns(table))
        indexes = sorted((tuple(i.columns), i.unique) for i in database.get_indexes(table))
        result[table] = (columns, indexes, delete_rules(database, table))
    return result


def delete_rules(database, table):
    """{column: (table referred to, ON DELETE rule)} of the table's foreign keys."""
    if isinstance(database, peewee.PostgresqlDatabase):
        rows = database.execute_sql(
            "SELECT k.column_name, u.table_name, r.delete_rule FROM information_schema.referential_constraints r "
            "JOIN information_schema.key_column_usage k ON k.constraint_name = r.constraint_name "
            "JOIN information_schema.constraint_column_usage u ON u.constraint_name = r.unique_constraint_name "
            "WHERE k.table_name = %s", (table,)).fetchall()
    else:
        rows = [(row[3], row[2], row[6]) for row in database.execute_sql(f'PRAGMA foreign_key_list("{table}")')]
    return sorted((column, target, rule.upper()) for column, target, rule in rows)


def drop_all_tables(database):
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    if not postgres:  # SQLite checks foreign keys while dropping: tables go in any order here
        database.execute_sql("PRAGMA foreign_keys = OFF")
    for table in ["schemaversion", *database.get_tables()]:
        database.execute_sql(f'DROP TABLE IF EXISTS "{table}"' + (" CASCADE" if postgres else ""))
    if not postgres:
        database.execute_sql("PRAGMA foreign_keys = ON")


JURY_TASK = "Rechercher les membres de jury habilités sur le titre visé dans CERES"


def _baseline_database(tmp_path):
    """An SQLite file (or the PostgreSQL test database) holding the schema as first released, with a
    session of one task ticked, written as the code of that time wrote it."""
    app = make_app(tmp_path, copy=True)
    with app.app_context(), models.db.connection_context():
        database = models.db.obj
        drop_all_tables(database)
        migrations.upgrade(database, target=1)
        p = database.param
        database.execute_sql("INSERT INTO centre (name) VALUES ('Centre A')")
        database.execute_sql("INSERT INTO site (centre_id, name) VALUES (1, 'Lyon')")
        database.execute_sql(f"INSERT INTO guideversion (version, label, title, imported_at) VALUES ('1', 'v1', 'Guide', {p})",
                             (dt.datetime(2027, 1, 1),))
        database.execute_sql("INSERT INTO guidesection (guide_id, number, title) VALUES (1, 1, 'Programmation')")
        database.execute_sql("INSERT INTO guidetask (section_id, position, text, reglementaire, conseil, sub) "
                             "VALUES (1, 1, 'Programmer et communiquer', true, false, false)")
        database.execute_sql("INSERT INTO guidetask (section_id, position, text, reglementaire, conseil, sub, due_rule) "
                             "VALUES (1, 2, 'Accueillir les membres de jury :', false, false, false, '{}')")
        database.execute_sql("INSERT INTO guidetask (section_id, position, text, reglementaire, conseil, sub) "
                             f"VALUES (1, 3, {p}, true, false, false)", (JURY_TASK,))
        database.execute_sql(
            "INSERT INTO examsession (centre_id, site_id, guide_id, titre, sigle, millesime, nature, libelle_ccp, code_ccp,"
            f" date_debut, date_fin, nb_formation, nb_vae, responsable, suppleant, archived, created_at) VALUES"
            f" (1, 1, 1, 'Titre', 'DWWM', '2023', 'TITRE', '', '', {p}, {p}, 1, 0, 'Karim', '', false, {p})",
            (dt.date(2027, 3, 15), dt.date(2027, 3, 18), dt.datetime(2027, 1, 1)))
        database.execute_sql(
            "INSERT INTO checklistitem (session_id, phase_number, phase_title, position, text, reglementaire, conseil,"
            " sub, state, done_on, na_reason, observation, version, observation_version)"
            f" VALUES (1, 1, 'Programmation', 1, 'Programmer et communiquer', true, false, false, 'done', {p}, '', '', 1, 0)",
            (dt.date(2027, 1, 5),))
        database.execute_sql(
            "INSERT INTO checklistitem (session_id, phase_number, phase_title, position, text, reglementaire, conseil,"
            " sub, state, na_reason, observation, version, observation_version, due_rule, due_on)"
            f" VALUES (1, 5, 'Ouverture', 2, 'Accueillir les membres de jury :', false, false, false, 'todo', '', '', 0, 0,"
            f" '{{}}', {p})", (dt.date(2027, 3, 15),))
        database.execute_sql(
            "INSERT INTO checklistitem (session_id, phase_number, phase_title, position, text, reglementaire, conseil,"
            " sub, state, na_reason, observation, version, observation_version)"
            f" VALUES (1, 2, 'Déclaration', 3, {p}, true, false, false, 'todo', '', '', 0, 0)", (JURY_TASK,))
        for field in ("création", "état", "archivée"):
            database.execute_sql(f"INSERT INTO auditevent (session_id, at, field, old_value, new_value) VALUES (1, {p}, {p}, '', '')",
                                 (dt.datetime(2027, 1, 5), field))
    return app


def test_a_database_of_the_first_schema_is_upgraded_with_its_data(tmp_path):
    app = _baseline_database(tmp_path)
    result = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    assert all(f"Migration {m.version} appliquée" in result.output for m in migrations.MIGRATIONS[1:])
    with models.db.connection_context():
        assert migrations.current_version(models.db.obj) == migrations.LATEST
        assert any(i.columns == ["session_id", "at"] for i in models.db.obj.get_indexes("auditevent"))
        item = models.ChecklistItem.get(models.ChecklistItem.position == 1)
        assert (item.state, item.tableau_number, item.tableau_title) == ("done", 1, "Programmation")
        assert models.GuideTask.get().tableau.title == "Programmation"
        assert sorted(e.field for e in models.AuditEvent.select()) == ["archived", "created", "state"]
        heading = models.ChecklistItem.get(models.ChecklistItem.position == 2)
        assert (heading.heading, heading.due_on, heading.due_rule, item.heading) == (True, None, None, False)
        assert models.GuideTask.get(models.GuideTask.position == 2).heading
        # Migration 9: the tasks the register's checks concern get their key, the version its figures.
        assert [i.key for i in models.ChecklistItem.select().order_by(models.ChecklistItem.position)] == [
            None, None, "recherche_jury"]
        assert models.GuideTask.get(models.GuideTask.position == 3).key == "recherche_jury"
        assert models.GuideVersion.get().checks == {"convocation_limit": {"from": "debut", "months": -1},
                                                    "pv_ud_days": 15}  # migration 27
        # Migration 11: the existing events are chained, in order, and the chain verifies.
        verdicts = journal.verify()
        assert [(v.session_id, v.events, v.intact) for v in verdicts] == [(1, 3, True)]
    again = app.test_cli_runner().invoke(args=["db-upgrade"])
    assert "inchangée" in again.output


def test_the_migrated_schema_is_the_one_the_models_describe(tmp_path):
    app = make_app(tmp_path, copy=True)
    with app.app_context(), models.db.connection_context():
        database = models.db.obj
        migrated = schema(database)
        assert migrations.current_version(database) == migrations.LATEST
        # The same models, created directly in an empty database of the same engine.
        drop_all_tables(database)
        database.create_tables(models.MODELS)
        direct = schema(database)
    migrated.pop("schemaversion")
    assert migrated == direct


def test_evidence_is_never_deleted_by_a_cascade(tmp_path):
    """Sign-ins, attachments, sealed guides and the journal refuse the deletion of what they refer to,
    on the migrated schema as on the models'."""
    app = make_app(tmp_path, copy=True)
    with app.app_context(), models.db.connection_context():
        database = models.db.obj
        for table, keys in migrations.EVIDENCE_KEYS.items():
            rules = {column: rule for column, _, rule in delete_rules(database, table)}
            assert all(rules[column] == "RESTRICT" for column, _ in keys), (table, rules)
    cascading = [(model.__name__, name) for model in models.MODELS for name, field in model._meta.fields.items()
                 if isinstance(field, peewee.ForeignKeyField) and field.on_delete == "CASCADE"
                 and model._meta.table_name in migrations.EVIDENCE_KEYS]
    assert cascading == []


def test_a_database_made_before_versioning_counts_as_the_baseline(tmp_path):
    app = make_app(tmp_path, copy=True)
    with app.app_context(), models.db.connection_context():
        database = models.db.obj
        drop_all_tables(database)
        migrations.upgrade(database, target=1)
        database.execute_sql("DROP TABLE schemaversion")
        assert migrations.current_version(database) == 1
        assert [m.version for m in migrations.upgrade(database)] == [m.version for m in migrations.MIGRATIONS[1:]]
        assert migrations.current_version(database) == migrations.LATEST


def test_the_keys_migration_9_gives_are_those_of_the_guide_file():
    data = read_guide()
    keyed = {(task["text"], task.get("sub", False)): task["key"]
             for tableau in data["phases"] for task in tableau["tasks"] if "key" in task}
    documents = {"programmation_annuelle", "convocation_surveillant", "identite_candidats", "constater_absences"}
    # Migration 21 gives the agrément's two, migration 27 those of the last tableau.
    after_exam = {text: columns["key"] for text, columns in migrations._V1_AFTER_EXAM.items() if "key" in columns}
    later = {**migrations._V1_KEYS, **migrations._V1_AGREMENT_KEYS, **after_exam}
    assert {k: v for k, v in keyed.items() if v not in documents} == later
    assert len(keyed) == len(later) + len(documents)  # migration 10 gives the other four
    assert data["checks"] == {"convocation_limit": {"from": "debut", "months": -1}, "pv_ud_days": 15}


def test_the_flags_migration_27_gives_are_those_of_the_guide_file():
    data = read_guide()
    for flag in ("conditional", "long_running"):
        flagged = {(task["text"], task.get("sub", False)) for tableau in data["phases"] for task in tableau["tasks"]
                   if task.get(flag)}
        assert flagged == {text for text, columns in migrations._V1_AFTER_EXAM.items() if columns.get(flag)}
        assert flagged
