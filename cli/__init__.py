"""Command line, one module per area, each registered by the app's factory:
`flask --app app init-db | db-upgrade | backup | restore` (database), `create-user` (users),
`seed-demo` (demo), `send-reminders` (reminders), `verify-journal | purge` (records),
`check-deploy` (deploy), `merge-jurors` (jurors)."""
from cli import database, demo, deploy, jurors, records, reminders, users


def init_app(app):
    for module in (database, users, demo, reminders, records, deploy, jurors):
        for command in module.COMMANDS:
            app.cli.add_command(command)
