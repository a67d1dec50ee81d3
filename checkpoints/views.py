"""Gate logs, cards, rules and alerts. Placeholders: the gate-office work replaces these."""

from django.http import HttpResponse


def _todo(request, **kwargs):  # type: ignore[no-untyped-def]
    return HttpResponse("")


log = log_export = out_now = rules_edit = alert_detail = cards = cards_print = _todo
household_card = household_history = work_passes = _todo
