"""Response headers and request limits that hold for every page and endpoint."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from compounds import access, archived
from compounds.errors import CompoundArchived


def _policy() -> str:
    return "; ".join(
        f"{directive} {' '.join(sources)}"
        for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
    )


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response.

    No 'unsafe-inline' for scripts or styles: a name or a note that slipped past escaping
    still cannot run. Every handler lives in a static file (static/js/bastion.js).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = _policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a body larger than settings.MAX_REQUEST_BYTES from its Content-Length.

    Django caps form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams any size of file
    upload to disk before a view can look at it; this answers 413 before reading it.
    The proxy in front caps the same (client_max_body_size in the README's nginx site).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large(request)
        return self.get_response(request)


def too_large(request: HttpRequest) -> HttpResponse:
    limit_mib = settings.MAX_REQUEST_BYTES / (1024 * 1024)
    message = _("The request is too large: at most %(size).0f MiB.") % {"size": limit_mib}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "request_too_large", "detail": message}, status=413)
    html = render_to_string("413.html", {"message": message}, request=request)
    response = HttpResponse(html, status=413)
    response["Connection"] = "close"
    return response


class ArchivedCompoundMiddleware:
    """An archived compound is read-only: a write to it gets 409 and the reason, clearly.

    Before the view: a POST (or other write) to a page or endpoint whose URL names the
    compound (``compound_id``) is refused at once, so that no form or import starts. The
    models' own guard (``compounds.archived``) refuses every other write; the refusal it
    raises becomes the same answer here (the API's handler answers it as JSON itself).
    Only for a user who can see the compound: others get the view's own 404 or login.
    """

    SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        compound_id = kwargs.get("compound_id")
        if request.method in self.SAFE or not isinstance(compound_id, int):
            return None
        if access.level_for(request.user, compound_id) == access.Level.NONE:
            return None
        try:
            archived.check_writable(compound_id)
        except CompoundArchived as refusal:
            return archived_response(request, refusal)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, CompoundArchived):
            return archived_response(request, exception)
        return None


def archived_response(request: HttpRequest, refusal: CompoundArchived) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"code": refusal.code, "detail": str(refusal.message)}
        return JsonResponse(body, status=refusal.status_code)
    html = render_to_string("409_archived.html", {"message": refusal.message}, request=request)
    return HttpResponse(html, status=refusal.status_code)
