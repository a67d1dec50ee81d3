"""Door cards (便民服务卡): what a card says, in Chinese, by colour.

A card is posted where anyone in the stairwell reads it: it carries the address, the
colour's message, the compound's hotlines and the public-health line, nothing else: no
name, no phone of the household, nothing about who is vulnerable. Its QR opens only the
public hotlines page, through a capability link of the purpose ``door_card`` (the gate's
scanner refuses capability links of other purposes by name).
"""

from typing import Any

import segno
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compounds.capabilities import capability_issue, register_purpose
from compounds.models import Compound
from residents.rounds.models import Visit

DOOR_CARD = register_purpose("door_card", gettext_lazy("door card: public hotlines page"))

# Quoted from the field reports, as posted: not a translated message.
HEALTH_LINE = "不出门 不集会 戴口罩 勤洗手 常通风"


def hotlines(compound: Compound) -> list[tuple[str, str]]:
    """The compound's hotlines, labelled in the active language (``Compound.hotlines``)."""
    return compound.hotlines()


def colour_message(colour: str) -> str:
    messages: dict[str, str] = {
        Visit.Colour.RED: _(
            "We called on you today. Stay at home and look after each other: "
            "call us for anything you need."
        ),
        Visit.Colour.PINK: _(
            "Someone of this home came back recently. Please stay in for the full 14 days, "
            "take your temperature every day, and call us at once if anyone feels unwell."
        ),
        Visit.Colour.YELLOW: _(
            "We called and nobody was home. When you are back, please contact the community "
            "on the hotline below."
        ),
    }
    return str(messages.get(colour, messages[Visit.Colour.RED]))


def colour_title(colour: str) -> str:
    titles: dict[str, str] = {
        Visit.Colour.RED: _("Residents at home"),
        Visit.Colour.PINK: _("Returnee at home"),
        Visit.Colour.YELLOW: _("Nobody home: please contact us"),
    }
    return str(titles.get(colour, titles[Visit.Colour.RED]))


def qr_link(request: Any, compound: Compound, *, actor: Any, name: str) -> SafeString:
    """A new capability link to the public hotlines page, drawn as an inline SVG."""
    _capability, token = capability_issue(
        purpose=DOOR_CARD, actor=actor, obj=compound, name=name[:100]
    )
    url = request.build_absolute_uri(reverse("residents:hotlines", args=[token]))
    return mark_safe(segno.make(url, error="m").svg_inline(scale=2, border=1))  # noqa: S308


def card_items(visits: list[Visit], compound: Compound) -> dict[str, Any]:
    """What the printed cards show, in Chinese whatever the page's language."""
    with translation.override("zh-hans"):
        items = [
            {
                "address": v.household.address,
                "colour": v.colour or Visit.Colour.RED,
                "title": colour_title(v.colour),
                "message": colour_message(v.colour),
            }
            for v in visits
        ]
        return {"cards": items, "hotlines": hotlines(compound), "health_line": HEALTH_LINE}
