"""The sequencer of the transparency log: every ``log_batch_seconds`` (1 s), the pooled entries are integrated
in batches of at most ``log_batch_size`` (1,000), one checkpoint per batch. ``esibook serve`` runs it in a thread,
``esibook worker`` in its rounds; any number may run, they queue on the log head."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from esibook.book import log
from esibook.config import Settings


def run_once(sessions: sessionmaker[Session], settings: Settings) -> int:
    """Integrate what is pooled now, batch after batch; returns how many entries."""
    total = 0
    with sessions() as session:
        if not log.pending(session):
            return 0
        while done := log.integrate(session, settings):
            total += done
            if done < settings.log_batch_size:
                break
    return total


def start(sessions: sessionmaker[Session], settings: Settings) -> threading.Thread:
    def loop() -> None:
        while True:
            try:
                run_once(sessions, settings)
            except Exception:  # noqa: BLE001 - the pool keeps the entries; the next round retries
                logging.getLogger("esibook.log").exception("log integration failed; retrying")
            time.sleep(settings.log_batch_seconds)

    thread = threading.Thread(target=loop, daemon=True, name="log-sequencer")
    thread.start()
    return thread
