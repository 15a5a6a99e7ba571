"""Importing a case archive from the browser: a zip of a case file and its media, or a
bare case file. The archive rules live in :mod:`evidencelab.service.exchange.case_archive`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from evidencelab.locker.case import CaseError
from evidencelab.service.exchange.case_archive import ArchiveLimits, import_case_archive
from evidencelab.web.auth import acting_case, render, settings_of
from evidencelab.web.edit import receive_upload

router = APIRouter()


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request) -> Response:
    return render(request, "import.html", {"limits": settings_of(request).archive_limits()})


@router.post("/import")
async def case_import(request: Request) -> Response:
    limits = settings_of(request).archive_limits()
    form = await request.form()
    archive = form.get("archive")
    if not isinstance(archive, UploadFile) or not archive.filename:
        return _refused(request, limits, "choose a .zip archive or a case file")
    case = acting_case(request)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=case.root))
    try:
        path, _sha256, _size = await receive_upload(case, archive, folder)
        result = await run_in_threadpool(import_case_archive, case, path, limits=limits)
    except CaseError as error:
        return _refused(request, limits, str(error))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return render(request, "imported.html", {"result": result})


def _refused(request: Request, limits: ArchiveLimits, message: str) -> Response:
    return render(request, "import.html", {"limits": limits, "error": message}, 400)
