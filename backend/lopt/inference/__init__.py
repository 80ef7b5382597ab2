"""Arrays to verdicts: model registry, micro-batcher, image and video detectors.

Nothing here imports FastAPI.
"""
