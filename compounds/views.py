from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compounds import access, selectors, services
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
