"""Heatmaps: where a loaded torch classifier's evidence for "fake" lies in its input.

``gradcam`` finds the layer to explain and computes Grad-CAM (and attention rollout for
ViT/DeiT); ``render`` turns a map into a small PNG and says whether it is localised.
"""

from lopt.explain.gradcam import ExplainTarget, Maps, explain_batch, find_target
from lopt.explain.render import concentration, render_png, upsample

__all__ = [
    "ExplainTarget",
    "Maps",
    "concentration",
    "explain_batch",
    "find_target",
    "render_png",
    "upsample",
]
