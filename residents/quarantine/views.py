"""Quarantine pages: today's board (checks due, missed, ending today), starting one, a
quarantine's page (checks, end-date history, end changes), recording a check, close
contacts, the named contact and its handout card."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from compounds import access
from compounds.access import Level
from compounds.models import Compound
from residents import selectors as registry
from residents.errors import ResidentError
from residents.models import Resident
from residents.quarantine import selectors, services
from residents.quarantine.forms import (
    CheckForm,
    CloseContactForm,
    EndChangeForm,
    EndForm,
    NamedContactForm,
    StartForm,
)
from residents.quarantine.models import CloseContact, NamedContact, Quarantine, QuarantineCheck
from residents.rounds import cards
from residents.views import _compound, _context, _show_error


def _resident(request: HttpRequest, compound: Compound, resident_id: int, need: Level) -> Resident:
    return access.get_scoped_or_404(
        request.user, registry.residents_of(compound), pk=resident_id, need=need
    )


def _quarantine(request: HttpRequest, compound: Compound, quarantine_id: int) -> Quarantine:
    # Seen from home or from the central site: the compound in the URL was checked above.
    found = selectors.quarantine_for(compound=compound, pk=quarantine_id)
    if found is None:
        raise Http404
    return found


@login_required
def board(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    # One reverse() each for the hundreds of links, not one per row.
    check_base = reverse("residents:quarantine-check", args=[compound.pk, 0])[:-2]
    quarantine_base = reverse("residents:quarantine", args=[compound.pk, 0])[:-2]
    due = list(selectors.checks_due(compound=compound))
    active = list(selectors.active(compound=compound))
    context = _context(
        request,
        compound,
        due=due,
        due_html=_due_html(due, check_base),
        missed=list(selectors.checks_missed(compound=compound)[:200]),
        ending=list(selectors.ending_today(compound=compound)),
        active=active,
        active_html=_active_html(active, compound, quarantine_base),
        check_base=check_base,
        quarantine_base=quarantine_base,
    )
    return render(request, "residents/quarantine/board.html", context)


def _due_html(due: list[QuarantineCheck], base: str) -> SafeString:
    """Today's checks as list items, built in Python: hundreds of rows through the
    template engine cost more than their query."""
    to_check, fever = _("to check"), _("fever")
    rows = []
    for c in due:
        q = c.quarantine
        if c.checked_at:
            state = format_html(
                '<span class="badge green">{} °C</span>{}',
                c.temperature if c.temperature is not None else "—",
                format_html(' <span class="badge red">{}</span>', fever)
                if c.fever_alert_id
                else "",
            )
        else:
            state = format_html('<span class="badge amber">{}</span>', to_check)
        rows.append(
            format_html(
                '<li class="{}"><a href="{}{}/">{} · {}</a> {}</li>',
                "done" if c.checked_at else "",
                base,
                c.pk,
                q.household.address,
                q.resident.name,
                state,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 (each row escaped by format_html)


def _active_html(active: list[Quarantine], compound: Compound, base: str) -> SafeString:
    return format_html_join(
        "",
        '<tr><td><a href="{}{}/">{}</a><br><span class="muted">{}{}</span></td>'
        '<td>{}<br><span class="muted">{}{}</span></td>'
        '<td class="nowrap">{} – {}</td></tr>',
        (
            (
                base,
                q.pk,
                q.resident.name,
                f"{q.compound.name} · " if q.compound_id != compound.pk else "",
                q.household.address,
                q.get_reason_display(),
                q.get_kind_display(),
                f" · {q.site_label}" if q.site_label else "",
                q.starts_on.strftime("%m-%d"),
                q.ends_on.strftime("%m-%d"),
            )
            for q in active
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, compound_id: int, resident_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    resident = _resident(request, compound, resident_id, Level.MANAGE)
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quarantine = services.quarantine_start(
                resident=resident, actor=request.user, **form.cleaned_data
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Quarantine started."))
            return redirect("residents:quarantine", compound.pk, quarantine.pk)
    context = _context(request, compound, form=form, resident=resident)
    return render(
        request, "residents/quarantine/start.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, compound_id: int, quarantine_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    quarantine = _quarantine(request, compound, quarantine_id)
    change_form, end_form = EndChangeForm(), EndForm()
    if request.method == "POST":
        access.require(request.user, quarantine.compound_id, Level.MANAGE)
        action = request.POST.get("action")
        try:
            if action == "change":
                change_form = EndChangeForm(request.POST)
                if change_form.is_valid():
                    services.quarantine_end_change(
                        quarantine=quarantine, actor=request.user, **change_form.cleaned_data
                    )
                    messages.success(request, _("The end date is changed."))
                    return redirect("residents:quarantine", compound.pk, quarantine.pk)
            elif action == "end":
                end_form = EndForm(request.POST)
                if end_form.is_valid():
                    services.quarantine_end(
                        quarantine=quarantine, actor=request.user, **end_form.cleaned_data
                    )
                    messages.success(request, _("The quarantine has ended."))
                    return redirect("residents:quarantine", compound.pk, quarantine.pk)
            elif action == "confine":
                services.quarantine_confinement_set(
                    quarantine=quarantine,
                    actor=request.user,
                    confines_household=request.POST.get("confines") == "1",
                )
                return redirect("residents:quarantine", compound.pk, quarantine.pk)
        except ResidentError as error:
            (change_form if action == "change" else end_form).add_error(None, str(error.message))
    context = _context(
        request,
        compound,
        quarantine=quarantine,
        checks=list(quarantine.checks.select_related("checked_by", "fever_alert")),
        changes=list(quarantine.end_changes.select_related("actor")),
        change_form=change_form,
        end_form=end_form,
        may_manage=access.level_for(request.user, quarantine.compound_id) >= Level.MANAGE,
    )
    failed = change_form.errors or end_form.errors
    return render(
        request, "residents/quarantine/detail.html", context, status=400 if failed else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, compound_id: int, check_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    row = (
        QuarantineCheck.objects.filter(pk=check_id)
        .filter(quarantine__in=selectors.quarantines_seen_from(compound))
        .select_related("quarantine__resident", "quarantine__household__building")
        .first()
    )
    if row is None:
        raise Http404
    form = CheckForm(request.POST or None, initial={"method": QuarantineCheck.Method.DOOR})
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.quarantine_check_record(
                check=row, actor=request.user, **form.cleaned_data
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            if recorded.fever_alert_id:
                messages.error(request, _("Fever: an alert is raised. Follow it up now."))
            else:
                messages.success(request, _("Check recorded."))
            return redirect("residents:quarantine-board", compound.pk)
    context = _context(request, compound, row=row, form=form)
    return render(
        request, "residents/quarantine/check.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_contacts(request: HttpRequest, compound_id: int, resident_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    case = _resident(request, compound, resident_id, Level.VOLUNTEER)
    form = CloseContactForm(request.POST or None, compound=compound)
    if request.method == "POST":
        access.require(request.user, compound, Level.MANAGE)
        if form.is_valid():
            try:
                services.close_contact_add(case=case, actor=request.user, **form.cleaned_data)
            except ResidentError as error:
                _show_error(form, error)
            else:
                messages.success(request, _("Close contact registered."))
                return redirect("residents:close-contacts", compound.pk, case.pk)
    context = _context(
        request, compound, case=case, form=form, contacts=list(selectors.contacts_of(case=case))
    )
    return render(
        request, "residents/quarantine/contacts.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def close_contact_quarantine(
    request: HttpRequest, compound_id: int, contact_id: int
) -> HttpResponse:
    """One action: the contact's home quarantine."""
    compound = _compound(request, compound_id, need=Level.MANAGE)
    contact = access.get_scoped_or_404(
        request.user,
        CloseContact.objects.filter(compound=compound),
        pk=contact_id,
        need=Level.MANAGE,
    )
    try:
        quarantine = services.close_contact_quarantine(contact=contact, actor=request.user)
    except ResidentError as error:
        messages.error(request, str(error.message))
        return redirect("residents:close-contacts", compound.pk, contact.case_id)
    messages.success(request, _("Quarantine started."))
    return redirect("residents:quarantine", compound.pk, quarantine.pk)


