"""Supplies' audit actions (``compounds.audit``)."""

from django.utils.translation import gettext_lazy as _

from compounds.audit import register_action

RUN_CREATE = register_action("run_create", _("grocery run created"))
ORDER_SAVE = register_action("order_save", _("order taken"), update=True)
ORDER_PASTE = register_action("order_paste", _("WeChat chain pasted into a run"))
ORDER_BAG = register_action("order_bag", _("bag cost recorded"), update=True)
ORDER_DELIVER = register_action("order_deliver", _("order delivery recorded"), update=True)
RECURRING_CREATE = register_action("recurring_create", _("recurring order set up"))
RECURRING_STOP = register_action("recurring_stop", _("recurring order stopped"))
LEDGER_POST = register_action("ledger_post", _("money recorded"))
LEDGER_REVERSE = register_action("ledger_reverse", _("money record reversed"))
HELP_CREATE = register_action("help_create", _("help request recorded"))
HELP_MOVE = register_action("help_move", _("help request moved on"), update=True)
HELP_FOLLOW_UP = register_action("help_follow_up", _("help request followed up"))
HELP_TIP = register_action("help_tip", _("tip investigated"), update=True)
EXPORT_SUPPLIES = register_action("export_supplies", _("supplies exported to Excel"))
