"""Grad-CAM with gradients taken only back to the target layer, and attention rollout.

Everything before the target layer runs without recording gradients; a forward pre-hook
detaches the layer's input, makes it require a gradient and switches gradients on, so only
the rest of the network (the head, or a transformer's last block and head) is recorded,
and ``torch.autograd.grad`` takes the fake score's gradient back to that input alone. A map
costs about one forward pass, not a full backward.

The score explained is the log of the fake probability (the fake labels' softmax mass), so
for checkpoints with several fake labels the map explains "fake" as a whole.

Targets:
- timm CNNs (the embedded detector, through transformers' ``TimmWrapper``): the feature map
  entering ``global_pool``, i.e. the last convolutional features (7x7 at 224 px for
  EfficientNet).
- Hugging Face ViT and DeiT: the tokens entering the last encoder layer (the classifier
  reads only the special tokens of the last layer's output, so its patch tokens carry no
  gradient); the special tokens (ViT's [CLS]; DeiT's [CLS] and distillation) are dropped
  and the patch tokens laid back on their grid. Attention rollout (Abnar and Zuidema,
  2020) over every layer, from the special tokens to the patches, is the second view.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import torch

GRAD_CAM: Final[Literal["grad-cam"]] = "grad-cam"
ATTENTION_ROLLOUT: Final[Literal["attention-rollout"]] = "attention-rollout"


@dataclass(frozen=True)
class ExplainTarget:
    """The layer whose input is explained, and how to read it."""

    module: torch.nn.Module
    name: str  # dotted module path, as the response names it
    tokens: bool  # a transformer's (B, N, C) tokens; else a CNN's (B, C, H, W) map
    patch_size: int | None = None

    @property
    def rollout(self) -> bool:
        return self.tokens


@dataclass(frozen=True)
class Maps:
    """One input's maps on the model input's grid (non-negative float32, unnormalised)."""

    grad_cam: np.ndarray
    rollout: np.ndarray | None = None


def find_target(model: Any) -> ExplainTarget | None:
    """The layer to explain in ``model``, or None for an architecture Lopt cannot explain."""
    timm_model = getattr(model, "timm_model", None)
    pool = getattr(timm_model, "global_pool", None)
    if isinstance(pool, torch.nn.Module) and hasattr(timm_model, "forward_head"):
        return ExplainTarget(pool, "timm_model.global_pool (input)", tokens=False)
    for name in ("vit", "deit"):
        backbone = getattr(model, name, None)
        layers = getattr(backbone, "layers", None)
        if layers is None:  # transformers 4 named them encoder.layer
            layers = getattr(getattr(backbone, "encoder", None), "layer", None)
            path = f"{name}.encoder.layer"
        else:
            path = f"{name}.layers"
        if isinstance(layers, torch.nn.ModuleList) and len(layers) > 0:
            patch = int(getattr(model.config, "patch_size", 16))
            return ExplainTarget(
                layers[-1], f"{path}.{len(layers) - 1} (input)", tokens=True, patch_size=patch
            )
    return None


def explain_batch(
    model: Any, target: ExplainTarget, pixels: torch.Tensor, fake_indices: Sequence[int]
) -> list[Maps]:
    """Grad-CAM (and rollout, for transformers) of each input in ``pixels`` (B, 3, H, W),
    from a float32 torch ``model`` in eval mode."""
    captured: dict[str, torch.Tensor] = {}

    def enter_target(
        _module: torch.nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if args:
            value, args = args[0], args[1:]
        else:
            key = next(k for k in ("hidden_states", "x", "input") if k in kwargs)
            value = kwargs.pop(key)
        value = value.detach().requires_grad_(True)
        captured["input"] = value
        torch.set_grad_enabled(True)  # from here on; the no_grad block below restores it
        return (value, *args), kwargs

    handle = target.module.register_forward_pre_hook(enter_target, with_kwargs=True)
    fake = list(fake_indices)
    try:
        with torch.no_grad(), _eager_attention(model, target.rollout):
            extra = {"output_attentions": True} if target.rollout else {}
            output = model(pixel_values=pixels, **extra)
            if "input" not in captured:
                raise ValueError(f"{target.name} is not a layer of this model: find its target")
            logits = output.logits.float()
            log_fake = torch.logsumexp(logits[:, fake], dim=-1) - torch.logsumexp(logits, dim=-1)
            (gradient,) = torch.autograd.grad(log_fake.sum(), captured["input"])
            activation = captured["input"].detach().float()
            gradient = gradient.float()
            if target.tokens:
                cams = _token_cam(activation, gradient, pixels.shape[-2:], target.patch_size)
                rollouts = _rollout(output.attentions, cams.shape[-2:])
            else:
                cams = _conv_cam(activation, gradient)
                rollouts = None
    finally:
        handle.remove()
    return [
        Maps(cam, None if rollouts is None else rollouts[i])
        for i, cam in enumerate(cams.numpy().astype(np.float32))
    ]


def _conv_cam(activation: torch.Tensor, gradient: torch.Tensor) -> torch.Tensor:
    weights = gradient.mean(dim=(2, 3), keepdim=True)  # one weight per channel
    return torch.relu((weights * activation).sum(dim=1))


def _token_cam(
    activation: torch.Tensor,
    gradient: torch.Tensor,
    input_hw: torch.Size,
    patch_size: int | None,
) -> torch.Tensor:
    rows, cols = _grid(activation.shape[1], input_hw, patch_size)
    prefix = activation.shape[1] - rows * cols
    patches, grads = activation[:, prefix:], gradient[:, prefix:]
    weights = grads.mean(dim=1, keepdim=True)  # one weight per channel
    cam = torch.relu((weights * patches).sum(dim=-1))
    return cam.reshape(-1, rows, cols)


def _grid(tokens: int, input_hw: torch.Size, patch_size: int | None) -> tuple[int, int]:
    """Rows and columns of patch tokens (special tokens come first and are not counted)."""
    if patch_size:
        rows, cols = int(input_hw[0]) // patch_size, int(input_hw[1]) // patch_size
        if 0 < rows * cols <= tokens:
            return rows, cols
    side = int(np.sqrt(tokens))
    while side * side > tokens - 1:
        side -= 1
    return side, side


def _rollout(attentions: Sequence[torch.Tensor] | None, grid: torch.Size) -> np.ndarray | None:
    """How much each patch flows into the special tokens through every layer's attention
    (heads averaged, the residual path as an identity half)."""
    if not attentions or any(a is None for a in attentions):
        return None
    rows, cols = int(grid[0]), int(grid[1])
    tokens = attentions[0].shape[-1]
    prefix = tokens - rows * cols
    eye = torch.eye(tokens)
    joint = eye.expand(attentions[0].shape[0], tokens, tokens)
    for attention in attentions:
        mixed = 0.5 * attention.detach().float().mean(dim=1) + 0.5 * eye
        mixed = mixed / mixed.sum(dim=-1, keepdim=True)
        joint = mixed @ joint
    flow = joint[:, :prefix, prefix:].mean(dim=1)
    return flow.reshape(-1, rows, cols).numpy().astype(np.float32)


@contextlib.contextmanager
def _eager_attention(model: Any, needed: bool) -> Iterator[None]:
    """Attention weights are only returned by the eager implementation: switch to it for
    this pass and back (the model is used from one inference thread only)."""
    config = getattr(model, "config", None)
    before = getattr(config, "_attn_implementation", None)
    switch = needed and before not in (None, "eager") and hasattr(model, "set_attn_implementation")
    if switch:
        model.set_attn_implementation("eager")
    try:
        yield
    finally:
        if switch:
            model.set_attn_implementation(before)
