from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from compounds import access, capabilities, selectors, services
from compounds.errors import BastionError
from compounds.models import Compound


@login_required
def branch(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = access.get_scoped_or_404(request.user, Compound.objects.all(), pk=compound_id)
    return render(
        request,
        "compounds/branch.html",
        {
            "compound": compound,
            "branches": selectors.branches_for(compound=compound),
            "personal": access.sees_personal_data(request.user, compound),
        },
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html")


@require_POST
@login_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """Ends the user's sessions on every device (a lost phone), this one included."""
    count = services.user_sessions_end(user=request.user, actor=request.user)
    logout(request)
    messages.success(
        request, _("Logged out on every device (%(count)d sessions).") % {"count": count}
    )
    return redirect("login")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also ends the user's sessions on other devices."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        services.user_sessions_end(
            user=self.request.user, actor=self.request.user, keep=self.request.session.session_key
        )
        return response


@never_cache
@login_required
def account_tokens(request: HttpRequest) -> HttpResponse:
    """The user's device tokens; a POST names a new one, shown on this answer only."""
    issued = None
    error = None
    if request.method == "POST":
        try:
            issued = capabilities.device_token_issue(
                owner=request.user, name=request.POST.get("name", ""), actor=request.user
            )
        except BastionError as refused:
            error = refused.message
    return render(
        request,
        "registration/tokens.html",
        {
            "tokens": capabilities.device_tokens_of(owner=request.user),
            "new_token": issued[1] if issued else None,
            "new_capability": issued[0] if issued else None,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_POST
@login_required
def account_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    revoked = capabilities.device_token_revoke(
        owner=request.user, token_id=token_id, actor=request.user
    )
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": revoked.name})
    return redirect("account-tokens")


def _managed_compound(request: HttpRequest, compound_id: int) -> Compound:
    return access.get_scoped_or_404(
        request.user, Compound.objects.all(), need=access.Level.MANAGE, pk=compound_id
    )


@login_required
def compound_tokens(request: HttpRequest, compound_id: int) -> HttpResponse:
    """The device tokens of the people holding roles in the compound, for its managers."""
    compound = _managed_compound(request, compound_id)
    return render(
        request,
        "compounds/tokens.html",
        {
            "compound": compound,
            "tokens": capabilities.device_tokens_in_compound(compound=compound),
        },
    )


@require_POST
@login_required
def compound_token_revoke(request: HttpRequest, compound_id: int, token_id: int) -> HttpResponse:
    compound = _managed_compound(request, compound_id)
    revoked = capabilities.device_token_revoke_in_compound(
        compound=compound, token_id=token_id, actor=request.user
    )
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": revoked.name})
    return redirect("compound-tokens", compound_id=compound.pk)
