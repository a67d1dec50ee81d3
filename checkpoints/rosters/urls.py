from django.urls import path

from checkpoints.rosters import views, views_me, views_reports

app_name = "rosters"
urlpatterns = [
    path("c/<int:compound_id>/roster/", views.week, name="week"),
    path("c/<int:compound_id>/roster/setup/", views.setup, name="setup"),
    path("c/<int:compound_id>/roster/templates/new/", views.template_edit, name="template-new"),
    path(
        "c/<int:compound_id>/roster/templates/<int:template_id>/",
        views.template_edit,
        name="template",
    ),
    path("c/<int:compound_id>/roster/rollout/", views.rollout, name="rollout"),
    path("c/<int:compound_id>/roster/shifts/<int:shift_id>/", views.shift, name="shift"),
    path(
        "c/<int:compound_id>/roster/assignments/<int:assignment_id>/",
        views.assignment_action,
        name="assignment",
    ),
    path("c/<int:compound_id>/roster/log/", views_reports.log, name="log"),
    path("c/<int:compound_id>/roster/hours/", views_reports.hours, name="hours"),
    path("c/<int:compound_id>/roster/print/", views_reports.week_print, name="print"),
    path("c/<int:compound_id>/roster/week.xlsx", views_reports.week_export, name="export"),
    path("shifts/", views_me.my_shifts, name="mine"),
    path("shifts/feed/", views_me.feed_issue, name="feed-issue"),
    path("shifts/feed/<str:token>.ics", views_me.feed, name="feed"),
    path("roster/gaps/", views_me.gaps, name="gaps"),
]
