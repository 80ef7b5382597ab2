"""One table of formats: what sniffing accepts is what /api/limits and training list."""

from __future__ import annotations

from lopt.media.formats import BY_MIME, FORMATS, extensions, kind_of_name, mime_types
from lopt.media.sniff import SUPPORTED_TEXT
from lopt.training.data import IMAGE_SUFFIXES, VIDEO_SUFFIXES


def test_every_format_is_listed_once_with_its_kind_and_extensions() -> None:
    names = [f.name for f in FORMATS]
    assert len(names) == len(set(names))
    assert len(BY_MIME) == sum(len(f.mimes) for f in FORMATS)  # no MIME type in two rows
    assert set(mime_types("image")) | set(mime_types("video")) == set(BY_MIME)
    assert not extensions("image") & extensions("video")
    assert extensions("image") == IMAGE_SUFFIXES and extensions("video") == VIDEO_SUFFIXES
    assert kind_of_name("clip.M4V") == "video" and kind_of_name("x.jfif") == "image"
    assert kind_of_name("notes.txt") is None and kind_of_name("README") is None
    assert all(f.name.upper() in SUPPORTED_TEXT.upper() for f in FORMATS)


def test_api_limits_lists_the_table(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/limits").json()
    assert body["image_mime_types"] == mime_types("image")
    assert body["video_mime_types"] == mime_types("video")
    assert set(body["extensions"]) == extensions()
