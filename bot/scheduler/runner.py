"""The scheduler: plan, claim what is due, deliver through Rasa, mark done or retry with backoff.
A job is marked done only after Rasa accepted it; a crash in between leaves it claimed until its
lease runs out, and then it is retried (so delivery is at-least-once in that one window, and
exactly-once otherwise)."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.alerts.mail import EmailDispatcher
from bot.alerts.notifier import Notifier
from bot.alerts.run import NotificationConfig, run_notifications
from bot.citizens.retention import Retention
from bot.core.clock import Clock
from bot.core.config import ProactiveSettings
from bot.db import jobs as job_db
from bot.db.database import Database
from bot.db.models import Job
from bot.jobs import planner, timing
from bot.jobs.purposes import CAN_WAIT
from bot.scheduler import handlers
from bot.scheduler.rasa_client import RasaClient, RasaUnavailable

log = logging.getLogger(__name__)
BATCH = 20
MAX_JOBS_PER_TICK = 1000


def _job_json(job: Job, outcome: str, **extra) -> dict:
    return {"id": job.id, "citizen_id": job.citizen_id, "purpose": job.purpose, "target": job.target,
            "due_at": job.due_at.isoformat(), "attempt": job.attempts, "outcome": outcome, **extra}


class Scheduler:
    def __init__(self, db: Database, rasa: RasaClient, settings: ProactiveSettings, clock: Clock,
                 notifier: Notifier | None = None, notification_config: NotificationConfig | None = None,
                 email: EmailDispatcher | None = None, retention: Retention | None = None):
        self.db = db
        self.rasa = rasa
        self.settings = settings
        self.clock = clock
        # Alert notifications and escalations run on the same beat (None: not this scheduler's job).
        self.notifier = notifier
        self.notification_config = notification_config
        # One e-mail outbox round after the notifications, so what a tick queued goes out on that
        # tick (None: e-mail is off, SMTP not configured).
        self.email = email
        # The retention pass (bot/citizens/retention.py) on the same beat, after everything else;
        # None: not this scheduler's job.
        self.retention = retention

    async def tick(self, now: datetime | None = None, citizen_ids: list[int] | None = None) -> dict:
        """Run everything due at `now` (default: the clock) and say what was done; with
        `citizen_ids`, only those citizens' jobs (tests that share one stack)."""
        now = now or self.clock.now()
        planned = await self.db.run(planner.plan_checkin_prompts, now, self.settings)
        done: list[dict] = []
        lease = timedelta(seconds=self.settings.lease_seconds)
        while len(done) < MAX_JOBS_PER_TICK:
            jobs = await self.db.run(job_db.claim_due, now, limit=BATCH, lease=lease, later=CAN_WAIT,
                                     citizen_ids=citizen_ids)
            if not jobs:
                break
            for job in jobs:
                done.append(await self._run(job, now))
        report = {"now": now.isoformat(), "planned": len(planned), "jobs": done}
        if self.notifier is not None:
            notified = await self.db.run(run_notifications, now, self.notifier, self.notification_config)
            report["notifications"] = {"notified": notified.notified, "escalated": notified.escalated,
                                       "duty": notified.duty, "failed": notified.failed}
        if self.email is not None:
            # After the notifications' transaction has committed: SMTP is never talked to inside one.
            report["email"] = await self.email.run_once(now)
        if self.retention is not None:
            deleted = await self.retention.run(now, citizen_ids)
            if deleted is not None:
                report["retention"] = deleted
        return report

    async def _run(self, job: Job, now: datetime) -> dict:
        try:
            decision = await self.db.run(handlers.prepare, job, now, self.settings)
        except Exception as exc:  # one broken job must not stop the others
            log.exception("job %s (%s) could not be prepared", job.id, job.purpose)
            return await self._failed(job, now, f"internal error: {type(exc).__name__}: {exc}")
        if decision.action == "defer":
            later = timing.next_window(decision.until, self.settings)
            await self.db.run(job_db.mark_deferred, job, later)
            return _job_json(job, "deferred", note=decision.note, next_attempt_at=later.isoformat())
        if decision.action != "send":
            return _job_json(job, "skipped" if decision.action == "skip" else "done", note=decision.note)
        if not timing.in_window(now, self.settings):
            later = timing.next_window(now, self.settings)
            await self.db.run(job_db.mark_deferred, job, later)
            return _job_json(job, "deferred", next_attempt_at=later.isoformat())
        try:
            messages = await self.rasa.trigger_intent(decision.sender, decision.intent, decision.entities)
        except RasaUnavailable as exc:
            return await self._failed(job, now, str(exc))
        # Done first, in its own transaction: whatever follows must never cause a second send.
        ours = await self.db.run(job_db.mark_done, job, now)
        log.info("job %s (%s) delivered", job.id, job.purpose)
        if ours:
            try:
                await self.db.run(handlers.after_sent, job.id, now, self.settings)
            except Exception:
                log.exception("job %s (%s) delivered, but planning what follows failed", job.id, job.purpose)
        return _job_json(job, "sent" if ours else "sent_after_lease_expired", messages=messages)

    async def _failed(self, job: Job, now: datetime, error: str) -> dict:
        log.warning("job %s (%s) attempt %s failed: %s", job.id, job.purpose, job.attempts, error)
        if job.attempts >= self.settings.max_attempts:
            await self.db.run(job_db.mark_failed, job, error)
            return _job_json(job, "failed", error=error)
        later = timing.next_window(now + timing.backoff(job.attempts, self.settings), self.settings)
        await self.db.run(job_db.mark_retry, job, error, later)
        return _job_json(job, "retry", error=error, next_attempt_at=later.isoformat())

    async def run_forever(self, interval: float) -> None:
        while True:
            try:
                report = await self.tick()
                if report["jobs"]:
                    log.info("scheduler ran %d job(s)", len(report["jobs"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler tick failed; trying again in %ss", interval)
            await asyncio.sleep(interval)
