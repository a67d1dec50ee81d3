"""The office's page for archiving a compound (``bastion.archive``), and its file."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bastion import archive
from bastion.forms import ArchiveForm
from compounds import access
from compounds import audit as compound_audit
from compounds.errors import CompoundError
from compounds.models import Compound
from compounds.services import export_record
from compounds.xlsx import XLSX_CONTENT_TYPE, content_disposition


def _compound(request: HttpRequest, compound_id: int) -> Compound:
    return access.get_scoped_or_404(
        request.user, Compound.objects.all(), pk=compound_id, need=access.Level.OFFICER
    )


def _download(compound: Compound, path: Path) -> FileResponse:
    day = timezone.localdate().isoformat()
    response = FileResponse(path.open("rb"), content_type=XLSX_CONTENT_TYPE)
    name = _("archive")
    response["Content-Disposition"] = content_disposition(f"{compound.name}-{name}-{day}.xlsx")
    response["Cache-Control"] = "private, no-store"  # personal data
    return response


@login_required
@require_http_methods(["GET", "POST"])
def compound_archive(request: HttpRequest, compound_id: int) -> HttpResponseBase:
    """A confirmation form; its answer is the handover file itself (kept on the server too)."""
    compound = _compound(request, compound_id)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = archive.compound_archive(
                compound=compound,
                actor=request.user,
                confirm_name=form.cleaned_data["confirm_name"],
            )
        except CompoundError as error:
            field = error.params.get("field")
            form.add_error(field if isinstance(field, str) else None, str(error.message))
        else:
            return _download(done.compound, done.path)
    context = {
        "compound": compound,
        "form": form,
        "figures": archive.figures(compound),
        "labels": archive.figure_labels(),
        "files": [p.name for p in archive.archive_files(compound)],
    }
    return render(request, "bastion/compound_archive.html", context)


@login_required
@require_http_methods(["GET"])
def compound_archive_file(request: HttpRequest, compound_id: int) -> HttpResponseBase:
    """The newest handover file again (a lost download); every download is recorded."""
    compound = _compound(request, compound_id)
    files = archive.archive_files(compound)
    if not files:
        raise Http404
    export_record(
        compound=compound,
        actor=request.user,
        action=compound_audit.ARCHIVE_EXPORT,
        rows=0,
        details={"file": files[0].name, "again": True},
    )
    return _download(compound, files[0])
