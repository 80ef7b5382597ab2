"""Bytes to arrays: type sniffing, safe image decoding, video probing and frame sampling.

Nothing here imports FastAPI or model code.
"""
