"""The 接龙 paste written into a run: one order per household, upserted, once per client key.

The read (``selectors.jielong_preview``) is the same as the API's preview; this adds the
fixes a person made to the lines it could not read, merges a household's entries, and
writes them through ``services._upsert`` in one transaction that locks the run.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from compounds.services import audit_record
from residents.models import Household
from supplies import audit, selectors
from supplies.errors import Code, SupplyConflict, SupplyError
from supplies.models import JielongPaste, Order, OrderLine, Run
from supplies.services import LineInput, _check_household, _check_open, _upsert


@dataclass(frozen=True)
class Fix:
    """What a person made of a line the reader could not: its household, and its items
    (None: the items the reader found on the line)."""

    line_no: int
    household: int
    items: Sequence[LineInput] | None = None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def jielong_commit(
    *, run: Run, text: str, fixes: Sequence[Fix], client_key: UUID, actor: Any
) -> tuple[dict[str, Any], bool]:
    """Write a pasted chain into ``run``: one order per household, upserted. The answer
    (and whether it was written now, False for a repeated client key)."""
    with transaction.atomic():
        run = Run.objects.select_for_update(of=("self",)).select_related("building").get(pk=run.pk)
        text_hash = _hash(text + repr(sorted((f.line_no, f.household) for f in fixes)))
        done = JielongPaste.objects.filter(run=run, client_key=client_key).first()
        if done is not None:
            if done.text_hash != text_hash:
                raise SupplyConflict(
                    _("This paste's key was already used for another text."),
                    Code.CLIENT_KEY_CONFLICT,
                )
            return done.answer, False
        _check_open(run)
        preview = selectors.jielong_preview(compound=run.compound, building=run.building, text=text)
        wanted = _wanted(run, preview, fixes)
        existing = {
            o.household_id: o
            for o in Order.objects.filter(run=run, household_id__in=list(wanted)).select_related(
                "household__building", "household__unit"
            )
        }
        lines_of: dict[int, list[OrderLine]] = {}
        for line in OrderLine.objects.filter(order__in=list(existing.values())):
            lines_of.setdefault(line.order_id, []).append(line)
        written = []
        for household, (first_line, lines) in wanted.items():
            order = existing.get(household.pk)
            try:
                order, created = _upsert(
                    run,
                    household,
                    lines,
                    channel=Order.Channel.JIELONG,
                    existing=order,
                    existing_lines=lines_of.get(order.pk, []) if order else [],
                )
            except SupplyError as refusal:
                if refusal.params.get("line_no") is None:
                    refusal.params["line_no"] = first_line
                raise
            written.append(
                {
                    "household": household.pk,
                    "address": household.address,
                    "order": order.pk,
                    "created": created,
                    "lines": len(lines),
                }
            )
        fixed = {f.line_no for f in fixes}
        answer = {
            "orders": written,
            "unread": [u for u in preview.unread_rows() if u["line_no"] not in fixed],
            "skipped": preview.skipped_rows(),
        }
        JielongPaste.objects.create(
            run=run, client_key=client_key, text_hash=text_hash, answer=answer, created_by=actor
        )
        audit_record(
            compound=run.compound_id,
            actor=actor,
            action=audit.ORDER_PASTE,
            obj=run,
            changes={"orders": len(written), "unread": len(answer["unread"])},
        )
    return answer, True


def _wanted(run: Run, preview: Any, fixes: Sequence[Fix]) -> dict[Household, tuple[int, list]]:
    """{household: (first line_no, merged lines)} of the paste and its fixes."""
    fix_households = {
        h.pk: h
        for h in Household.objects.filter(
            compound_id=run.compound_id, pk__in=[f.household for f in fixes]
        ).select_related("building", "unit")
    }
    items_by_line = {u.line_no: u.items for u in preview.unread}
    items_by_line.update({e.line_no: e.items for e in preview.entries})
    merged: dict[Household, tuple[int, list[LineInput]]] = {}

    def add(household: Household, line_no: int, lines: Sequence[LineInput]) -> None:
        _check_household(run, household, line_no=line_no)
        first, have = merged.setdefault(household, (line_no, []))
        for line in lines:
            if line.key not in {h.key for h in have}:
                have.append(line)

    fixed = {f.line_no for f in fixes}
    for entry, household in preview.resolved:
        if entry.line_no not in fixed:
            add(household, entry.line_no, [LineInput.of(i) for i in entry.items])
    for fix in fixes:
        household = fix_households.get(fix.household)
        if household is None:
            raise SupplyError(
                _("Line %(line)d: this household is not of the run's compound.")
                % {"line": fix.line_no},
                Code.HOUSEHOLD_OTHER_COMPOUND,
                line_no=fix.line_no,
            )
        lines = fix.items
        if lines is None:
            lines = [LineInput.of(i) for i in items_by_line.get(fix.line_no, [])]
        if not lines:
            raise SupplyError(
                _("Line %(line)d: say what to buy.") % {"line": fix.line_no},
                Code.NO_ITEMS,
                line_no=fix.line_no,
            )
        add(household, fix.line_no, lines)
    return merged
