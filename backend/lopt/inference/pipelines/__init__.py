"""Pipelines: a sniffed file in, a finished verdict out, built from what each one uses."""

from lopt.inference.pipelines.image import ImageOptions, ImagePipeline
from lopt.inference.pipelines.media_input import MediaInput
from lopt.inference.pipelines.video import VideoOptions, VideoPipeline

__all__ = ["ImageOptions", "ImagePipeline", "MediaInput", "VideoOptions", "VideoPipeline"]
