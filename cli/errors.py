"""A command's failure, told in French."""
import click


class CommandError(click.ClickException):
    """A command's failure, told in French (« Erreur : … »), without a traceback."""

    def show(self, file=None):
        click.echo(f"Erreur : {self.format_message()}", err=True)
