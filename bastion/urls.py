from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bastion import api_urls, views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", views.home, name="home"),
    path("c/<int:compound_id>/", views.compound_home, name="compound-home"),
    path("", include("compounds.urls")),
    path("", include("residents.urls")),
    path("", include("checkpoints.urls")),
    path("", include("supplies.urls")),
]

admin.site.site_header = "堡垒 Bastion"
admin.site.site_title = "Bastion"
