"""Routes of the rounds, the door cards and the quarantine (joined into residents.urls)."""

from django.urls import path

from residents.quarantine import views as quarantine
from residents.rounds import views as rounds

R = "c/<int:compound_id>/rounds/<int:round_id>"
urlpatterns = [
    path("c/<int:compound_id>/rounds/", rounds.round_list, name="rounds"),
    path("c/<int:compound_id>/rounds/latest/", rounds.round_latest, name="round-latest"),
    path("c/<int:compound_id>/rounds/new/", rounds.round_create, name="round-create"),
    path(f"{R}/", rounds.round_detail, name="round"),
    path(f"{R}/assign/", rounds.round_assign, name="round-assign"),
    path(f"{R}/visits/", rounds.round_visits, name="round-visits"),
    path(f"{R}/visits/<int:household_id>/", rounds.visit_page, name="round-visit"),
    path(f"{R}/close/", rounds.round_close, name="round-close"),
    path(f"{R}/compare/", rounds.round_compare, name="round-compare"),
    path(f"{R}/sheet/<int:building_id>/", rounds.visit_sheet, name="round-sheet"),
    path(f"{R}/cards/<int:building_id>/", rounds.door_cards, name="round-cards"),
    path(f"{R}/cards/household/<int:household_id>/", rounds.door_card, name="round-card"),
    path("hotlines/<str:token>/", rounds.hotlines, name="hotlines"),
    path("c/<int:compound_id>/quarantine/", quarantine.board, name="quarantine-board"),
    path(
        "c/<int:compound_id>/quarantine/<int:quarantine_id>/",
        quarantine.detail,
        name="quarantine",
    ),
    path(
        "c/<int:compound_id>/quarantine/checks/<int:check_id>/",
        quarantine.check,
        name="quarantine-check",
    ),
    path(
        "c/<int:compound_id>/residents/<int:resident_id>/quarantine/new/",
        quarantine.start,
        name="quarantine-start",
    ),
    path(
        "c/<int:compound_id>/residents/<int:resident_id>/contacts/",
        quarantine.close_contacts,
        name="close-contacts",
    ),
    path(
        "c/<int:compound_id>/contacts/<int:contact_id>/quarantine/",
        quarantine.close_contact_quarantine,
        name="close-contact-quarantine",
    ),
    path(
        "c/<int:compound_id>/residents/<int:resident_id>/named-contact/",
        quarantine.named_contact,
        name="named-contact",
    ),
    path(
        "c/<int:compound_id>/residents/<int:resident_id>/handout/",
        quarantine.handout,
        name="handout",
    ),
]
