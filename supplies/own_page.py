"""The household's own page: a capability link (``compounds.capabilities``) to one
household, with which it orders groceries and asks for help, and nothing else.

Separate from the pass card's QR secret, on purpose: the pass card is shown at the gate
and the door card hangs in the stairwell, so this link is printed on a slip of its own
(or sent as text) and never on either card. The gate's scanner knows this purpose's
label and refuses its QR by name. Issuing again rotates: the old link stops working in
the same transaction (``capability_rotate``).
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from compounds.capabilities import (
    capability_issue,
    capability_revoke,
    capability_rotate,
    live,
    register_purpose,
)
from compounds.models import Capability
from residents.models import Household

HOUSEHOLD_PAGE = register_purpose("household_page", _("household's own page"))


def own_page_of(household: Household) -> Capability | None:
    """The household's working link, if it has one."""
    return (
        live(Capability.objects.filter(purpose=HOUSEHOLD_PAGE.name))
        .filter(target_type=ContentType.objects.get_for_model(Household), object_id=household.pk)
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def own_page_issue(*, household: Household, actor: Any) -> tuple[Capability, str]:
    """A new link for the household; the old one, if any, stops working now."""
    current = own_page_of(household)
    if current is not None:
        return capability_rotate(capability=current, actor=actor)
    return capability_issue(
        purpose=HOUSEHOLD_PAGE, actor=actor, obj=household, name=household.address
    )


def own_page_revoke(*, household: Household, actor: Any) -> None:
    current = own_page_of(household)
    if current is not None:
        capability_revoke(capability=current, actor=actor)


def household_of(capability: Capability) -> Household | None:
    """The household a link opens, if it is still of the compound the link was made in."""
    if capability.object_id is None or capability.compound_id is None:
        return None
    return (
        Household.objects.filter(pk=capability.object_id, compound_id=capability.compound_id)
        .select_related("building", "unit", "compound")
        .first()
    )
