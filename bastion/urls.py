from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bastion import api_urls, views_archive
from bastion.dashboard import views as dashboard
from compounds import views as compound_views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", compound_views.account, name="account"),
    path("accounts/tokens/", compound_views.account_tokens, name="account-tokens"),
    path(
        "accounts/tokens/<int:token_id>/revoke/",
        compound_views.account_token_revoke,
        name="account-token-revoke",
    ),
    path(
        "accounts/logout-everywhere/",
        compound_views.logout_everywhere,
        name="logout-everywhere",
    ),
    path("accounts/password/", compound_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", dashboard.home, name="home"),
    path("c/<int:compound_id>/", dashboard.compound_home, name="compound-home"),
    path("", include("bastion.dashboard.urls")),
    path("c/<int:compound_id>/archive/", views_archive.compound_archive, name="compound-archive"),
    path(
        "c/<int:compound_id>/archive/file/",
        views_archive.compound_archive_file,
        name="compound-archive-file",
    ),
    path("", include("compounds.urls")),
    path("", include("residents.urls")),
    path("", include("checkpoints.urls")),
    path("", include("checkpoints.rosters.urls")),
    path("", include("supplies.urls")),
]

admin.site.site_header = "堡垒 Bastion"
admin.site.site_title = "Bastion"
