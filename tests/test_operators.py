"""What an operator meets: a mistyped setting or a database that does not answer gets a French
message, never a traceback, and no output ever shows the database password."""
import subprocess
import sys

import pytest

from config import masked_url
from liveserver import ROOT, free_port


def flask_command(tmp_path, *args, **env):
    """`flask --app app ARGS` in a real process, with these settings."""
    environ = {"PATH": "/usr/bin:/bin", "JALON_INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "s" * 64, **env}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("url, message", [
    ("postgres//localhost/jalon", "DATABASE_URL illisible"),
    ("mysql://localhost/jalon", "type de base « mysql » inconnu"),
    ("SQLite:///instance/jalon.sqlite3", "écrivez « sqlite:// » en minuscules"),
    ("sqlite://", "DATABASE_URL illisible"),
])
def test_a_mistyped_database_url_is_explained(tmp_path, url, message):
    result = flask_command(tmp_path, "init-db", DATABASE_URL=url)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr + result.stdout


def test_a_database_server_that_does_not_answer_is_explained_without_its_password(tmp_path):
    url = f"postgresql://jalon:motdepasse-secret@127.0.0.1:{free_port()}/jalon"
    for args in (("init-db",), ("db-upgrade",), ("seed-demo",)):
        result = flask_command(tmp_path, *args, DATABASE_URL=url)
        assert result.returncode != 0
        assert "Base de données injoignable (postgresql://jalon:***@127.0.0.1:" in result.stderr
        assert "motdepasse-secret" not in result.stderr + result.stdout
        assert "Traceback" not in result.stderr


def test_an_unusable_instance_folder_is_explained(tmp_path):
    blocker = tmp_path / "un-fichier"
    blocker.write_text("")
    result = flask_command(tmp_path, "init-db", JALON_INSTANCE_PATH=str(blocker / "instance"))
    assert result.returncode != 0
    assert "Dossier d'instance" in result.stderr and "JALON_INSTANCE_PATH" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_urls_are_printed_without_their_password():
    assert masked_url("postgresql://jalon:s3cr%C3%A9t@db.centre.fr:5433/jalon") == "postgresql://jalon:***@db.centre.fr:5433/jalon"
    assert masked_url("sqlite:////var/lib/jalon/jalon.sqlite3") == "sqlite:////var/lib/jalon/jalon.sqlite3"
