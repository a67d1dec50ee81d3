"""The quarantine's audit actions (``compounds.audit``)."""

from django.utils.translation import gettext_lazy as _

from compounds.audit import register_action

QUARANTINE_START = register_action("quarantine_start", _("quarantine started"))
QUARANTINE_END_CHANGE = register_action(
    "quarantine_end_change", _("quarantine end changed"), update=True
)
QUARANTINE_END = register_action("quarantine_end", _("quarantine ended"))
QUARANTINE_CONFINEMENT = register_action(
    "quarantine_confinement", _("quarantine's hold on the household changed"), update=True
)
QUARANTINE_CHECK = register_action("quarantine_check", _("quarantine check recorded"))
CLOSE_CONTACT_ADD = register_action("close_contact_add", _("close contact registered"))
CLOSE_CONTACT_STATE = register_action(
    "close_contact_state", _("close contact's tracing changed"), update=True
)
NAMED_CONTACT_SET = register_action("named_contact_set", _("named contact set"), update=True)
