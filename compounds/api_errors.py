"""Turns domain errors into API answers: ``{"code": …, "detail": …}``."""

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from compounds.errors import BastionError
from compounds.text import TEXT_CONTROL_CHARACTER

# Refusals that a serializer's field validators make (not a service), whose code the
# answer carries beside the per-field messages, as a service's refusal does. Apps add
# the codes of their own validators (``register_field_codes``).
FIELD_CODES: list[str] = [TEXT_CONTROL_CHARACTER]


def register_field_codes(*codes: str) -> None:
    FIELD_CODES.extend(code for code in codes if code not in FIELD_CODES)


def _codes(codes: Any) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*map(_codes, codes.values())) if codes else set()
    if isinstance(codes, list):
        return set().union(*map(_codes, codes)) if codes else set()
    return {codes}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, BastionError):
        body = {"code": exc.code, "detail": str(exc.message)}
        body.update({k: v for k, v in exc.params.items() if v is not None})
        headers = {}
        if exc.params.get("retry_after"):
            headers["Retry-After"] = str(exc.params["retry_after"])
        return Response(body, status=exc.status_code, headers=headers)
    response = drf_exception_handler(exc, context)
    if (
        isinstance(exc, ValidationError)
        and response is not None
        and isinstance(response.data, dict)
        and "code" not in response.data
    ):
        found = _codes(exc.get_codes())
        code = next((c for c in FIELD_CODES if c in found), None)
        if code is not None:
            response.data["code"] = code
    return response
