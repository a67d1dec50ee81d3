"""The rounds' audit actions (``compounds.audit``)."""

from django.utils.translation import gettext_lazy as _

from compounds.audit import register_action

ROUND_OPEN = register_action("round_open", _("screening round opened"))
ROUND_CLOSE = register_action("round_close", _("screening round closed"))
ROUND_ASSIGN = register_action("round_assign", _("unit assigned for a round"), update=True)
VISIT_RECORD = register_action("visit_record", _("door visit recorded"))
