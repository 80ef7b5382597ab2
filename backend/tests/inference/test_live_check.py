"""Reduced precision proven on live inputs: validated in idle time, switched to, persisted,
shown, spot-checked and switched back; never chosen where it disagrees with float32."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient
from PIL import Image
from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

from lopt.api.app import create_app
from lopt.inference.detectors import ImageDetector
from lopt.inference.exports import export_folder
from lopt.inference.live_check import LiveCheck
from lopt.inference.live_tally import allowed_disagreements
from lopt.inference.onnx_backend import export_onnx
from lopt.inference.precision import Agreement, read_record, write_record
from tests.helpers import build_image_model, load_on_cpu, noise_image, with_outlier_channels

SAMPLES = 24


def smooth_image(seed: int, width: int = 48, height: int = 40) -> Image.Image:
    """A left-to-right gradient between two random colours: the trained model's Real."""
    rng = np.random.default_rng(seed)
    left, right = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    ramp = np.linspace(0.0, 1.0, width)[None, :, None]
    return Image.fromarray((left * (1 - ramp) + right * ramp).repeat(height, 0).astype(np.uint8))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small ViT (ViT-Tiny's width, 6 layers, 64 px: enough arithmetic for reduced paths
    to be measurably faster) whose head is trained to call noise Fake and smooth gradients
    Real, with wide margins: its reduced paths give the same verdicts as float32."""
    folder = tmp_path_factory.mktemp("live") / "trained"
    torch.manual_seed(0)
    config = ViTConfig(
        image_size=64,
        patch_size=8,
        hidden_size=192,
        num_hidden_layers=6,
        num_attention_heads=3,
        intermediate_size=768,
        id2label={0: "Real", 1: "Fake"},
        label2id={"Real": 0, "Fake": 1},
    )
    model = ViTForImageClassification(config).eval()
    ViTImageProcessor(size={"height": 64, "width": 64}).save_pretrained(folder)
    model.save_pretrained(folder)
    detector = ImageDetector(load_on_cpu(folder))
    pixels = torch.stack(
        [detector.preprocess(noise_image(48, 40, seed=s)) for s in range(48)]
        + [detector.preprocess(smooth_image(s)) for s in range(48)]
    )
    labels = torch.tensor([1] * 48 + [0] * 48)
    with torch.no_grad():
        features = model.vit(pixel_values=pixels).last_hidden_state[:, 0]
    optimiser = torch.optim.Adam(model.classifier.parameters(), lr=1e-2)
    for _ in range(300):
        loss = torch.nn.functional.cross_entropy(model.classifier(features), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def fragile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny ViT whose decision rests on the direction in which its inputs' features differ
    least, stretched to spread its scores over 0..1: rounding errors of int8, bfloat16 and
    even another float32 kernel flip its verdicts."""
    folder = build_image_model(tmp_path_factory.mktemp("live") / "fragile")
    detector = ImageDetector(load_on_cpu(folder))
    pixels = torch.stack(
        [detector.preprocess(noise_image(48, 40, seed=1000 + s)) for s in range(64)]
    )
    model = ViTForImageClassification.from_pretrained(folder).eval()
    with torch.no_grad():
        features = model.vit(pixel_values=pixels).last_hidden_state[:, 0]
        direction = torch.linalg.svd(features - features.mean(0), full_matrices=False)[2][-1]
        projection = features @ direction
        scale = 2.0 / projection.std()
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.weight[1] = direction * scale
        model.classifier.bias[1] = -projection.median() * scale
    model.save_pretrained(folder)
    return folder


def photos(tmp_path: Path, count: int, start: int = 0) -> list[Path]:
    paths = []
    for index in range(start, start + count):
        image = noise_image(48, 40, seed=index) if index % 2 else smooth_image(index)
        path = tmp_path / f"photo-{index}.png"
        image.save(path)
        paths.append(path)
    return paths


def send(client: TestClient, paths: list[Path]) -> list[dict[str, Any]]:
    results = []
    for path in paths:
        response = client.post("/playground", files={"file": (path.name, path.read_bytes())})
        assert response.status_code == 200, response.text
        results.append(response.json())
    return results


def image_model(client: TestClient) -> dict[str, Any]:
    models: list[dict[str, Any]] = client.get("/api/models").json()
    return next(model for model in models if model["task"] == "image")


