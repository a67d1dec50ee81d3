"""The roster pages of a compound: the week grid, posts and templates, rolling shifts out,
one shift's people. Thin: load through ``compounds.access``, validate, call a service."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from checkpoints.rosters import selectors, services
from checkpoints.rosters.common import device_time
from checkpoints.rosters.errors import RosterError
from checkpoints.rosters.forms import (
    MemberChoiceForm,
    PostForm,
    RolloutForm,
    TemplateForm,
    slots_text,
)
from checkpoints.rosters.models import Assignment, Post, Shift, ShiftTemplate
from compounds import access
from compounds.access import Level
from compounds.models import Compound


def compound_for(request: HttpRequest, compound_id: int, need: Level = Level.VOLUNTEER) -> Compound:
    return access.get_scoped_or_404(
        request.user, Compound.objects.select_related("community"), pk=compound_id, need=need
    )


def context(request: HttpRequest, compound: Compound, **extra: Any) -> dict[str, Any]:
    level = access.level_for(request.user, compound)
    return {"compound": compound, "level": level, "can_manage": level >= Level.MANAGE, **extra}


def _week(request: HttpRequest) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return selectors.week_of(day)


@login_required
def week(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id)
    monday = _week(request)
    days, rows = selectors.week_grid(compound=compound, monday=monday)
    return render(
        request,
        "checkpoints/roster/week.html",
        context(
            request,
            compound,
            days=days,
            rows=rows,
            monday=monday,
            previous=monday.fromordinal(monday.toordinal() - 7),
            next=monday.fromordinal(monday.toordinal() + 7),
            today=timezone.localdate(),
            # One reverse() for the page, not one per shift: the grid has hundreds.
            shifts_url=reverse("rosters:week", kwargs={"compound_id": compound.pk}) + "shifts/",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, compound_id: int) -> HttpResponse:
    """Posts (and a new one) and the shift templates."""
    compound = compound_for(request, compound_id, Level.MANAGE)
    post = None
    if request.GET.get("post"):
        post = access.get_scoped_or_404(
            request.user, Post.objects.all(), pk=request.GET["post"], compound=compound
        )
    form = PostForm(request.POST or None, instance=post, compound=compound)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_save(
                compound=compound, actor=request.user, post=post, **form.cleaned_data
            )
        except RosterError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Post saved."))
            return redirect("rosters:setup", compound_id=compound.pk)
    return render(
        request,
        "checkpoints/roster/setup.html",
        context(
            request,
            compound,
            form=form,
            post=post,
            posts=Post.objects.filter(compound=compound).select_related("opening", "building"),
            templates=ShiftTemplate.objects.filter(compound=compound).prefetch_related("slots"),
        ),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(
    request: HttpRequest, compound_id: int, template_id: int | None = None
) -> HttpResponse:
    compound = compound_for(request, compound_id, Level.MANAGE)
    template = None
    if template_id is not None:
        template = access.get_scoped_or_404(
            request.user, ShiftTemplate.objects.all(), pk=template_id, compound=compound
        )
    initial = {"name": template.name, "slots": slots_text(template)} if template else {}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(
                compound=compound,
                actor=request.user,
                template=template,
                name=form.cleaned_data["name"],
                slots=form.cleaned_data["slots"],
            )
        except RosterError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Template saved."))
            return redirect("rosters:setup", compound_id=compound.pk)
    return render(
        request,
        "checkpoints/roster/template.html",
        context(request, compound, form=form, template=template),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rollout(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = compound_for(request, compound_id, Level.MANAGE)
    services.three_shifts(compound=compound, actor=request.user)
    form = RolloutForm(request.POST or None, compound=compound)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.shifts_roll_out(
                template=data["template"],
                posts=list(data["posts"]),
                first=data["first"],
                last=data["last"],
                actor=request.user,
            )
        except RosterError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                ngettext("%(count)d shift made.", "%(count)d shifts made.", made) % {"count": made},
            )
            week_url = reverse("rosters:week", kwargs={"compound_id": compound.pk})
            return redirect(f"{week_url}?week={data['first'].isoformat()}")
    return render(
        request,
        "checkpoints/roster/rollout.html",
        context(request, compound, form=form),
        status=400 if form.errors else 200,
    )


def _shift(request: HttpRequest, compound: Compound, shift_id: int) -> Shift:
    return access.get_scoped_or_404(
        request.user,
        Shift.objects.select_related("post__compound"),
        pk=shift_id,
        post__compound=compound,
    )


@login_required
@require_http_methods(["GET", "POST"])
def shift(request: HttpRequest, compound_id: int, shift_id: int) -> HttpResponse:
    """Who is on one shift; managers put people on, take them off and swap them."""
    compound = compound_for(request, compound_id)
    found = _shift(request, compound, shift_id)
    form = MemberChoiceForm(request.POST or None, compound=compound)
    if request.method == "POST":
        access.require(request.user, compound, Level.MANAGE)
        if request.POST.get("cancel_shift"):
            services.shift_cancel(shift=found, actor=request.user)
            messages.success(request, _("Shift cancelled."))
            return redirect(request.path)
        if form.is_valid():
            try:
                _shift_action(request, found, form.cleaned_data["member"])
            except RosterError as refused:
                form.add_error(None, str(refused))
            else:
                return redirect(request.path)
    assignments = list(
        found.assignments.select_related("member", "assigned_by", "cancelled_by", "shift").order_by(
            "assigned_at"
        )
    )
    for a in assignments:
        selectors.label_timing(a)
        a.added_by, a.removed_by = _who(a.assigned_by), _who(a.cancelled_by)  # type: ignore[attr-defined]
    return render(
        request,
        "checkpoints/roster/shift.html",
        context(
            request, compound, shift=found, assignments=assignments, form=form, now=timezone.now()
        ),
        status=400 if form.errors else 200,
    )


def _who(user: Any) -> str:
    """A changer's name where the login has one; "—" for a change made by the system."""
    return (user.get_full_name() or user.get_username()) if user is not None else "—"


