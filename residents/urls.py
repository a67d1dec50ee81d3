from django.urls import path

from residents import views, views_excel
from residents.rounds.urls import urlpatterns as rounds_urlpatterns

app_name = "residents"
urlpatterns = [
    path("c/<int:compound_id>/buildings/", views.buildings, name="buildings"),
    path(
        "c/<int:compound_id>/buildings/<int:building_id>/", views.building_detail, name="building"
    ),
    path("c/<int:compound_id>/households/", views.households, name="households"),
    path("c/<int:compound_id>/households/new/", views.household_create, name="household-create"),
    path(
        "c/<int:compound_id>/households/<int:household_id>/",
        views.household_detail,
        name="household",
    ),
    path(
        "c/<int:compound_id>/households/<int:household_id>/edit/",
        views.household_edit,
        name="household-edit",
    ),
    path(
        "c/<int:compound_id>/households/<int:household_id>/residents/new/",
        views.resident_create,
        name="resident-create",
    ),
    path(
        "c/<int:compound_id>/residents/<int:resident_id>/edit/",
        views.resident_edit,
        name="resident-edit",
    ),
    path(
        "c/<int:compound_id>/residents/<int:resident_id>/erase/",
        views.resident_erase,
        name="resident-erase",
    ),
    path("c/<int:compound_id>/alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("c/<int:compound_id>/vulnerable/", views.vulnerable, name="vulnerable"),
    path("c/<int:compound_id>/returnees/", views.returnees, name="returnees"),
    path("c/<int:compound_id>/import/", views_excel.import_households, name="import"),
    path(
        "c/<int:compound_id>/import/template.xlsx",
        views_excel.import_template,
        name="import-template",
    ),
    path("c/<int:compound_id>/export.xlsx", views_excel.export_households, name="export"),
    *rounds_urlpatterns,
]