def wait_for(client: TestClient, done: Callable[[dict[str, Any]], bool], timeout_s: float = 90):
    """The image model's entry once ``done`` holds for it (live checks run in the server's
    own idle time, so the test only waits)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        model = image_model(client)
        if done(model):
            return model
        time.sleep(0.2)
    raise AssertionError(f"timed out; last state: {model['precision_check']}")


def serve_until(
    client: TestClient,
    tmp_path: Path,
    done: Callable[[dict[str, Any]], bool],
    *,
    start: int = 1000,
    timeout_s: float = 120,
) -> dict[str, Any]:
    """Keep sending new photos, as live traffic would, until ``done`` holds for the image
    model's entry (a path made from live inputs is checked on inputs judged after it)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        model = image_model(client)
        if done(model):
            return model
        send(client, photos(tmp_path, 8, start=start))
        start += 8
        time.sleep(0.1)
    raise AssertionError(f"timed out; last state: {model['precision_check']}")


def settings_for(make_settings, folder: Path, cache: Path, **overrides: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "image_model": str(folder),
        "video_model": None,
        "cache_dir": cache,
        "shadow_samples": SAMPLES,
        "heatmaps": False,
        "provenance": False,
        "image_model_input": "whole_image",  # no faces in these photos: judge them whole
    }
    values.update(overrides)
    return make_settings(**values)


@pytest.fixture
def one_thread() -> Iterator[int]:
    """One intra-op thread for torch and ONNX Runtime alike: on a tiny model, waking a
    thread pool on busy cores costs more than the arithmetic, which would make the speed
    comparison measure the machine's load instead of the paths."""
    before = torch.get_num_threads()
    yield 1
    torch.set_num_threads(before)


def test_server_switches_to_a_path_that_agrees_on_live_inputs_and_restarts_on_it(
    make_settings, trained: Path, tmp_path: Path, one_thread: int
) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(make_settings, trained, tmp_path / "cache", num_threads=one_thread)
    served = photos(tmp_path, SAMPLES + 8)
    with TestClient(create_app(settings)) as client:
        before = image_model(client)
        assert before["precision"] == "exact"
        assert before["precision_check"]["state"] == "validating"
        float32 = send(client, served)
        model = serve_until(
            client, tmp_path, lambda m: m["precision_check"]["state"] != "validating"
        )
        check = model["precision_check"]
        assert check["state"] == "reduced", model
        assert model["precision"] in ("onnx", "onnx-int8", "onnx-int8-mixed", "int8", "bfloat16")
        assert check["source"] == "live"
        assert check["samples"] >= SAMPLES and check["agreement"] >= settings.min_agreement
        assert check["speedup"] > 1.05
        assert {p["precision"] for p in check["paths"]} >= {"int8", "onnx", "onnx-int8"}
        # The reduced path gives the verdicts float32 gave, on inputs it was not checked on.
        fresh = photos(tmp_path, 6, start=500)
        reduced = send(client, fresh)
        assert image_model(client)["precision"] == model["precision"]
    assert {r["verdict"] for r in float32} >= {"authentic", "manipulated"}  # not one answer
    folder = export_folder(load_on_cpu(trained), settings)
    assert folder is not None
    record = read_record(folder)
    assert record[model["precision"]].source == "live" and record[model["precision"]].passes(
        settings.min_agreement
    )
    assert not list(folder.glob(".partial-*"))
    # A restart starts on the recorded path at once, and says where the evidence came from.
    with TestClient(create_app(settings)) as client:
        again = image_model(client)
        assert again["precision"] == model["precision"]
        assert again["precision_check"]["state"] == "reduced"
        assert again["precision_check"]["source"] == "live"
        exact_settings = settings.model_copy(update={"precision": "exact"})
    with TestClient(create_app(exact_settings)) as client:
        exact = send(client, fresh)
        assert image_model(client)["precision_check"] is None  # an explicit path: no checks
    assert [r["verdict"] for r in exact] == [r["verdict"] for r in reduced]


