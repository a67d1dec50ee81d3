"""The base of every app's domain error: a translated message plus a stable code.

The API returns the code (clients switch on it); the page shows the message.
"""

from django.utils.functional import Promise


class BastionError(Exception):
    status_code = 400

    def __init__(self, message: str | Promise, code: str, **params: object) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return str(self.message)


class CompoundError(BastionError):
    pass
