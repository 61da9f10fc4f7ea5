"""The worker (``esibook worker``, and the development server's own jobs): every context's tasks, and the round
that runs them in-process on SQLite.

Each context declares its tasks on ``esibook.jobs.app`` beside the work they run; importing this module imports
them all, so a worker binds every task (``jobs.engine_app``). procrastinate's own command line takes this app as
``esibook.worker.app``.
"""

from __future__ import annotations

from datetime import date

from esibook import jobs
from esibook.audit import checkpoints
from esibook.benefits import pensions
from esibook.book import bulk, sequencer
from esibook.contributions import arrears
from esibook.dates import vietnam_today
from esibook.notify import outbox
from esibook.payments import reconcile
from esibook.periods import Month
from esibook.portals import service as portals
from esibook.reminders import service as reminders

app = jobs.app
#: The modules whose tasks a worker runs (imported above, named here so a linter keeps them).
TASK_MODULES = (outbox, bulk, arrears, checkpoints, reconcile, reminders, pensions, portals)


def run_round(rt: jobs.Runtime, watched: date | None) -> date:
    """One in-process round (SQLite): the log's pooled entries; once a day the watchdog, the reconciliation of
    payments, the reminders and the month's pensions; a checkpoint when due; the pending messages; the pending
    pushes to the national portals. Returns the day watched, for the next round."""
    sequencer.run_once(rt.sessions, rt.settings)
    today = vietnam_today()
    if watched != today:
        arrears.watchdog_once(rt.sessions, today)
        reconcile.reconcile_once(rt.sessions, today)
        reminders.send_daily_once(rt.sessions, today)
        with rt.sessions() as session:  # the month's pensions (idempotent: a month paid stays as it is)
            pensions.pay_month(session, Month.from_date(today), actor="job:pension")
    checkpoints.audit_checkpoint_if_due(rt.sessions, rt.settings)
    rt.count(outbox.deliver_pending(rt.sessions, outbox.sender_of(rt)))
    portals.push_pending(rt.sessions, rt.settings, portals.systems_of(rt))
    return today
