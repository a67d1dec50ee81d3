"""The gate's audit actions (``compounds.audit``)."""

from django.utils.translation import gettext_lazy as _

from compounds.audit import register_action

CARD_ISSUE = register_action("card_issue", _("pass card issued"))
CARD_REVOKE = register_action("card_revoke", _("pass card revoked"))
CARDS_PRINTED = register_action("cards_printed", _("pass cards marked as printed"))
RULES_UPDATE = register_action("rules_update", _("gate rules changed"), update=True)
WORKPASS_CREATE = register_action("workpass_create", _("work pass issued"))
EXPORT_GATE_LOG = register_action("export_gate_log", _("gate log exported to Excel"))
