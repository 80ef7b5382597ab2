from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from lopt.api.job_uploads import receive_job_files
from lopt.api.schemas import ERROR_RESPONSES, ErrorResponse, JobAccepted, JobStatus
from lopt.errors import ModelNotReady
from lopt.jobs.queue import JobQueue, JobView

router = APIRouter(prefix="/api/jobs", tags=["jobs"])

JOB_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Photos and videos, or zips of them; each file "
                            "is limited like an upload to /playground.",
                        }
                    },
                }
            }
        },
    }
}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorResponse, "description": "No such job."}
}
JobId = Annotated[str, Path(description="The id POST /api/jobs answered with.")]


def get_jobs(request: Request) -> JobQueue:
    jobs: JobQueue | None = getattr(request.app.state, "jobs", None)
    if jobs is None:
        raise ModelNotReady("Jobs are still starting. Try again in a few seconds.")
    return jobs


JobsDep = Annotated[JobQueue, Depends(get_jobs)]


@router.post(
    "",
    status_code=202,
    responses={**ERROR_RESPONSES, 202: {"description": "Queued; poll its status_url."}},
    openapi_extra=JOB_BODY,
)
async def submit_job(request: Request, jobs: JobsDep) -> JSONResponse:
    """Queue many files (or a zip) as one job; poll its status URL for the results."""
    await asyncio.to_thread(jobs.ensure_room)
    job_id, intake = jobs.intake()
    try:
        await receive_job_files(request, intake)
        spec = await asyncio.to_thread(jobs.submit, job_id, intake)
    except BaseException:
        intake.abort()
        raise
    url = str(request.url_for("job_status", job_id=spec.id).path)
    accepted = JobAccepted(id=spec.id, state="queued", total=len(spec.files), status_url=url)
    return JSONResponse(accepted.model_dump(), status_code=202, headers={"Location": url})


@router.get("/{job_id}", responses=NOT_FOUND)
async def job_status(job_id: JobId, jobs: JobsDep) -> JobStatus:
    """A job's state, files done of total, and each file's verdict so far."""
    return _status(await asyncio.to_thread(jobs.view, job_id))


@router.delete("/{job_id}", responses=NOT_FOUND)
async def cancel_job(job_id: JobId, jobs: JobsDep) -> JobStatus:
    """Cancel a job and delete its media and results now."""
    return _status(await asyncio.to_thread(jobs.cancel, job_id))


def _status(view: JobView) -> JobStatus:
    spec, progress = view.spec, view.progress
    return JobStatus(
        id=spec.id,
        state=progress.state,
        reason=progress.reason,
        done=progress.done,
        total=len(spec.files),
        created_at=spec.created_at,
        expires_at=spec.expires_at,
        started_at=progress.started_at,
        finished_at=progress.finished_at,
        attempts=progress.runs,
        status_url=f"/api/jobs/{spec.id}",
        files=view.files,
    )
