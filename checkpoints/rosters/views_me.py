"""Pages about the logged-in person across compounds: my shifts (with sign-in and the
calendar feed) and, for the office, the gaps of every compound it sees."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from checkpoints.rosters import ics, selectors
from checkpoints.rosters.apps import FEED
from compounds import access, capabilities
from compounds.capabilities import capability_view
from compounds.models import Capability, Compound


def _feed_of(user: Any) -> Capability | None:
    return capabilities.live(Capability.objects.filter(owner=user, purpose=FEED.name)).first()


def _my_shifts(request: HttpRequest, feed_url: str | None = None) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "checkpoints/roster/my_shifts.html",
        {
            "assignments": selectors.my_assignments(user=request.user, now=now),
            "compounds": list(access.visible_compounds(request.user)),
            "feed": _feed_of(request.user),
            "feed_url": feed_url,
            "now": now,
        },
    )


@never_cache
@login_required
def my_shifts(request: HttpRequest) -> HttpResponse:
    return _my_shifts(request)


@never_cache
@login_required
@require_POST
def feed_issue(request: HttpRequest) -> HttpResponse:
    """A new calendar link (the old one stops working), shown on this answer only."""
    old = _feed_of(request.user)
    if old is not None:
        _cap, token = capabilities.capability_rotate(capability=old, actor=request.user)
    else:
        _cap, token = capabilities.capability_issue(
            purpose=FEED, actor=request.user, owner=request.user, name=str(FEED.label)
        )
    url = request.build_absolute_uri(reverse("rosters:feed", kwargs={"token": token}))
    return _my_shifts(request, feed_url=url)


@capability_view(FEED)
def feed(request: HttpRequest) -> HttpResponse:
    """The owner's shifts as an iCalendar feed; a link for no one lists nothing."""
    capability: Capability = request.capability  # type: ignore[attr-defined]
    owner = capability.owner
    rows = selectors.feed_assignments(user=owner) if owner is not None and owner.is_active else []
    body = ics.calendar(rows, name=str(_("My shifts")), host=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def gaps(request: HttpRequest) -> HttpResponse:
    """Posts short of people now and in the next 24 hours, in every compound the user sees
    (``?compound=<id>``: in that one only, if the user sees it; the dashboard's link)."""
    visible: Any = access.visible_compound_ids(request.user)
    wanted = request.GET.get("compound", "")
    if wanted:
        pk = int(wanted) if wanted.isdigit() and len(wanted) < 10 else 0
        visible = Compound.objects.filter(pk__in=visible).filter(pk=pk).values("pk")
    return render(
        request, "checkpoints/roster/gaps.html", {"gaps": selectors.gaps(compound_ids=visible)}
    )
