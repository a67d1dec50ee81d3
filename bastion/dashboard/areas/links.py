"""Links from a figure to the list behind it: ``(compound_id, moment, extra) -> URL``."""

from urllib.parse import urlencode

from django.urls import reverse

from bastion.dashboard.registry import Link, Moment


def url(name: str, compound_id: int, **query: str) -> str:
    found = reverse(name, args=[compound_id])
    return f"{found}?{urlencode(query)}" if query else found


def page(name: str, **query: str) -> Link:
    """The compound's page ``name`` (with a fixed query)."""

    def link(compound_id: int, moment: Moment, extra: str = "") -> str:
        return url(name, compound_id, **query)

    return link


def gate_log(**query: str) -> Link:
    """The gate's log of the day, filtered; ``extra`` is a refusal's reason."""

    def link(compound_id: int, moment: Moment, extra: str = "") -> str:
        q = {"day": moment.day.isoformat(), **query}
        if extra:
            q["reason"] = extra
        return url("checkpoints:log", compound_id, **q)

    return link
