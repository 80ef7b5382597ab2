"""A job's files, written into its folder as they arrive, every limit checked on the way.

Each file is written under a number (its sent name is shown, never used as a path) and
hashed while it is written. A zip is unpacked into the same folder with the same limits
per file, its entries counted against the files per job and its unpacked bytes against
the job's total, whatever its headers claim.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from lopt.config import Settings
from lopt.errors import InvalidRequest, MediaTooLarge
from lopt.jobs.records import JobFile

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CHUNK = 1 << 20


class Intake:
    """Collects files into ``folder``: ``begin(name)``, ``write(bytes)``..., ``end()``."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.settings = settings
        self.files: list[JobFile] = []
        self.total = 0
        folder.mkdir(parents=True, exist_ok=True)
        self._sink: BinaryIO | None = None
        self._name = ""
        self._head = b""
        self._size = 0
        self._digest = hashlib.sha256()

    # Streaming one file.
    def begin(self, name: str) -> None:
        self._count_one_more()
        self._name, self._head, self._size = name, b"", 0
        self._digest = hashlib.sha256()
        self._sink = self._incoming.open("wb")

    def write(self, data: bytes) -> None:
        assert self._sink is not None
        if len(self._head) < 4:
            self._head += data[: 4 - len(self._head)]
        self._size += len(data)
        self.total += len(data)
        # A zip is limited by the job's total only; anything else by the per-file limit.
        if not self._looks_zipped() and self._size > self.settings.max_upload_bytes:
            raise self._file_too_large(self._name)
        self._check_total()
        self._digest.update(data)
        self._sink.write(data)

    def end(self) -> None:
        assert self._sink is not None
        self._sink.close()
        self._sink = None
        if self._looks_zipped():
            self.total -= self._size  # counted again, unpacked
            self._unpack(self._incoming)
            self._incoming.unlink()
            return
        path = self._incoming.rename(self._path(len(self.files)))
        self.files.append(
            JobFile(
                name=self._name,
                stored_as=path.name,
                sha256=self._digest.hexdigest(),
                size=self._size,
            )
        )

    def abort(self) -> None:
        if self._sink is not None:
            self._sink.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def _incoming(self) -> Path:
        return self.folder / "incoming"

    def _looks_zipped(self) -> bool:
        return self._head in ZIP_MAGIC

    def _path(self, index: int) -> Path:
        return self.folder / f"{index:06d}"

    def _count_one_more(self) -> None:
        limit = self.settings.job_max_files
        if len(self.files) >= limit:
            raise MediaTooLarge(
                f"A job takes at most {limit} files (LOPT_JOB_MAX_FILES). Split the files "
                "into several jobs."
            )

    def _check_total(self) -> None:
        limit = self.settings.job_max_bytes
        if self.total > limit:
            raise MediaTooLarge(
                f"The job's files add up to more than {limit / 1_048_576:.1f} MiB "
                "(LOPT_JOB_MAX_BYTES; zips count unpacked). Split them into several jobs."
            )

    def _file_too_large(self, name: str) -> MediaTooLarge:
        limit = self.settings.max_upload_bytes
        return MediaTooLarge(
            f"{name} is larger than the {limit / 1_048_576:.1f} MiB limit per file "
            "(LOPT_MAX_UPLOAD_BYTES). Leave it out or send a shorter version."
        )

    # Zips.
    def _unpack(self, archive: Path) -> None:
        zipped = self._name
        try:
            with zipfile.ZipFile(archive) as bundle:
                for entry in bundle.infolist():
                    if _is_media_entry(entry):
                        self._unpack_entry(bundle, entry)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError):
            raise InvalidRequest(
                f"{zipped} is a damaged, encrypted or unsupported zip. Zip the files again "
                "without a password, or send them one by one."
            ) from None
        except EOFError:
            raise InvalidRequest(f"{zipped} is a truncated zip. Send it again.") from None

    def _unpack_entry(self, bundle: zipfile.ZipFile, entry: zipfile.ZipInfo) -> None:
        name = entry.filename
        if entry.file_size > self.settings.max_upload_bytes:  # refused before reading
            raise self._file_too_large(name)
        self._count_one_more()
        path = self._path(len(self.files))
        digest, size = hashlib.sha256(), 0
        with bundle.open(entry) as source, path.open("wb") as sink:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                self.total += len(chunk)
                if size > self.settings.max_upload_bytes:  # its header lied
                    raise self._file_too_large(name)
                self._check_total()
                digest.update(chunk)
                sink.write(chunk)
        self.files.append(
            JobFile(name=name, stored_as=path.name, sha256=digest.hexdigest(), size=size)
        )


def _is_media_entry(entry: zipfile.ZipInfo) -> bool:
    """Folders and the hidden files archivers add (__MACOSX, .DS_Store) are not files."""
    parts = PurePosixPath(entry.filename).parts
    hidden = any(part.startswith(".") or part == "__MACOSX" for part in parts)
    return not entry.is_dir() and not hidden
