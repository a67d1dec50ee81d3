"""The gate office: pass cards and their print sheet, the gate log, who is out, the rules
and work passes. The gate page itself is in ``views_gate``; a fever alert's page is the
person's (``residents``), with the gate's passage as a panel on it."""

import copy
import json
from collections.abc import Iterable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook

from checkpoints import alert_poll, audit, codes, selectors, services
from checkpoints.codes import display_number
from checkpoints.errors import BREACH_LABELS, REASON_LABELS, REFUSAL_LABELS, CheckpointError
from checkpoints.forms import (
    BuildingFilterForm,
    BuildingSealForm,
    CardActionForm,
    CardPrintFilterForm,
    LogFilterForm,
    OpeningStateForm,
    RulesForm,
    WorkPassForm,
)
from checkpoints.models import CompoundRules, Passage, PassCard, RefusedUpload
from compounds import access
from compounds.access import Level
from compounds.errors import BastionError
from compounds.models import Building, Compound, Opening
from compounds.services import building_seal, export_record, opening_update
from compounds.xlsx import active_sheet, workbook_response, write_sheet
from residents import selectors as resident_selectors
from residents.models import Household

LOG_PAGE_SIZE = 50
CARDS_PAGE_SIZE = 100
ALERTS_PAGE_SIZE = 50
CARDS_PER_SHEET = 8  # 2 × 4 on an A4 page


def _compound(request: HttpRequest, compound_id: int, need: Level = Level.VOLUNTEER) -> Compound:
    return access.get_scoped_or_404(
        request.user,
        Compound.objects.select_related("community"),
        pk=compound_id,
        need=need,
    )


def _context(request: HttpRequest, compound: Compound, **extra: Any) -> dict[str, Any]:
    level = access.level_for(request.user, compound)
    return {"compound": compound, "level": level, "can_manage": level >= Level.MANAGE, **extra}


def _label(passages: Iterable[Passage]) -> None:
    """Attach the readable reason and breach, which the template cannot look up by key."""
    for p in passages:
        p.reason_label = REASON_LABELS.get(p.reason, p.reason)  # type: ignore[attr-defined]
        p.breach_label = BREACH_LABELS.get(p.breach, p.breach)  # type: ignore[attr-defined]


# --- Cards ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def cards(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    if request.method == "POST":
        try:
            issued = services.cards_issue_missing(compound=compound, actor=request.user)
        except CheckpointError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext("%(count)s card issued.", "%(count)s cards issued.", issued)
                % {"count": issued},
            )
        return redirect(request.get_full_path())
    form = BuildingFilterForm(request.GET or None, compound=compound)
    households = selectors.households_with_cards(compound=compound, building_id=form.building_id())
    page = Paginator(households, CARDS_PAGE_SIZE).get_page(request.GET.get("page"))
    for h in page.object_list:
        h.card_display = display_number(h.card_number) if h.card_number else ""
    context = _context(
        request,
        compound,
        form=form,
        page=page,
        # The annotation is NULL for a household that never had a card.
        without_card=households.filter(
            Q(card_state__isnull=True) | Q(card_state=PassCard.State.REVOKED)
        ).count(),
        building_id=form.building_id(),
    )
    return render(request, "checkpoints/cards.html", context)


def _card_action(*, household: Household, action: str, actor: Any) -> PassCard:
    if action == CardActionForm.Action.ISSUE:
        return services.card_issue(household=household, actor=actor)
    if action == CardActionForm.Action.REISSUE:
        return services.card_issue(
            household=household, actor=actor, replace_reason=PassCard.RevokeReason.REISSUED
        )
    current = household.cards.filter(state=PassCard.State.ACTIVE).first()
    if current is None:
        raise CheckpointError(_("This household has no active card."), "card_missing")
    return services.card_revoke(card=current, actor=actor, reason=PassCard.RevokeReason.LOST)


