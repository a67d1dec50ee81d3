"""The API's JSON parser, refusing bodies nested deeper than any Bastion request needs.

Python's JSON decoder recurses once per level: a body of a hundred thousand ``[`` ran out
of stack (RecursionError, a 500). Every request Bastion takes is a flat object, so a
body nested deeper than ``MAX_DEPTH`` is refused before anything reads it.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20


def nesting_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists or objects more than ``limit`` levels (no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def too_deep() -> ParseError:
    return ParseError(
        _("The JSON body is nested more than %(limit)s levels deep.") % {"limit": MAX_DEPTH},
        code="json_too_deep",
    )


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise too_deep() from error
        if nesting_depth_exceeds(data, MAX_DEPTH):
            raise too_deep()
        return data