@login_required
@require_http_methods(["GET", "POST"])
def named_contact(request: HttpRequest, compound_id: int, resident_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    resident = _resident(request, compound, resident_id, Level.MANAGE)
    current = NamedContact.objects.filter(resident=resident).select_related("member").first()
    form = NamedContactForm(
        request.POST or None,
        compound=compound,
        initial={"member": current.member_id if current else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.named_contact_set(
                resident=resident, actor=request.user, member=form.cleaned_data["member"]
            )
        except ResidentError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("residents:household", compound.pk, resident.household_id)
    context = _context(request, compound, form=form, resident=resident, current=current)
    return render(
        request, "residents/quarantine/named.html", context, status=400 if form.errors else 200
    )


@login_required
def handout(request: HttpRequest, compound_id: int, resident_id: int) -> HttpResponse:
    """The card handed to a vulnerable resident: their one person to call. Never posted."""
    compound = _compound(request, compound_id, need=Level.MANAGE)
    resident = _resident(request, compound, resident_id, Level.MANAGE)
    current = NamedContact.objects.filter(resident=resident).select_related("member").first()
    extra: dict[str, Any] = {"resident": resident, "current": current}
    from django.utils import translation

    with translation.override("zh-hans"):
        extra["hotlines"] = cards.hotlines(compound)
    extra["health_line"] = cards.HEALTH_LINE
    return render(
        request, "residents/quarantine/handout.html", _context(request, compound, **extra)
    )