@login_required
@require_http_methods(["GET", "POST"])
def household_card(request: HttpRequest, compound_id: int, household_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    household = access.get_scoped_or_404(
        request.user,
        Household.objects.filter(compound=compound).select_related("building", "unit"),
        pk=household_id,
        need=Level.MANAGE,
    )
    if request.method == "POST":
        form = CardActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose what to do with the card."))
        else:
            try:
                card = _card_action(
                    household=household, action=form.cleaned_data["action"], actor=request.user
                )
            except CheckpointError as error:
                messages.error(request, str(error))
            else:
                text = (
                    _("Card %(number)s revoked: it no longer opens the gate.")
                    if card.state == PassCard.State.REVOKED
                    else _("Card %(number)s issued: print it and hand it to the household.")
                )
                messages.success(request, text % {"number": display_number(card.number)})
        return redirect("checkpoints:household-card", compound.pk, household.pk)
    history = selectors.household_cards(household=household)
    for card in history:  # the printed form of the number, for the template
        card.display = display_number(card.number)  # type: ignore[attr-defined]
    current = next((c for c in history if c.state == PassCard.State.ACTIVE), None)
    context = _context(
        request,
        compound,
        household=household,
        current=current,
        revoked=[c for c in history if c is not current],
    )
    return render(request, "checkpoints/household_card.html", context)


def _card_rules_lines(compound: Compound, rules: CompoundRules) -> list[str]:
    """What every card says, in the active language (the print view makes it Chinese)."""
    exits = rules.quota_exits
    if rules.quota_mode == CompoundRules.QuotaMode.ROLLING_HOURS:
        quota = ngettext(
            "One person per household may go out, once every %(hours)s hours.",
            "One person at a time per household may go out, %(exits)s times every %(hours)s hours.",
            exits,
        ) % {"exits": exits, "hours": rules.quota_hours}
    else:
        quota = ngettext(
            "One person per household may go out, once every %(days)s days.",
            "One person at a time per household may go out, %(exits)s times every %(days)s days.",
            exits,
        ) % {"exits": exits, "days": rules.quota_days}
    return [
        quota,
        _("Everyone's temperature is taken at the gate: at %(line)s °C or above nobody goes out.")
        % {"line": rules.fever_line},
        _("Keep this card safe: no card, no exit."),
        _("A lost card is revoked and no longer opens the gate: ask the branch for a new one."),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def cards_print(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("card") if v.isdigit()]
        done = services.cards_mark_printed(compound=compound, card_ids=ids, actor=request.user)
        messages.success(
            request,
            ngettext("%(n)s card marked as printed.", "%(n)s cards marked as printed.", done)
            % {"n": done},
        )
        return redirect(request.get_full_path())
    form = CardPrintFilterForm(request.GET or None, compound=compound)
    rows = selectors.cards_for_print(
        compound=compound,
        building_id=form.building_id(),
        household_id=form.household_id(),
        new_only=form.new_only(),
    )
    printed = [
        {
            "card": card,
            "number": display_number(card.number),
            # segno draws only the modules; the secret itself never appears as text.
            "qr": mark_safe(segno.make(card.secret, error="m").svg_inline(scale=3, border=2)),  # noqa: S308
        }
        for card in rows
    ]
    # The card goes on a resident's door or into their pocket: always in Chinese.
    with translation.override("zh-hans"):
        lines = _card_rules_lines(compound, services.rules_for(compound))
        # A sealed building's card must not promise an outing every few days.
        sealed_line = _("This building is sealed: nobody goes out until the seal is lifted.")
        hotlines = compound.hotlines()
    sheets = [printed[i : i + CARDS_PER_SHEET] for i in range(0, len(printed), CARDS_PER_SHEET)]
    context = _context(
        request,
        compound,
        form=form,
        sheets=sheets,
        count=len(printed),
        lines=lines,
        sealed_line=sealed_line,
        hotlines=hotlines,
    )
    return render(request, "checkpoints/cards_print.html", context)


# --- Logs and who is out -----------------------------------------------------------


@login_required
def log(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    form = LogFilterForm(request.GET or None, compound=compound)
    filters = form.filters()
    passages = selectors.passages_for_log(compound=compound, **filters)
    page = Paginator(passages, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    _label(page.object_list)
    context = _context(request, compound, form=form, page=page, day=filters["day"])
    return render(request, "checkpoints/log.html", context)


def _label_refusals(refusals: Iterable[RefusedUpload]) -> None:
    """Attach what the template shows of each refused upload (not fields of the model)."""
    for r in refusals:
        card = r.body.get("card")
        number = codes.normalize(card) if isinstance(card, str) else ""
        r.card_display = display_number(number) if codes.is_number(number) else card  # type: ignore[attr-defined]
        r.code_label = REFUSAL_LABELS.get(r.code, r.code)  # type: ignore[attr-defined]
        r.body_json = json.dumps(r.body, ensure_ascii=False)  # type: ignore[attr-defined]


@login_required
def log_refused(request: HttpRequest, compound_id: int) -> HttpResponse:
    """Uploads refused outright, for the secretary to follow up: never in the gate log."""
    compound = _compound(request, compound_id, need=Level.MANAGE)
    page = Paginator(selectors.refused_uploads(compound=compound), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _label_refusals(page.object_list)
    return render(request, "checkpoints/log_refused.html", _context(request, compound, page=page))


@login_required
def log_export(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    form = LogFilterForm(request.GET or None, compound=compound)
    filters = form.filters()
    passages = selectors.passages_for_log(compound=compound, **filters)
    headers = [
        _("Time"),
        _("Opening"),
        _("Household"),
        _("Resident"),
        _("Direction"),
        _("Temperature (°C)"),
        _("Verdict"),
        _("Reason"),
        _("Uploaded late"),
        _("Rule breach found"),
        _("Volunteer"),
    ]
    rows = [
        [
            # Excel has no time zones: the local (Asia/Shanghai) wall time, as a real date.
            timezone.localtime(p.occurred_at).replace(tzinfo=None),
            p.opening.name,
            p.household.address if p.household else "",
            p.resident.name if p.resident else "",
            p.get_direction_display(),
            p.temperature,
            p.get_verdict_display(),
            str(REASON_LABELS.get(p.reason, p.reason)),
            _("yes") if p.late else "",
            str(BREACH_LABELS.get(p.breach, p.breach)),
            p.volunteer.get_username(),
        ]
        for p in passages.iterator(chunk_size=500)
    ]
    wb = Workbook()
    ws = active_sheet(wb)
    ws.title = filters["day"].isoformat()
    write_sheet(ws, headers, rows)
    export_record(
        compound=compound,
        actor=request.user,
        action=audit.EXPORT_GATE_LOG,
        rows=len(rows),
        details={"day": filters["day"].isoformat()},
    )
    name = _("gate log")
    return workbook_response(wb, f"{compound.name}-{name}-{filters['day']:%Y%m%d}.xlsx")


@login_required
def household_history(request: HttpRequest, compound_id: int, household_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    household = access.get_scoped_or_404(
        request.user,
        Household.objects.filter(compound=compound).select_related("building", "unit"),
        pk=household_id,
    )
    page = Paginator(selectors.household_passages(household=household), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _label(page.object_list)
    card = household.cards.filter(state=PassCard.State.ACTIVE).select_related("compound").first()
    status = selectors.card_status(card=card) if card else None
    context = _context(
        request,
        compound,
        household=household,
        page=page,
        card=card,
        card_number=display_number(card.number) if card else "",
        status=status,
        status_reason=REASON_LABELS.get(status.reason or "", "") if status else "",
    )
    return render(request, "checkpoints/household_history.html", context)


@login_required
def out_now(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    households = list(selectors.households_out_now(compound=compound))
    breaches = list(selectors.breaches(compound=compound)[:100])
    _label(breaches)
    context = _context(
        request,
        compound,
        households=households,
        overdue_count=sum(1 for h in households if h.overdue),
        max_minutes_out=services.rules_for(compound).max_minutes_out,
        breaches=breaches,
    )
    return render(request, "checkpoints/out_now.html", context)


# --- Rules, sealing, alerts, work passes ---------------------------------------------


def _building_seal(request: HttpRequest, compound: Compound) -> HttpResponse:
    form = BuildingSealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a building to seal or unseal."))
        return redirect("checkpoints:rules", compound.pk)
    building = access.get_scoped_or_404(
        request.user,
        Building.objects.filter(compound=compound),
        pk=form.cleaned_data["building"],
        need=Level.MANAGE,
    )
    sealed = form.cleaned_data["sealed"]
    building_seal(building=building, sealed=sealed, actor=request.user)
    text = _("%(building)s is sealed.") if sealed else _("%(building)s is no longer sealed.")
    messages.success(request, text % {"building": building})
    back = request.POST.get("next", "")
    # Sealing is offered on the building's page too: back there, never to another site.
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("checkpoints:rules", compound.pk)


@login_required
@require_http_methods(["GET", "POST"])
def openings(request: HttpRequest, compound_id: int) -> HttpResponse:
    """The secretary opens, restricts or seals the openings and sets their vehicle rule
    (compounds.services.opening_update: audited, and the gate phones follow)."""
    compound = _compound(request, compound_id, need=Level.MANAGE)
    rows = list(compound.openings.order_by("name"))
    if request.method == "POST":
        form = OpeningStateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            chosen = [o for o in rows if data["opening"] in (None, o.pk)]
            if not chosen:
                raise Http404
            try:
                for opening in chosen:
                    opening_update(
                        opening=opening,
                        actor=request.user,
                        state=data["state"] or None,
                        vehicle_rule=data["vehicle_rule"] or None,
                    )
            except BastionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("The openings are saved."))
            return redirect("checkpoints:openings", compound.pk)
        messages.error(request, _("Choose a state or a vehicle rule."))
    context = _context(
        request,
        compound,
        openings=rows,
        states=Opening.State.choices,
        vehicle_rules=Opening.VehicleRule.choices,
    )
    return render(request, "checkpoints/openings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    form = RulesForm(instance=services.rules_for(compound))
    if request.method == "POST":
        access.require(request.user, compound, Level.MANAGE)
        if request.POST.get("action") == "seal":
            return _building_seal(request, compound)
        # Validate on a copy: the form writes the posted values onto its instance, and the
        # rules cached on the compound must stay as saved until the service saves them.
        form = RulesForm(request.POST, instance=copy.copy(services.rules_for(compound)))
        if form.is_valid():
            try:
                services.rules_update(compound=compound, actor=request.user, **form.cleaned_data)
            except (BastionError, ValidationError) as error:
                form.add_error(None, error if isinstance(error, ValidationError) else str(error))
            else:
                messages.success(request, _("The gate rules are saved."))
                return redirect("checkpoints:rules", compound.pk)
    context = _context(
        request,
        compound,
        form=form,
        buildings=list(compound.buildings.all()),
        openings=list(compound.openings.all()),
    )
    return render(request, "checkpoints/rules.html", context, status=400 if form.errors else 200)


@login_required
def alerts(request: HttpRequest, compound_id: int) -> HttpResponse:
    """Every open fever alert, newest first, a page at a time (the home page shows a few)."""
    compound = _compound(request, compound_id)
    page = Paginator(selectors.open_fever_alerts(compound=compound), ALERTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "checkpoints/alerts.html", _context(request, compound, page=page))


@login_required
@require_GET
def alerts_poll(request: HttpRequest, compound_id: int) -> HttpResponse:
    """New fever alerts, breaches and overdue outings for an open page: one query, and a
    bodiless 304 when nothing changed since the page's last answer (its ETag)."""
    row = alert_poll.poll_row(user=request.user, compound_id=compound_id)
    if row is None:
        raise Http404
    answer = alert_poll.poll_answer(row)
    etag = alert_poll.poll_etag(answer)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = JsonResponse(answer)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def work_passes(request: HttpRequest, compound_id: int, resident_id: int) -> HttpResponse:
    compound = _compound(request, compound_id, need=Level.MANAGE)
    resident = access.get_scoped_or_404(
        request.user,
        resident_selectors.residents_of(compound),
        pk=resident_id,
        need=Level.MANAGE,
    )
    form = WorkPassForm()
    if request.method == "POST":
        form = WorkPassForm(request.POST)
        if form.is_valid():
            try:
                services.work_pass_create(
                    resident=resident, actor=request.user, **form.cleaned_data
                )
            except CheckpointError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The work pass is added."))
                return redirect("checkpoints:work-passes", compound.pk, resident.pk)
    today = timezone.localdate()
    passes = list(resident.work_passes.all())
    for wp in passes:  # the template marks the pass in force today
        wp.current = wp.valid_from <= today <= wp.valid_to  # type: ignore[attr-defined]
    context = _context(request, compound, resident=resident, passes=passes, form=form, today=today)
    return render(
        request, "checkpoints/work_passes.html", context, status=400 if form.errors else 200
    )
