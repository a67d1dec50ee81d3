"""Turns errors into API answers: ``{"code": …, "detail": …}``, JSON under /api/ always.

Three places meet here: the DRF exception handler (errors in an API view), and
``ApiErrorMiddleware`` for what never reaches a view (an unknown /api/ path, a database
error while loading the session). A database outage answers 503 with ``Retry-After``, so
that the gate page's offline queue keeps its records and tries again, rather than a 500
page it cannot read.
"""

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
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


logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
_EXCEPTION_ATTR = "_bastion_exception"
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def database_unavailable_body() -> dict[str, str]:
    return {
        "code": "database_unavailable",
        "detail": _("The database cannot be reached just now. Try again in a moment."),
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, BastionError):
        body = {"code": exc.code, "detail": str(exc.message)}
        body.update({k: v for k, v in exc.params.items() if v is not None})
        headers = {}
        if exc.params.get("retry_after"):
            headers["Retry-After"] = str(exc.params["retry_after"])
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, DATABASE_ERRORS):
        logger.error("database unavailable during an API request", exc_info=exc)
        return Response(
            database_unavailable_body(),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        # Field errors as DRF gives them, with the code and message every refusal has.
        errors = response.data if isinstance(response.data, dict) else {NON_FIELD: response.data}
        messages = _messages({k: v for k, v in errors.items() if k != "code"})
        found = _codes(exc.get_codes())
        field_code = next((c for c in FIELD_CODES if c in found), ValidationError.default_code)
        response.data = {
            "code": errors.get("code", field_code),
            # The messages themselves: a client that shows only "detail" (the gate page's
            # failed records) still says what was wrong.
            "detail": " ".join(messages) or str(ValidationError.default_detail),
            **errors,
        }
    elif isinstance(response.data, dict) and set(response.data) == {"detail"}:
        # DRF answers {"detail": …} alone; clients switch on a code, so give its own.
        response.data = {"code": _code_of(exc), **response.data}
    return response


def _messages(value: Any) -> list[str]:
    """Every message in DRF's field errors (lists, and dicts for nested fields), in order."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def _code_of(exc: Exception) -> str:
    if isinstance(exc, Http404):
        return NotFound.default_code
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied.default_code
    if isinstance(exc, APIException):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) else exc.default_code
    return "error"


@receiver(got_request_exception, dispatch_uid="bastion-remember-request-exception")
def _remember_exception(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django turns an error outside the view into a 500 page before any outer middleware
    sees it; keep the error on the request so that the middleware can tell what it was."""
    if request is not None:
        setattr(request, _EXCEPTION_ATTR, sys.exc_info()[1])


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiErrorMiddleware:
    """JSON, never an HTML page, for API clients: 404 for an unknown path, 503 for a
    database outage, and a JSON 500 for any other error. Goes first in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # DRF's own answers follow the client's Accept header (the browsable API): left alone.
        if (
            not request.path.startswith(API_PREFIX)
            or _is_json(response)
            or isinstance(response, Response)
        ):
            return response
        if response.status_code == 404:
            return JsonResponse(
                {"code": "not_found", "detail": _("There is no such API address.")}, status=404
            )
        if response.status_code >= 500:
            error = getattr(request, _EXCEPTION_ATTR, None)
            if isinstance(error, DATABASE_ERRORS):
                return self._database_unavailable()
            return JsonResponse(
                {"code": "server_error", "detail": _("Something went wrong on the server.")},
                status=response.status_code,
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith(API_PREFIX) and isinstance(exception, DATABASE_ERRORS):
            logger.error("database unavailable during an API request", exc_info=exception)
            return self._database_unavailable()
        return None

    @staticmethod
    def _database_unavailable() -> JsonResponse:
        response = JsonResponse(database_unavailable_body(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
