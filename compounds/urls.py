from django.urls import path

from compounds import views

urlpatterns = [
    path("c/<int:compound_id>/branch/", views.branch, name="compound-branch"),
    path("c/<int:compound_id>/tokens/", views.compound_tokens, name="compound-tokens"),
    path(
        "c/<int:compound_id>/tokens/<int:token_id>/revoke/",
        views.compound_token_revoke,
        name="compound-token-revoke",
    ),
]
