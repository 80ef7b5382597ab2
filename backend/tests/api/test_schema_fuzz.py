"""The API fuzzed from its own OpenAPI schema: Schemathesis generates requests for every
route, valid and invalid ones, and sends them to the app in-process over ASGI, with tiny
random models loaded by the app's own lifespan. Every answer must be a documented status
with a body that matches its schema, and never a server error but the documented 503."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans

from lopt.api.app import create_app
from lopt.config import Settings

# Every documented route, read from the schema so that a new route is fuzzed too.
ROUTES = [
    (path, method.upper())
    for path, item in create_app(Settings()).openapi()["paths"].items()
    for method in item
]
# Schemathesis's own pytest loader for fixtures (`from_fixture`) does not work with pytest 9
# (it sets the removed `Node._nodeid`), so each route's strategy is drawn here instead.
FUZZ = settings(
    max_examples=12,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def fuzzed_app(
    checkpoints: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    uploads = tmp_path_factory.mktemp("fuzzed-uploads")
    settings = Settings(
        image_model=str(checkpoints["vit"]),
        video_model=str(checkpoints["timesformer"]),
        upload_dir=uploads,
        video_clips=2,
    )
    yield create_app(settings)
    shutdown_lifespans()  # the lifespan Schemathesis started: models released, threads gone
    assert not list(uploads.iterdir()), "an upload's temporary file outlived its request"


@pytest.mark.parametrize(("path", "method"), ROUTES, ids=[f"{m} {p}" for p, m in ROUTES])
def test_every_answer_is_documented_and_matches_its_schema(
    fuzzed_app: FastAPI, path: str, method: str
) -> None:
    operation = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)[path][method]
    modes = [GenerationMode.POSITIVE]
    if operation.body or list(operation.iter_parameters()):
        modes.append(GenerationMode.NEGATIVE)  # a route with no input has nothing to break
    # A schema cannot say which bytes are a photo: an upload that fits it may still be
    # refused with the documented 413, 415 or 422, which the other checks hold to schema.
    uploads = any(body.media_type == "multipart/form-data" for body in operation.body)
    excluded = [schemathesis.checks.positive_data_acceptance] if uploads else []

    @FUZZ
    @given(case=st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes)))
    def answer(case: schemathesis.Case) -> None:
        case.call_and_validate(excluded_checks=excluded)

    answer()
