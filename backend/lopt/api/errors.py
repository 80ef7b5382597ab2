"""One JSON error shape for every failure: ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from lopt.errors import LoptError

log = logging.getLogger(__name__)


def error_response(
    status_code: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status_code,
        content={"error": {"code": code, "message": message}},
        headers=headers,
    )


async def _lopt_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, LoptError)
    return error_response(error.status_code, error.code, error.message, error.headers)


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in issue['loc'])}: {issue['msg']}"
        for issue in error.errors()
    )
    return error_response(422, "invalid_request", f"The request is malformed: {problems}.")


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    return error_response(
        error.status_code, code, str(error.detail), getattr(error, "headers", None)
    )


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(
        500,
        "internal_error",
        "Lopt failed while analysing this file. Try again; if it keeps failing, report it "
        "with the file's type and size.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoptError, _lopt_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