def test_server_stays_in_float32_when_reduced_paths_disagree(
    make_settings, fragile: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(make_settings, fragile, tmp_path / "cache")
    with TestClient(create_app(settings)) as client:
        send(client, photos(tmp_path, SAMPLES + 8))
        model = serve_until(
            client, tmp_path, lambda m: m["precision_check"]["state"] != "validating"
        )
        check = model["precision_check"]
        assert model["precision"] == "exact"
        assert check["state"] == "exact"
        paths = {p["precision"]: p for p in check["paths"]}
        # int8 failed, so a mixed file was made from live inputs and tried too
        assert {"int8", "onnx-int8", "onnx-int8-mixed"} <= set(paths)
        assert not any(p["passes"] for p in paths.values())
        assert paths["int8"]["agreement"] < settings.min_agreement
    folder = export_folder(load_on_cpu(fragile), settings)
    assert folder is not None
    assert read_record(folder) and not any(
        result.passes(settings.min_agreement) for result in read_record(folder).values()
    )


def test_int8_that_disagrees_is_made_to_agree_by_keeping_what_it_hurts_in_float32(
    make_settings, trained: Path, tmp_path: Path, one_thread: int
) -> None:  # type: ignore[no-untyped-def]
    """A trained model with outlier activations (as trained transformers have): int8 of
    every multiplication changes verdicts; the server measures on its live inputs which
    multiplications int8 hurts, keeps those in float32, and that file agrees."""
    folder = with_outlier_channels(trained, tmp_path / "outliers")
    settings = settings_for(make_settings, folder, tmp_path / "cache", num_threads=one_thread)
    with TestClient(create_app(settings)) as client:
        float32 = send(client, photos(tmp_path, SAMPLES + 8))
        model = serve_until(
            client, tmp_path, lambda m: m["precision_check"]["state"] != "validating"
        )
        check = model["precision_check"]
        paths = {p["precision"]: p for p in check["paths"]}
        assert paths["onnx-int8"]["agreement"] < settings.min_agreement
        mixed = paths["onnx-int8-mixed"]
        assert mixed["samples"] >= SAMPLES and mixed["agreement"] >= settings.min_agreement
        assert "kept in float32" in mixed["detail"] and "per-channel" in mixed["detail"]
        assert check["state"] == "reduced"  # some path agreed: mixed or another that did
    assert {r["verdict"] for r in float32} >= {"authentic", "manipulated"}
    cache = export_folder(load_on_cpu(folder), settings)
    assert cache is not None and (cache / "model-int8-mixed.onnx").is_file()
    record = read_record(cache)
    assert record["onnx-int8-mixed"].passes(settings.min_agreement) or (
        record["onnx-int8-mixed"].agreement >= settings.min_agreement
    )
    assert not list(cache.glob(".partial-*"))


def test_spot_checks_switch_back_when_live_inputs_disagree(
    make_settings, fragile: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A record made on other inputs (as `lopt export --check` on a narrow set would) puts
    onnx-int8 in service; spot checks on live inputs find it disagreeing and undo that."""
    settings = settings_for(make_settings, fragile, tmp_path / "cache", shadow_spot_check=1.0)
    loaded = load_on_cpu(fragile)
    folder = export_folder(loaded, settings)
    assert folder is not None
    sample = torch.stack([ImageDetector(loaded).warm_up_input()] * 2)
    export_onnx(loaded.model, sample, folder)
    claim = Agreement("onnx-int8", 500, 1.0, 0.001, speedup=5.0, source="export_check")
    write_record(folder, [claim], data="a narrow check set")
    with TestClient(create_app(settings)) as client:
        first = image_model(client)
        assert first["precision"] == "onnx-int8"
        assert first["precision_check"]["state"] == "reduced"
        assert first["precision_check"]["source"] == "export_check"
        send(client, photos(tmp_path, SAMPLES))
        model = wait_for(client, lambda m: m["precision_check"]["state"] == "switched_back")
        assert model["precision"] == "exact"
        check = model["precision_check"]
        assert check["spot_agreement"] < settings.min_agreement
        assert "onnx-int8" in check["note"] and "spot checks" in check["note"]
    record = read_record(folder)
    assert record["onnx-int8"].source == "live" and not record["onnx-int8"].passes(0.99)
    with TestClient(create_app(settings)) as client:  # the restart believes the spot checks
        assert image_model(client)["precision"] == "exact"


def test_nothing_runs_while_inputs_wait_for_inference(
    trained: Path, make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    detector = ImageDetector(load_on_cpu(trained))
    settings = settings_for(make_settings, trained, tmp_path / "cache", shadow_budget=1.0)
    waiting = [True]
    executor = ThreadPoolExecutor(max_workers=1)
    check = LiveCheck(
        detector,
        settings,
        executor=executor,
        waiting=lambda: waiting[0],
        busy=lambda: True,
        folder=None,  # no ONNX export: the torch paths only
        bf16_capable=False,
    )
    inputs = [detector.preprocess(noise_image(48, 40, seed=s)) for s in range(8)]
    check.observe(inputs, detector.predict(torch.stack(inputs)), 0.01)

    async def scenario() -> tuple[int, int]:
        task = asyncio.create_task(check.run())
        for _ in range(200):  # until the int8 candidate is built and could run
            await asyncio.sleep(0.05)
            if check.tallies:
                break
        await asyncio.sleep(0.5)
        queued = sum(t.samples for t in check.tallies.values())
        waiting[0] = False
        for _ in range(100):
            await asyncio.sleep(0.05)
            if sum(t.samples for t in check.tallies.values()) >= 8:
                break
        done = sum(t.samples for t in check.tallies.values())
        task.cancel()
        return queued, done

    try:
        queued, done = asyncio.run(scenario())
    finally:
        executor.shutdown()
    assert check.tallies, "the int8 candidate was built"
    assert queued == 0  # while an input waited, no check ran
    assert done >= 8  # once nothing waited, the held inputs were checked


def idle_check(
    detector: ImageDetector, settings: Any, executor: ThreadPoolExecutor, folder: Path
) -> LiveCheck:
    """Live checks on a server with nothing waiting and nothing in flight; no bfloat16
    path of their own (paths are added by the test)."""
    return LiveCheck(
        detector,
        settings,
        executor=executor,
        waiting=lambda: False,
        busy=lambda: False,
        folder=folder,
        bf16_capable=False,
    )


class Slowed(torch.nn.Module):
    """Answers as ``inner`` does, ``seconds`` later: a path of a known speed."""

    def __init__(self, inner: torch.nn.Module, seconds: float) -> None:
        super().__init__()
        self.inner = inner
        self.seconds = seconds

    def forward(self, **inputs: Any) -> Any:
        time.sleep(self.seconds)
        return self.inner(**inputs)


def test_the_fastest_path_that_agrees_decides_and_paths_that_cannot_win_are_left_unfinished(
    trained: Path, make_settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Paths are timed on a few inputs, then the fastest is checked to the end. Once it
    passes, a path more than 10% slower than it, or one slower than float32, could not be
    chosen: it is not checked further, so the switch comes after one path's inputs rather
    than every path's. Only what could not pass anyway goes into the record."""
    plain = load_on_cpu(trained)
    float32 = replace(plain, model=Slowed(plain.model, 0.2), folder=None)  # nothing to export
    detector = ImageDetector(float32)
    settings = settings_for(make_settings, trained, tmp_path / "cache", shadow_budget=1.0)
    folder = tmp_path / "record"
    executor = ThreadPoolExecutor(max_workers=1)
    check = idle_check(detector, settings, executor, folder)
    # Paths of known speeds under candidates' names, all giving float32's answers: the
    # model without the wait (fastest), a shorter wait (faster than float32, far slower
    # than the fastest), a longer one (slower than float32). The check adds int8 itself,
    # made from the slowed model: about as slow as float32.
    check._add("onnx", replace(float32, model=plain.model))
    check._add("bfloat16", replace(float32, model=Slowed(plain.model, 0.15)))
    check._add("onnx-int8", replace(float32, model=Slowed(plain.model, 0.5)))
    inputs = [detector.preprocess(noise_image(48, 40, seed=s)) for s in range(40)]
    inputs += [detector.preprocess(smooth_image(s)) for s in range(40)]
    for start in range(0, len(inputs), 8):
        batch = inputs[start : start + 8]
        check.observe(batch, detector.predict(torch.stack(batch)), 0.2)

    async def scenario() -> None:
        task = asyncio.create_task(check.run())
        for _ in range(1200):
            await asyncio.sleep(0.05)
            if check.state != "validating":
                break
        task.cancel()

    try:
        asyncio.run(scenario())
    finally:
        executor.shutdown()
    assert check.state == "reduced" and detector.loaded.precision == "onnx"
    paths = {p.precision: p for p in check.status().paths}
    assert set(paths) == {"onnx", "bfloat16", "onnx-int8", "int8"}
    assert paths["onnx"].passes and paths["onnx"].samples == SAMPLES
    assert paths["onnx"].left_unfinished is None
    for name in ("bfloat16", "onnx-int8", "int8"):
        assert not paths[name].passes and paths[name].samples < SAMPLES, paths[name]
    assert "onnx passed" in (paths["bfloat16"].left_unfinished or "")
    assert "not faster" in (paths["onnx-int8"].left_unfinished or "")
    record = read_record(folder)
    assert record["onnx"].passes(settings.min_agreement)
    # A path left unfinished is recorded only where its numbers cannot pass (slower than
    # float32); bfloat16's few inputs would pass it as if it had been checked on them all.
    assert "onnx-int8" in record and "bfloat16" not in record
    for name in ("onnx-int8", "int8"):
        assert name not in record or not record[name].passes(settings.min_agreement)


class Shifted(torch.nn.Module):
    """``inner`` with its last label's logit shifted a little: the same verdicts, a small
    gap."""

    def __init__(self, inner: torch.nn.Module, shift: float) -> None:
        super().__init__()
        self.inner = inner
        self.shift = shift

    def forward(self, **inputs: Any) -> Any:
        logits = self.inner(**inputs).logits.clone()
        logits[:, -1] += self.shift
        return SimpleNamespace(logits=logits)


def test_a_path_that_passed_serves_while_paths_as_fast_are_checked_then_auto_picks(
    trained: Path, make_settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """Where paths are as fast as each other (within 10%), auto takes the one closest to
    float32, so all of them are checked; the first to pass serves meanwhile. Inputs it
    judged are checked against float32's answers computed then, not against its own."""
    plain = load_on_cpu(trained)
    float32 = replace(plain, model=Slowed(plain.model, 0.6), folder=None)
    detector = ImageDetector(float32)
    settings = settings_for(
        make_settings, trained, tmp_path / "cache", shadow_budget=1.0, shadow_buffer=16
    )
    executor = ThreadPoolExecutor(max_workers=1)
    check = idle_check(detector, settings, executor, tmp_path / "record")
    # Two paths as fast as each other, five times float32: one gives float32's answers,
    # the other the same verdicts a little apart. The check's own int8 is about as slow
    # as float32.
    check._add("onnx", replace(float32, model=Slowed(plain.model, 0.12)))
    check._add("onnx-int8", replace(float32, model=Slowed(Shifted(plain.model, 0.3), 0.12)))
    unchecked: list[Any] = []

    async def traffic() -> None:
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(check.run())
        seed = 0
        for _ in range(400):
            if check.state != "validating":
                break
            if check.detector.loaded.precision != "exact":
                # a path still being checked is not shown as passing, however it went so far
                shown = check.status().paths
                unchecked.extend(p for p in shown if p.samples < SAMPLES and p.passes)
            batch = [detector.preprocess(noise_image(48, 40, seed=seed + i)) for i in range(2)]
            batch += [detector.preprocess(smooth_image(seed + i)) for i in range(2)]
            seed += 2
            outputs = await loop.run_in_executor(
                executor, check.detector.predict, torch.stack(batch)
            )
            await loop.run_in_executor(executor, check.observe, batch, outputs, 0.1)
            await asyncio.sleep(0.1)
        task.cancel()

    caplog.set_level(logging.INFO, logger="lopt.inference.live_check")
    try:
        asyncio.run(traffic())
    finally:
        executor.shutdown()
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(("Serving onnx ", "Serving onnx-int8 ")) for m in said), said
    assert not unchecked
    assert check.state == "reduced" and detector.loaded.precision == "onnx"  # the closest
    paths = {p.precision: p for p in check.status().paths}
    for name in ("onnx", "onnx-int8"):
        assert paths[name].passes and paths[name].samples == SAMPLES, paths[name]
    assert paths["onnx"].max_probability_difference < 1e-6  # measured against float32 only
    assert paths["onnx-int8"].max_probability_difference > 1e-4
    assert paths["int8"].left_unfinished
    record = read_record(tmp_path / "record")
    assert {"onnx", "onnx-int8"} <= set(record)


def test_allowed_disagreements_follow_the_agreement_bound() -> None:
    assert allowed_disagreements(200, 0.99) == 2
    assert allowed_disagreements(24, 0.99) == 0
    assert allowed_disagreements(100, 0.95) == 5
