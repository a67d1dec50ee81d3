"""The error answers every API operation can give, written into the OpenAPI schema.

drf-spectacular documents what a view declares; the refusals that come from around the
view (a malformed body or filter, no login, another compound's row, a URL longer than
the server takes, a rate limit, a database outage) were missing, so a client generated
from the schema did not expect them. Every error answer has the same body:
``{"code": …, "detail": …}``, plus field errors for a 400 (``compounds.api_errors``).
"""

from typing import Any

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal: a stable code to switch on, a message to show, and for "
    "invalid input the messages of each field or filter.",
    "properties": {
        "code": {"type": "string", "example": "invalid_filter"},
        "detail": {"type": "string"},
    },
    "required": ["code"],
    "additionalProperties": True,
}

ERROR_RESPONSES = {
    "400": "Invalid input (body, filter or page): a code, a message and field errors; "
    "nothing saved",
    "401": "Not signed in",
    "403": "Signed in, but not allowed to do this here",
    "404": "No such object, or one of a compound the user may not see; also an invalid page",
    "414": "The URL is longer than the server accepts",
    "429": "Too many requests; try again later",
    "503": "The database cannot be reached; retry after the Retry-After header's seconds",
}

HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}


def document_error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict:
    """drf-spectacular postprocessing hook: every operation documents every error answer,
    each with the error body (kept where a view already described it better)."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                response = responses.setdefault(status, {"description": description})
                response.setdefault("content", _error_content())
    return result
