"""The dashboards' pages (thin: scope, read, render). Heavy reads take their alias from
``bastion.replica.read_alias``; the compound page is one compound's and reads the
primary, like the rest of a secretary's working pages."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bastion import replica
from bastion.dashboard import audit, chart, exports, registry, selectors, services
from bastion.dashboard.forms import DayForm
from bastion.dashboard.registry import Moment
from bastion.landing import landing
from checkpoints import selectors as gate_selectors
from compounds import access
from compounds.models import Compound
from compounds.xlsx import workbook_response

SORT_PARAM, DESC_PARAM = "sort", "desc"


def _overview_context(request: HttpRequest, compounds: list[Compound]) -> dict[str, Any]:
    moment = Moment.today(using=replica.read_alias())
    rows = selectors.overview_rows(compounds, moment)
    sort = request.GET.get(SORT_PARAM, "")
    descending = request.GET.get(DESC_PARAM) == "1"
    rows = selectors.sort_rows(rows, sort, descending)
    total = registry.totals({r.compound.pk: r.values for r in rows})
    figures = selectors.columns()
    return {
        "groups": selectors.column_groups(),
        "rows": rows,
        "figures": figures,
        "cells": [(r, [(f, r.get(f.key)) for f in figures]) for r in rows],
        "totals": [(f, int(total.get(f.key, 0))) for f in figures],
        "sort": sort,
        "descending": descending,
        "moment": moment,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The officer's home: every compound side by side, with the roster's gaps. A login
    with one place to be goes there instead (``bastion.landing``)."""
    compounds = selectors.visible_compounds(request.user)
    target = landing(request.user, compounds)
    if target is not None:
        name, argument = target
        return redirect(name, argument) if argument is not None else redirect(name)
    context = _overview_context(request, compounds) if compounds else {"rows": []}
    context["gaps"] = selectors.gaps_of([r.values for r in context["rows"]])
    return render(request, "bastion/home.html", context)


@login_required
def overview_export(request: HttpRequest) -> HttpResponse:
    compounds = selectors.visible_compounds(request.user)
    context = _overview_context(request, compounds)
    total = registry.totals({r.compound.pk: r.values for r in context["rows"]})
    workbook = exports.overview_workbook(context["rows"], total)
    services.exports_record(
        compounds=compounds,
        actor=request.user,
        action=audit.EXPORT_OVERVIEW,
        rows={c.pk: 1 for c in compounds},
    )
    name = _("overview-%(day)s.xlsx") % {"day": timezone.localdate().isoformat()}
    return workbook_response(workbook, name)


@login_required
def compound_home(request: HttpRequest, compound_id: int) -> HttpResponse:
    """The secretary's morning: every figure of the compound, each a link, and 14 days."""
    compound = access.get_scoped_or_404(
        request.user, Compound.objects.select_related("rules"), pk=compound_id
    )
    moment = Moment.today()
    fever_alerts, alert_count = gate_selectors.newest_open_fever_alerts(compound=compound)
    values = registry.compute_all([compound.pk], moment)[compound.pk]
    context = {
        "compound": compound,
        "gaps": selectors.gaps_of([values]),
        "openings": list(compound.openings.all()),
        "sealed_buildings": list(compound.buildings.filter(sealed=True)),
        "areas": selectors.compound_figures(compound, moment, values),
        "chart": chart.chart([compound.pk], last=moment.day),
        "fever_alerts": fever_alerts,
        "fever_alert_count": alert_count,
        "breaches": list(gate_selectors.breaches(compound=compound)[:50]),
        "overdue": selectors.overdue_households(compound, moment),
    }
    return render(request, "bastion/compound_home.html", context)


def _report(request: HttpRequest) -> dict[str, Any]:
    form = DayForm(request.GET or None)
    moment = Moment(day=form.day_or_today(), now=timezone.now(), using=replica.read_alias())
    compounds = selectors.visible_compounds(request.user)
    rows = selectors.overview_rows(compounds, moment)
    with translation.override("zh-hans"):  # the report goes upward in Chinese
        items = selectors.daily_report(rows)
        title = exports.report_title(moment.day, (c.community.name for c in compounds))
    return {
        "form": form,
        "moment": moment,
        "compounds": compounds,
        "rows": rows,
        "items": items,
        "title": title,
        "figures": selectors.columns(),
        "cells": [(r, [r.get(f.key) for f in selectors.columns()]) for r in rows],
    }


@login_required
def daily_report(request: HttpRequest) -> HttpResponse:
    with translation.override("zh-hans"):
        return render(request, "bastion/daily_report.html", _report(request))


@login_required
def daily_report_xlsx(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    with translation.override("zh-hans"):
        workbook = exports.report_workbook(report["title"], report["items"], report["rows"])
    services.exports_record(
        compounds=report["compounds"],
        actor=request.user,
        action=audit.EXPORT_DAILY_REPORT,
        rows={c.pk: 1 for c in report["compounds"]},
        details={"day": report["moment"].day.isoformat()},
    )
    return workbook_response(workbook, f"{report['title']}.xlsx")


@login_required
def daily_report_text(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    with translation.override("zh-hans"):
        text = exports.report_text(report["title"], report["items"], report["rows"])
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def named_list(request: HttpRequest, kind: str) -> HttpResponse:
    """Returnees or people in home quarantine, named, for the office: personal data, so
    only the compounds where the user manages (the branch's managers, the officer)."""
    form = DayForm(request.GET or None)
    moment = Moment(day=form.day_or_today(), now=timezone.now(), using=replica.read_alias())
    compounds = selectors.visible_compounds(request.user, need=access.Level.MANAGE)
    ids = [c.pk for c in compounds]
    if kind == "returnees":
        workbook, counts = exports.returnees_workbook(selectors.returnees(ids, using=moment.using))
        action, name = audit.EXPORT_RETURNEES, _("returnees")
    else:
        workbook, counts = exports.quarantine_workbook(selectors.in_quarantine(ids, moment))
        action, name = audit.EXPORT_QUARANTINE, _("quarantine")
    services.exports_record(
        compounds=compounds,
        actor=request.user,
        action=action,
        rows=counts,
        details={"day": moment.day.isoformat()},
    )
    return workbook_response(workbook, f"{name}-{moment.day.isoformat()}.xlsx")
