"""One background thread per server process works through waiting Bulk API jobs.

The thread holds no state of its own: it asks the database for the next slice (see
org.bulk.processing), so any number of processes can share the work and a job outlives the
process that began it. A request that gives the thread work (closing a job, creating a query,
polling one) wakes it; otherwise it looks again every few seconds. It starts on first use in
each process, so a forked gunicorn worker starts its own.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections, connection

from org.bulk import processing

IDLE_SECONDS = 5.0
logger = logging.getLogger(__name__)

_wake = threading.Event()
_start = threading.Lock()
_running_in: list[int] = []  # the process id the thread was started in (none after a fork)


def wake() -> None:
    """Make sure this process's worker runs, and have it look for work now."""
    if not settings.HANDSHAKE_BULK_WORKER:
        return
    with _start:
        if os.getpid() not in _running_in:
            _running_in[:] = [os.getpid()]
            threading.Thread(target=_work, name="bulk-api-worker", daemon=True).start()
    _wake.set()


def _work() -> None:
    while True:
        close_old_connections()
        try:
            busy = processing.process_next()
        except Exception:
            # A bug must not stop the worker for every later job; the lease lets a retry come.
            logger.exception("Bulk API processing failed")
            connection.close()
            busy = False
        if not busy:
            _wake.wait(IDLE_SECONDS)
            _wake.clear()
