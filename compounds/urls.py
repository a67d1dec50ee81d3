from django.urls import path

from compounds import views, views_people

urlpatterns = [
    path("c/<int:compound_id>/branch/", views.branch, name="compound-branch"),
    path("c/<int:compound_id>/tokens/", views.compound_tokens, name="compound-tokens"),
    path(
        "c/<int:compound_id>/tokens/<int:token_id>/revoke/",
        views.compound_token_revoke,
        name="compound-token-revoke",
    ),
]

# The branch's people and the one-time link that gives a member a password.
urlpatterns += [
    path("c/<int:compound_id>/people/", views_people.people_list, name="compound-people"),
    path(
        "c/<int:compound_id>/people/<int:member_id>/",
        views_people.person_edit,
        name="compound-person",
    ),
    path(
        "c/<int:compound_id>/people/<int:member_id>/link/",
        views_people.person_link,
        name="compound-person-link",
    ),
    path(
        "c/<int:compound_id>/people/<int:member_id>/deactivate/",
        views_people.person_deactivate,
        name="compound-person-deactivate",
    ),
    path("accounts/link/<str:uidb64>/<str:token>/", views_people.login_link, name="login-link"),
]
