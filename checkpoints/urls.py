from django.urls import path

from checkpoints import views, views_gate

app_name = "checkpoints"
urlpatterns = [
    # The gate page and its offline service worker (served from the root so that its
    # scope covers every compound's gate page).
    path("c/<int:compound_id>/gate/", views_gate.gate, name="gate"),
    path("gate-sw.js", views_gate.service_worker, name="service-worker"),
    # Logs, cards, rules, work passes.
    path("c/<int:compound_id>/gate/log/", views.log, name="log"),
    path("c/<int:compound_id>/gate/log.xlsx", views.log_export, name="log-export"),
    path("c/<int:compound_id>/gate/log/refused/", views.log_refused, name="log-refused"),
    path("c/<int:compound_id>/gate/out/", views.out_now, name="out-now"),
    path("c/<int:compound_id>/gate/rules/", views.rules_edit, name="rules"),
    path("c/<int:compound_id>/gate/openings/", views.openings, name="openings"),
    path("c/<int:compound_id>/gate/alerts/", views.alerts, name="alerts"),
    path("c/<int:compound_id>/gate/alerts/poll/", views.alerts_poll, name="alerts-poll"),
    path("c/<int:compound_id>/cards/", views.cards, name="cards"),
    path("c/<int:compound_id>/cards/print/", views.cards_print, name="cards-print"),
    path(
        "c/<int:compound_id>/households/<int:household_id>/card/",
        views.household_card,
        name="household-card",
    ),
    path(
        "c/<int:compound_id>/households/<int:household_id>/passages/",
        views.household_history,
        name="household-history",
    ),
    path(
        "c/<int:compound_id>/residents/<int:resident_id>/work-passes/",
        views.work_passes,
        name="work-passes",
    ),
]
