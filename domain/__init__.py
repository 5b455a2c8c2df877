"""Jalon's rules, without Flask: each module takes plain values and models, and refuses a change by
raising DomainError with the French message the user sees."""


class DomainError(Exception):
    """A refused change, with the French message a user sees and the field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
