"""The duty log (per day and per post), hours per person by work unit, and the week
roster printable on A4 and exported to Excel."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from checkpoints.rosters import audit, reports, selectors, services
from checkpoints.rosters.errors import RosterError
from checkpoints.rosters.forms import LogForm, PeriodForm
from checkpoints.rosters.models import Post
from checkpoints.rosters.views import _week, compound_for, context
from compounds.access import Level
from compounds.services import export_record
from compounds.xlsx import active_sheet, workbook_response, write_sheet


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def log(request: HttpRequest, compound_id: int) -> HttpResponse:
    """Read the log per day and per post; anyone on the team records an entry."""
    compound = compound_for(request, compound_id)
    form = LogForm(request.POST or None, compound=compound)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_record(compound=compound, actor=request.user, **data)
        except RosterError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Recorded in the duty log."))
            return redirect(request.get_full_path())
    day = _day(request.GET.get("day")) or timezone.localdate()
    post_id = request.GET.get("post")
    post_pk = int(post_id) if post_id and post_id.isdigit() else None
    return render(
        request,
        "checkpoints/roster/log.html",
        context(
            request,
            compound,
            form=form,
            day=day,
            previous=day - timedelta(days=1),
            next=day + timedelta(days=1),
            post_id=post_pk,
            posts=Post.objects.filter(compound=compound),
            entries=selectors.log_entries(compound=compound, day=day, post_id=post_pk),
        ),
        status=400 if form.errors else 200,
    )


@login_required
def hours(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id, Level.MANAGE)
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"first": today - timedelta(days=6), "last": today})
    units = []
    if form.is_valid():
        units = selectors.hours_by_unit(
            compound=compound, first=form.cleaned_data["first"], last=form.cleaned_data["last"]
        )
    return render(
        request,
        "checkpoints/roster/hours.html",
        context(request, compound, form=form, units=units),
        status=400 if form.errors else 200,
    )


@login_required
def week_print(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id)
    monday = _week(request)
    days, rows = selectors.week_grid(compound=compound, monday=monday)
    return render(
        request,
        "checkpoints/roster/print.html",
        context(request, compound, days=days, rows=rows, monday=monday),
    )


@login_required
def week_export(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id, Level.MANAGE)
    monday = _week(request)
    days, rows = selectors.week_grid(compound=compound, monday=monday)
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = str(_("Roster"))[:31]
    headers, lines = reports.week_table(days, rows)
    write_sheet(sheet, headers, lines)
    export_record(
        compound=compound,
        actor=request.user,
        action=audit.EXPORT_ROSTER,
        rows=len(lines),
        details={"week": monday.isoformat()},
    )
    return workbook_response(workbook, f"{compound.name}-{monday.isoformat()}.xlsx")
