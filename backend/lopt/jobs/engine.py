"""The Celery app: an embedded queue on disk by default, Redis for many machines.

Reliability follows Celery's guidance: a job is acknowledged only after it finished
(``acks_late``), given back if its worker dies (``reject_on_worker_lost``), a worker takes
one job at a time (prefetch 1) and, with Redis, a job taken by a worker that vanished runs
again after the visibility timeout. Job states live in the job store, not in Celery's
result backend, so results are ignored here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from celery import Celery

from lopt.config import Settings
from lopt.jobs.store import jobs_dir

log = logging.getLogger(__name__)
TASK = "lopt.jobs.run"
QUEUE = "lopt-jobs"


def embedded(settings: Settings) -> bool:
    """Whether jobs go through the queue on disk (one machine) rather than Redis."""
    return settings.broker_url is None


def build_celery(settings: Settings, run: Callable[[str], None] | None = None) -> Celery:
    """The app that sends jobs and, given ``run``, works them."""
    app = Celery("lopt", set_as_current=False)
    if embedded(settings):
        queue = jobs_dir(settings) / "queue"
        for folder in ("messages", "control"):
            (queue / folder).mkdir(parents=True, exist_ok=True)
        broker, options = (
            "filesystem://",
            {
                "data_folder_in": str(queue / "messages"),
                "data_folder_out": str(queue / "messages"),
                "control_folder": str(queue / "control"),
                "store_processed": False,
                # Seconds between looks at the folder: a job waits at most this long.
                "polling_interval": 0.2,
            },
        )
    else:
        broker = settings.broker_url or ""
        options = {"visibility_timeout": settings.job_visibility_timeout_s}
    app.conf.update(
        broker_url=broker,
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
    )

    @app.task(name=TASK, shared=False)  # type: ignore[untyped-decorator]
    def run_job(job_id: str) -> None:
        if run is None:
            raise RuntimeError("this process sends jobs but does not run them")
        run(job_id)

    return app


def send_job(app: Celery, job_id: str) -> None:
    app.send_task(TASK, args=[job_id], task_id=job_id, queue=QUEUE)


class EmbeddedWorker:
    """A Celery worker in a thread of this process (``lopt serve``): one job at a time."""

    def __init__(self, app: Celery, name: str = "lopt-embedded") -> None:
        from celery.worker import WorkController

        self._ready = threading.Event()
        ready = self._ready

        class _Controller(WorkController):  # type: ignore[misc]
            def on_consumer_ready(self, consumer: Any) -> None:
                super().on_consumer_ready(consumer)
                ready.set()

        self._controller = _Controller(
            app=app,
            hostname=f"{name}@%h",
            pool_cls="solo",
            concurrency=1,
            queues=[QUEUE],
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            loglevel=logging.WARNING,
        )
        self._app = app
        self._thread = threading.Thread(target=self._work, name="lopt-job-worker", daemon=True)

    def _work(self) -> None:
        self._app.set_current()  # Celery finds the tasks through this thread's current app
        self._controller.start()

    def start(self, timeout_s: float = 30.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the embedded job worker did not start")

    def stop(self, timeout_s: float = 10.0) -> None:
        self._controller.stop(in_sighandler=False)
        self._thread.join(timeout_s)
