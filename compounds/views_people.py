"""The branch's people (its managers add members and volunteers and give them logins) and
the one-time link that lets a member set a password (``compounds.people``)."""

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from compounds import access, people
from compounds.access import Level
from compounds.errors import CompoundError
from compounds.forms import MemberForm
from compounds.models import BranchMember, Compound


def _managed(request: HttpRequest, compound_id: int) -> Compound:
    return access.get_scoped_or_404(
        request.user, Compound.objects.all(), need=Level.MANAGE, pk=compound_id
    )


def _member(request: HttpRequest, compound: Compound, member_id: int) -> BranchMember:
    return access.get_scoped_or_404(
        request.user,
        BranchMember.objects.select_related("user", "branch"),
        need=Level.MANAGE,
        pk=member_id,
        branch__compound=compound,
    )


@login_required
@require_http_methods(["GET", "POST"])
def people_list(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _managed(request, compound_id)
    form = MemberForm(request.POST or None, initial={"position": BranchMember.Position.VOLUNTEER})
    if request.method == "POST" and form.is_valid():
        try:
            member = people.member_add(compound=compound, actor=request.user, **form.cleaned_data)
        except CompoundError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("%(name)s added.") % {"name": member.name})
            return redirect("compound-people", compound_id=compound.pk)
    return render(
        request,
        "compounds/people.html",
        {
            "compound": compound,
            "members": people.members_of(compound),
            "form": form,
            "is_officer": access.level_for(request.user, compound) >= Level.OFFICER,
            "office_positions": sorted(people.OFFICE_POSITIONS),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, compound_id: int, member_id: int) -> HttpResponse:
    compound = _managed(request, compound_id)
    member = _member(request, compound, member_id)
    form = MemberForm(request.POST or None, instance=BranchMember.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        try:
            people.member_update(member=member, actor=request.user, **form.cleaned_data)
        except CompoundError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Saved."))
            return redirect("compound-people", compound_id=compound.pk)
    return render(
        request,
        "compounds/person.html",
        {"compound": compound, "member": member, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_POST
def person_link(request: HttpRequest, compound_id: int, member_id: int) -> HttpResponse:
    """Give the member a login, or a new link for a forgotten password: shown once."""
    compound = _managed(request, compound_id)
    member = _member(request, compound, member_id)
    try:
        link = people.member_login_link(member=member, actor=request.user)
    except CompoundError as refused:
        messages.error(request, str(refused))
        return redirect("compound-people", compound_id=compound.pk)
    url = request.build_absolute_uri(
        reverse("login-link", kwargs={"uidb64": link.uidb64, "token": link.token})
    )
    qr = segno.make(url, error="m").svg_inline(scale=4, border=2)
    context: dict[str, Any] = {
        "compound": compound,
        "member": member,
        "link": link,
        "url": url,
        "qr": mark_safe(qr),  # noqa: S308 (segno's own SVG of our own URL)
    }
    return render(request, "compounds/person_link.html", context)


@login_required
@require_POST
def person_deactivate(request: HttpRequest, compound_id: int, member_id: int) -> HttpResponse:
    """Deactivate the person, or (``reactivate`` in the form) bring them back."""
    compound = _managed(request, compound_id)
    member = _member(request, compound, member_id)
    back = bool(request.POST.get("reactivate"))
    try:
        if back:
            people.member_reactivate(member=member, actor=request.user)
        else:
            people.member_deactivate(member=member, actor=request.user)
    except CompoundError as refused:
        messages.error(request, str(refused))
    else:
        done = _("%(name)s is back on the team.") if back else _("%(name)s deactivated.")
        messages.success(request, done % {"name": member.name})
    return redirect("compound-people", compound_id=compound.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time link: the login name, a new password, and the member is logged in."""
    user = people.link_user(uidb64, token)
    if user is None:
        return render(request, "registration/link_dead.html", status=410)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        people.password_set_by_link(user=user, password=form.cleaned_data["new_password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your password is set. Welcome!"))
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "registration/link_set_password.html",
        {"form": form, "login_name": user.get_username()},
        status=400 if form.errors else 200,
    )
