"""Heatmaps for a response: maps from ``lopt.explain``, placed on the original image.

Maps need gradients, so they come from the image model's float32 torch weights even when
its scores come from a reduced path (the registry keeps that copy while
``LOPT_HEATMAPS`` is on). They run on the inference thread, between batches, like any
forward pass.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import torch

from lopt.config import Settings
from lopt.explain import (
    ExplainTarget,
    Maps,
    concentration,
    explain_batch,
    find_target,
    render_png,
    upsample,
)
from lopt.explain.gradcam import ATTENTION_ROLLOUT, GRAD_CAM
from lopt.inference.preprocess import input_window
from lopt.inference.registry import LoadedModel
from lopt.inference.results import Box, Explanation, Heatmap, HeatmapMethod

NOT_EXPLAINABLE = (
    "Heatmaps are not available for this model's architecture ({kind}): Lopt explains timm "
    "CNNs (the embedded detector) and Hugging Face ViT and DeiT checkpoints."
)


@dataclass(frozen=True)
class FaceMaps:
    """One judged input's heatmap blocks."""

    heatmap: Heatmap
    attention_map: Heatmap | None


@dataclass
class HeatmapMaker:
    model: Any  # float32 torch classifier in eval mode
    target: ExplainTarget | None
    fake_indices: tuple[int, ...]
    model_id: str
    kind: str  # the checkpoint's model_type, for messages
    window: float  # share of a crop's side the model's input shows (centre crop)
    side: int  # LOPT_HEATMAP_SIDE
    min_concentration: float  # LOPT_HEATMAP_MIN_CONCENTRATION
    max_batch_size: int  # LOPT_MAX_BATCH_SIZE
    device: torch.device
    executor: Executor

    @classmethod
    def build(cls, loaded: LoadedModel, settings: Settings, executor: Executor) -> HeatmapMaker:
        model = loaded.reference_model if loaded.reference_model is not None else loaded.model
        if any(p.dtype != torch.float32 for p in model.parameters()):
            model = copy.deepcopy(model).float().eval()
        return cls(
            model=model,
            target=find_target(model),
            fake_indices=tuple(loaded.labels.fake_indices),
            model_id=loaded.model_id,
            kind=str(getattr(getattr(model, "config", None), "model_type", type(model).__name__)),
            window=input_window(loaded.processor),
            side=settings.heatmap_side,
            min_concentration=settings.heatmap_min_concentration,
            max_batch_size=settings.max_batch_size,
            device=loaded.device,
            executor=executor,
        )

    @property
    def methods(self) -> list[HeatmapMethod]:
        if self.target is None:
            return []
        return [GRAD_CAM, ATTENTION_ROLLOUT] if self.target.rollout else [GRAD_CAM]

    async def maps(self, tensors: Sequence[torch.Tensor]) -> list[Maps]:
        """The maps of each model input, computed on the inference thread."""
        if self.target is None or not tensors:
            return []
        loop = asyncio.get_running_loop()
        out: list[Maps] = []
        for start in range(0, len(tensors), self.max_batch_size):
            chunk = list(tensors[start : start + self.max_batch_size])
            out += await loop.run_in_executor(self.executor, self._run, chunk)
        return out

    def _run(self, chunk: list[torch.Tensor]) -> list[Maps]:
        assert self.target is not None
        pixels = torch.stack(chunk).to(self.device, dtype=torch.float32)
        return explain_batch(self.model, self.target, pixels, self.fake_indices)

    def blocks(self, maps: Maps, crop: Box) -> FaceMaps:
        """The maps of one input whose crop covered ``crop`` (original pixels)."""
        assert self.target is not None
        box = self._covered(crop)
        attention = None
        if maps.rollout is not None:
            attention = self._heatmap(ATTENTION_ROLLOUT, maps.rollout, box)
        return FaceMaps(self._heatmap(GRAD_CAM, maps.grad_cam, box), attention)

    def explanation(self, count: int, note: str | None = None) -> Explanation:
        if self.target is None:
            note = NOT_EXPLAINABLE.format(kind=self.kind)
        return Explanation(
            model=self.model_id,
            methods=self.methods,
            layer=self.target.name if self.target else None,
            heatmaps=count,
            note=note,
        )

    def _heatmap(self, method: HeatmapMethod, grid: Any, box: Box) -> Heatmap:
        assert self.target is not None
        heat = upsample(grid, self.side, self.side)
        share = concentration(heat)
        localised = share >= self.min_concentration
        return Heatmap(
            method=method,
            layer=self.target.name,
            box=box,
            localised=localised,
            concentration=round(share, 3),
            image=render_png(heat) if localised else None,
        )

    def _covered(self, crop: Box) -> Box:
        """The part of a crop the model's input shows: all of it, or its centre when the
        processor centre-crops."""
        if self.window >= 1.0:
            return crop
        cx, cy = (crop.x1 + crop.x2) / 2, (crop.y1 + crop.y2) / 2
        half_w, half_h = (
            (crop.x2 - crop.x1) * self.window / 2,
            (crop.y2 - crop.y1) * self.window / 2,
        )
        return Box(
            x1=round(cx - half_w, 1),
            y1=round(cy - half_h, 1),
            x2=round(cx + half_w, 1),
            y2=round(cy + half_h, 1),
        )
