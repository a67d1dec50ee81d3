from django.urls import path

from bastion.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("overview.xlsx", views.overview_export, name="overview-export"),
    path("report/", views.daily_report, name="report"),
    path("report.xlsx", views.daily_report_xlsx, name="report-xlsx"),
    path("report.txt", views.daily_report_text, name="report-text"),
    path("report/returnees.xlsx", views.named_list, {"kind": "returnees"}, name="named-returnees"),
    path(
        "report/quarantine.xlsx",
        views.named_list,
        {"kind": "quarantine"},
        name="named-quarantine",
    ),
]
