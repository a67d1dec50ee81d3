"""Excel pages of the registry: import households and residents, the import template, the
export. All three are for the branch's managers (MANAGE level)."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from compounds import access
from compounds.models import Compound
from compounds.services import export_record
from compounds.xlsx import XLSX_CONTENT_TYPE, active_sheet, workbook_response
from residents import audit, excel

ERRORS_SHOWN = 500  # a page with more rows than this helps nobody; the count is still shown


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_CONTENT_TYPE}"}),
    )


def _compound(request: HttpRequest, compound_id: int) -> Compound:
    return access.get_scoped_or_404(
        request.user,
        Compound.objects.all(),
        pk=compound_id,
        need=access.Level.MANAGE,
    )


def _columns() -> list[dict[str, object]]:
    return [
        {"label": c.label, "required": c.required, "help": excel.column_help(c.key)}
        for c in excel.COLUMNS
    ]


@login_required
@require_http_methods(["GET", "POST"])
def import_households(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    context = {
        "compound": compound,
        "form": form,
        "columns": _columns(),
        "max_bytes": settings.IMPORT_MAX_BYTES,
        "max_rows": excel.MAX_ROWS,
    }
    if request.method == "POST" and form.is_valid():
        result = excel.households_import(
            compound=compound, file=form.cleaned_data["file"], actor=request.user
        )
        context.update(result=result, errors_shown=result.errors[:ERRORS_SHOWN])
        if result.ok:
            context["form"] = ImportForm()  # the next file starts from an empty form
    return render(request, "residents/import.html", context)


@login_required
@require_http_methods(["GET"])
def import_template(request: HttpRequest, compound_id: int) -> HttpResponse:
    _compound(request, compound_id)
    name = pgettext("file name", "residents-import-template")
    return workbook_response(excel.template_workbook(), f"{name}.xlsx")


@login_required
@require_http_methods(["GET"])
def export_households(request: HttpRequest, compound_id: int) -> HttpResponse:
    compound = _compound(request, compound_id)
    name = pgettext("file name", "residents")
    day = timezone.localdate().isoformat()
    workbook = excel.households_workbook(compound)
    export_record(
        compound=compound,
        actor=request.user,
        action=audit.EXPORT_REGISTRY,
        rows=active_sheet(workbook).max_row - 1,  # less the header
    )
    return workbook_response(workbook, f"{compound.name}-{name}-{day}.xlsx")
