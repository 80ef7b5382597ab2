"""An upload must never make the server open a connection: a remote manifest is reported,
not fetched. The C2PA SDK is native code, so Python's socket module alone cannot see its
connections: a local server that counts the connections it accepts does."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import c2pa
import pytest

from lopt.provenance import read_provenance
from tests.helpers import PROVENANCE, needs_provenance, write_image
from tests.provenance.signing import options, sign

pytestmark = needs_provenance


class CountingServer:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def settle(self) -> int:
        """The count once any connection already made has been accepted."""
        self._stop.wait(0.3)
        return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def server() -> Iterator[CountingServer]:
    listening = CountingServer()
    yield listening
    listening.close()


@pytest.fixture
def no_python_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any Python-level connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("provenance opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def remote_only(tmp_path: Path, port: int) -> Path:
    """A JPEG whose manifest is left out and only referenced at a local URL."""
    url = f"http://127.0.0.1:{port}/manifest.c2pa"
    return sign(write_image(tmp_path / "plain.jpg"), tmp_path / "remote.jpg", remote_url=url)


def test_a_remote_manifest_opens_no_socket(
    tmp_path: Path, server: CountingServer, no_python_sockets: None
) -> None:
    path = remote_only(tmp_path, server.port)
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert server.settle() == 0
    assert provenance.c2pa.state == "remote_not_fetched"
    assert provenance.c2pa.remote_url == f"http://127.0.0.1:{server.port}/manifest.c2pa"
    assert "never fetches" in provenance.c2pa.reason
    assert provenance.finding.kind == "none"  # an unread manifest declares nothing


def test_the_listener_would_see_a_fetch(tmp_path: Path, server: CountingServer) -> None:
    """The check above can fail: the SDK with its default of fetching connects at once."""
    path = remote_only(tmp_path, server.port)
    fetching = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": True}})
    with pytest.raises(c2pa.C2paError):  # the listener answers nothing a manifest
        c2pa.Reader("image/jpeg", io.BytesIO(path.read_bytes()), context=fetching)
    assert server.settle() >= 1


def test_the_shared_cloud_manifest_is_reported_not_fetched(no_python_sockets: None) -> None:
    path = PROVENANCE / "c2pa" / "cloud.jpg"
    provenance = read_provenance(path, "image/jpeg", "image", options())
    assert provenance.c2pa.state == "remote_not_fetched"
    assert (provenance.c2pa.remote_url or "").startswith("https://cai-manifests.adobe.com/")
    assert "stored online" in provenance.finding.summary
