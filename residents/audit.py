"""The residents app's audit actions and secret fields (``compounds.audit``)."""

from django.utils.translation import gettext_lazy as _

from compounds.audit import register_action, register_secret_field
from compounds.masking import mask_id_number, mask_phone, register_personal_field

HOUSEHOLD_CREATE = register_action("household_create", _("household registered"))
HOUSEHOLD_UPDATE = register_action("household_update", _("household changed"), update=True)
RESIDENT_CREATE = register_action("resident_create", _("resident added"))
RESIDENT_UPDATE = register_action("resident_update", _("resident changed"), update=True)
PHONE_SEARCH = register_action("phone_search", _("searched by phone digits"))
IMPORT_CREATE = register_action("import_create", _("imported from Excel"))
IMPORT_UPDATE = register_action("import_update", _("changed by an Excel import"), update=True)
RESIDENT_MOVE_OUT = register_action("resident_move_out", _("resident moved out"))
RESIDENT_ERASE = register_action("resident_erase", _("resident erased on request"))
EXPORT_REGISTRY = register_action("export_registry", _("register exported to Excel"))
COMPOUND_PURGE = register_action(
    "compound_purge", _("personal data purged when the compound was archived")
)
HEALTH_RULES_UPDATE = register_action("health_rules_update", _("fever line changed"), update=True)

register_secret_field("id_number", mask_id_number)
# Full numbers only for those who see personal data (``compounds.access``): the admin and
# the trail's pages mask these names for everyone else.
register_personal_field("id_number", mask_id_number)
register_personal_field("phone", mask_phone)
register_personal_field("contact_phone", mask_phone)
