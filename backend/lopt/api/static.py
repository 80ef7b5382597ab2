"""Serve the built web app (``backend/lopt/static``, made by ``make run``) from ``/``.

Browser navigations to client-side routes fall back to ``index.html``; API routes, the docs
and anything a non-browser client asks for keep the JSON 404 of ``lopt.api.errors``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# First path segments that belong to the API, never to the web app.
API_SEGMENTS = frozenset({"api", "docs", "redoc", "openapi.json", "health", "ready", "playground"})
IMMUTABLE = "public, max-age=31536000, immutable"  # Vite puts a content hash in asset names


def mount_spa(app: FastAPI, folder: Path = STATIC_DIR) -> bool:
    """Serve the app in ``folder`` if it was built; return whether it was."""
    root = folder.resolve()
    index = root / "index.html"
    if not index.is_file():
        return False

    @app.get("/{path:path}", include_in_schema=False)
    async def web_app(path: str, request: Request) -> FileResponse:
        file = (root / path).resolve()
        if path and file.is_relative_to(root) and file.is_file():
            hashed = file.parent == root / "assets"
            return FileResponse(file, headers={"Cache-Control": IMMUTABLE} if hashed else None)
        wants_page = "text/html" in request.headers.get("accept", "")
        first = path.split("/", 1)[0]
        if path and (first in API_SEGMENTS or first == "assets" or not wants_page):
            raise HTTPException(404, "Not Found")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True
