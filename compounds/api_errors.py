"""Turns domain errors into API answers: ``{"code": …, "detail": …}``."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from compounds.errors import BastionError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, BastionError):
        body = {"code": exc.code, "detail": str(exc.message)}
        body.update({k: v for k, v in exc.params.items() if v is not None})
        headers = {}
        if exc.params.get("retry_after"):
            headers["Retry-After"] = str(exc.params["retry_after"])
        return Response(body, status=exc.status_code, headers=headers)
    return drf_exception_handler(exc, context)