def _shift_action(request: HttpRequest, shift: Shift, member: Any) -> None:
    swap_id = request.POST.get("swap")
    if swap_id:
        old = shift.assignments.get(pk=int(swap_id))
        services.swap(assignment=old, member=member, actor=request.user)
        messages.success(request, _("Shift handed to %(name)s.") % {"name": member.name})
    else:
        services.assign(shift=shift, member=member, actor=request.user)
        messages.success(request, _("%(name)s is on the shift.") % {"name": member.name})


def _when(request: HttpRequest, action: str) -> dict[str, Any]:
    if action == "cancel" or not request.POST.get("at"):
        return {}
    at = device_time(parse_datetime(request.POST["at"]))
    return {"now": at} if at is not None else {}


@login_required
@require_POST
def assignment_action(request: HttpRequest, compound_id: int, assignment_id: int) -> HttpResponse:
    """Sign in, sign out (the person or a manager) or take off the shift (a manager)."""
    compound = compound_for(request, compound_id)
    assignment = access.get_scoped_or_404(
        request.user,
        Assignment.objects.select_related("shift__post", "member"),
        pk=assignment_id,
        shift__post__compound=compound,
    )
    action = request.POST.get("action")
    operations: dict[str, Callable[..., Assignment]] = {
        "sign_in": services.sign_in,
        "sign_out": services.sign_out,
        "cancel": services.unassign,
    }
    if action not in operations:
        messages.error(request, _("Unknown action."))
    else:
        try:
            operations[action](assignment=assignment, actor=request.user, **_when(request, action))
        except RosterError as refused:
            messages.error(request, str(refused))
        else:
            labels = {
                "sign_in": _("Signed in."),
                "sign_out": _("Signed out."),
                "cancel": _("Taken off the shift."),
            }
            messages.success(request, labels[action])
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("rosters:shift", compound_id=compound.pk, shift_id=assignment.shift_id)
