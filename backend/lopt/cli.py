"""``lopt``: serve the API, or judge files from the command line without a server."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from lopt import __version__
from lopt.cli_offline import add_offline_commands
from lopt.config import Settings, SettingsError, load_settings
from lopt.errors import LoptError, MediaTooLarge, ModelLoadError

log = logging.getLogger("lopt")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        result: int = args.run(args)
        return result
    except (SettingsError, ModelLoadError) as error:
        print(f"lopt: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lopt",
        description="Lopt: is this photo or video Real or Fake? Settings come from LOPT_* "
        "environment variables (see the README).",
    )
    parser.add_argument("--version", action="version", version=f"lopt {__version__}")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="Serve the web app and the API.")
    serve.add_argument("--host", help="Address to bind (default: LOPT_HOST or 127.0.0.1).")
    serve.add_argument("--port", type=int, help="Port to listen on (default: LOPT_PORT or 8000).")
    serve.add_argument(
        "--reload", action="store_true", help="Restart on code changes (development)."
    )
    serve.set_defaults(run=_serve)

    worker = commands.add_parser(
        "worker",
        help="Run jobs from the shared queue (LOPT_BROKER_URL=redis://...); one job at a time.",
    )
    worker.set_defaults(run=_worker)

    predict = commands.add_parser(
        "predict", help="Judge files and print one JSON line per file (no server needed)."
    )
    predict.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Images or videos.")
    predict.add_argument(
        "--explain",
        type=Path,
        metavar="DIR",
        help="Also draw heatmaps (where the model's evidence for fake lies; not proof) and "
        "write them over each file into DIR: NAME.heatmap.png for a photo, "
        "NAME.frame-INDEX.heatmap.png for each video frame that has one.",
    )
    predict.set_defaults(run=_predict)

    scan = commands.add_parser(
        "scan",
        help="Judge every image and video under PATHs, one CSV or JSON line per file "
        "(no server needed); exit 1 if any file could not be judged.",
    )
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="Files or folders.")
    scan.add_argument("--recursive", "-r", action="store_true", help="Look inside subfolders.")
    scan.add_argument(
        "--format",
        choices=["csv", "jsonl"],
        help="Row format (default: from --output's extension, else jsonl).",
    )
    scan.add_argument("--output", "-o", type=Path, help="Write rows to FILE (default: stdout).")
    scan.add_argument(
        "--resume", action="store_true", help="Skip files already in --output; append the rest."
    )
    scan.set_defaults(run=_scan)

    add_offline_commands(commands)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {key: getattr(args, key) for key in ("host", "port") if getattr(args, key, None)}
    return load_settings(**overrides)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    if args.reload:
        # Reload needs an import string; the models then load inside the app's lifespan.
        uvicorn.run(
            "lopt.api.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            reload=True,
            reload_dirs=[str(Path(__file__).parent)],
        )
        return 0

    from lopt.api.app import create_app
    from lopt.inference.service import DetectionService

    detectors = DetectionService.load(settings)
    app = create_app(settings, detectors)
    log.info("Serving on http://%s:%d (API docs at /docs)", settings.host, settings.port)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from lopt.jobs.worker import run_worker

    return run_worker(_settings(args), log_level=args.log_level)


def _scan(args: argparse.Namespace) -> int:
    from lopt.inference.service import DetectionService
    from lopt.jobs.scan import (
        Format,
        Progress,
        RowWriter,
        already_scanned,
        drop_partial_row,
        find_media,
        scan,
    )

    output: Path | None = args.output
    fmt: Format = args.format or ("csv" if output and output.suffix.lower() == ".csv" else "jsonl")
    if args.resume and output is None:
        print("lopt: --resume needs --output FILE (the rows to resume from)", file=sys.stderr)
        return 2
    files = list(dict.fromkeys(find_media(args.paths, args.recursive)))
    skipped = already_scanned(output, fmt) if args.resume and output else set()
    files = [path for path in files if path.resolve() not in skipped]
    if skipped:
        log.info("Resuming: %d files already in %s", len(skipped), output)
    settings = _settings(args)
    detectors = DetectionService.load(settings)

    async def run() -> int:
        await detectors.start()
        try:
            if output is None:
                return await scan(detectors, files, RowWriter(sys.stdout, fmt, True), progress)
            if args.resume:
                drop_partial_row(output)
            header = not (args.resume and output.is_file() and output.stat().st_size > 0)
            with output.open("a" if args.resume else "w", newline="") as sink:
                return await scan(detectors, files, RowWriter(sink, fmt, header), progress)
        finally:
            await detectors.stop()

    progress = Progress(total=len(files))
    failures = asyncio.run(run())
    return 1 if failures else 0


def _predict(args: argparse.Namespace) -> int:
    from lopt.inference.overlays import write_overlays
    from lopt.inference.service import DetectionService

    settings = _settings(args)
    detectors = DetectionService.load(settings)

    async def run() -> int:
        failures = 0
        await detectors.start()
        try:
            for path in args.files:
                try:
                    _check_file(path, settings.max_upload_bytes)
                    explain = args.explain is not None
                    prediction = await detectors.analyse(path, filename=path.name, explain=explain)
                    print(prediction.model_dump_json(), flush=True)
                    if explain:
                        for written in await asyncio.to_thread(
                            write_overlays,
                            path,
                            prediction,
                            args.explain,
                            max_pixels=settings.max_image_pixels,
                            frame_side=settings.video_frame_side,
                        ):
                            log.info("Wrote %s", written)
                except LoptError as error:
                    failures += 1
                    body = {"code": error.code, "message": error.message}
                    print(json.dumps({"filename": str(path), "error": body}), flush=True)
        finally:
            await detectors.stop()
        return 1 if failures else 0

    return asyncio.run(run())


def _check_file(path: Path, max_bytes: int) -> None:
    if not path.is_file():
        raise _NotAFile(f"{path} is not a readable file.")
    if path.stat().st_size > max_bytes:
        raise MediaTooLarge(
            f"{path} is larger than the {max_bytes / 1_048_576:.1f} MiB limit "
            "(LOPT_MAX_UPLOAD_BYTES)."
        )


class _NotAFile(LoptError):
    code = "not_found"
    status_code = 404


if __name__ == "__main__":
    sys.exit(main())
