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


class RateLimited(BastionError):
    """Too many attempts in a window: the API answers 429 with ``Retry-After``.

    ``retry_after`` (seconds, a keyword parameter) is the header's value and a field of
    the answer's body.
    """

    status_code = 429


class CompoundArchived(CompoundError):
    """A write to a compound the office archived: it is read-only for good (409)."""

    status_code = 409
