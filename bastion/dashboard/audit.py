"""The dashboards' audit actions: exports, recorded as every app records its own."""

from django.utils.translation import gettext_lazy as _

from compounds.audit import register_action

EXPORT_OVERVIEW = register_action("export_overview", _("overview exported to Excel"))
EXPORT_DAILY_REPORT = register_action("export_daily_report", _("daily report exported"))
EXPORT_RETURNEES = register_action("export_returnees", _("returnee list exported to Excel"))
EXPORT_QUARANTINE = register_action("export_quarantine", _("quarantine list exported to Excel"))
