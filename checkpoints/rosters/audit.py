"""The roster's audit actions (``compounds.audit``): swaps, cancellations, sign-ins."""

from django.utils.translation import gettext_lazy as _

from compounds.audit import register_action

POST_SAVE = register_action("post_save", _("duty post saved"))
TEMPLATE_SAVE = register_action("shift_template_save", _("shift template saved"))
ROLLOUT = register_action("roster_rollout", _("shifts rolled out"))
SHIFT_CANCEL = register_action("shift_cancel", _("shift cancelled"))
ASSIGN = register_action("shift_assign", _("put on a shift"))
UNASSIGN = register_action("shift_unassign", _("taken off a shift"))
SWAP = register_action("shift_swap", _("shift swapped"))
SIGN_IN = register_action("shift_sign_in", _("signed in for a shift"))
SIGN_OUT = register_action("shift_sign_out", _("signed out of a shift"))
LOG_ADD = register_action("duty_log_add", _("duty log entry recorded"))
EXPORT_ROSTER = register_action("export_roster", _("week roster exported to Excel"))
