"""Command line, one module per area, each registered by the app's factory:
`flask --app app init-db | db-upgrade | backup | restore` (database), `create-user` (users),
`seed-demo` (demo), `send-reminders` (reminders), `verify-journal | purge` (records),
`check-deploy` (deploy)."""
from cli import database, demo, deploy, records, reminders, users


def init_app(app):
    for module in (database, users, demo, reminders, records, deploy):
        for command in module.COMMANDS:
            app.cli.add_command(command)
