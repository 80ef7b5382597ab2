"""The app factory. Detectors are loaded once, held on ``app.state``, released on exit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from lopt import __version__
from lopt.api.errors import install_error_handlers
from lopt.api.routes import health, jobs, limits, models, playground
from lopt.api.static import STATIC_DIR, mount_spa
from lopt.config import Settings, get_settings
from lopt.inference.service import DetectionService
from lopt.jobs.worker import serve_jobs

log = logging.getLogger(__name__)

DESCRIPTION = (
    "Upload a photo or a video to `POST /playground` and get back whether it is **Real** "
    "or **Fake**, how sure the model is, and the scores behind the verdict."
)


def create_app(
    settings: Settings | None = None,
    detectors: DetectionService | None = None,
    static_dir: Path = STATIC_DIR,
) -> FastAPI:
    """Build the app. Pass ``detectors`` already loaded (as ``lopt serve`` does) or let the
    lifespan load them from ``settings``. The web app in ``static_dir`` is served at ``/``
    when it was built; otherwise ``/`` leads to the API docs."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = detectors or DetectionService.load(settings)
        await service.start(live_checks=True)
        app.state.detectors = service
        served = await asyncio.to_thread(serve_jobs, settings, service, asyncio.get_running_loop())
        app.state.jobs = served.queue
        sweeper = asyncio.create_task(served.queue.sweep_forever())
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            app.state.jobs = None
            await asyncio.to_thread(served.stop)
            await service.stop()
            app.state.detectors = None

    app = FastAPI(title="Lopt", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.detectors = None
    app.state.jobs = None
    install_error_handlers(app)
    app.include_router(playground.router)
    app.include_router(health.router)
    app.include_router(models.router)
    app.include_router(limits.router)
    app.include_router(jobs.router)
    if not mount_spa(app, static_dir):

        @app.get("/", include_in_schema=False)
        async def index() -> RedirectResponse:
            return RedirectResponse("/docs")

    return app
