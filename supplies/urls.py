from django.urls import path

from supplies import views, views_help, views_ledger, views_page

app_name = "supplies"
R = "c/<int:compound_id>/supplies/runs/<int:run_id>/"
urlpatterns = [
    path("c/<int:compound_id>/supplies/", views.runs, name="runs"),
    path(R, views.run, name="run"),
    path(f"{R}paste/", views.run_paste, name="run-paste"),
    path(f"{R}list/", views.run_list, name="run-list"),
    path(f"{R}mark/", views.run_mark, name="run-mark"),
    path(f"{R}labels/", views.run_labels, name="run-labels"),
    path(f"{R}summary/", views.run_summary, name="run-summary"),
    path("c/<int:compound_id>/supplies/export.xlsx", views.export, name="export"),
    path("c/<int:compound_id>/supplies/ledger/", views_ledger.ledger, name="ledger"),
    path("c/<int:compound_id>/help/", views_help.board, name="help"),
    path("c/<int:compound_id>/help/summary/", views_help.summary, name="help-summary"),
    path(
        "c/<int:compound_id>/help/<int:request_id>/",
        views_help.request_detail,
        name="help-request",
    ),
    path(
        "c/<int:compound_id>/households/<int:household_id>/own-page/",
        views_page.household_page,
        name="household-page",
    ),
    # The household's own page: a capability link, no login.
    path("h/<str:token>/", views_page.own, name="own-page"),
]
