"""The scheduler: plan, claim what is due, deliver through Rasa, mark done or retry with backoff.
A job is marked done only after Rasa accepted it; a crash in between leaves it claimed until its
lease runs out, and then it is retried. Exactly once even then: every trigger carries the job's id
(rasa_client.JOB_ENTITY), and before any attempt after the first the scheduler asks Rasa's tracker
whether an earlier attempt already ran (a caller that died, or an answer lost on the way back); if
so the job is marked done without a second message (docs/deployment.md, "A service dies").

Delivery is concurrent with a bound: at most `concurrency` jobs (SCHEDULER_CONCURRENCY) are in
flight at once, so Rasa is never idle between trigger_intent calls, and never flooded. The claim
(bot/db/jobs.py claim_due) gives at most one job per citizen and none of a citizen with a job in
flight, on any scheduler: one conversation at a time, and a citizen with many due jobs takes one
place, never the round (docs/architecture.md, "Proactive messages")."""
from __future__ import annotations

import asyncio
import logging
from collections import deque
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
from bot.goals.schedule import plan_progress
from bot.jobs import planner, timing
from bot.jobs.purposes import CAN_WAIT, external_intent
from bot.outcomes.record import plan_rounds
from bot.scheduler import handlers
from bot.scheduler.rasa_client import JOB_ENTITY, RasaClient, RasaUnavailable
from bot.sms.unanswered import apologise_for_unanswered

log = logging.getLogger(__name__)
MAX_JOBS_PER_TICK = 1000
# Jobs in flight at once (SCHEDULER_CONCURRENCY). Measured with bench/proactive.py on a 2-core
# machine: see docs/deployment.md, "Proactive round".
DEFAULT_CONCURRENCY = 8


def _job_json(job: Job, outcome: str, **extra) -> dict:
    return {"id": job.id, "citizen_id": job.citizen_id, "purpose": job.purpose, "target": job.target,
            "due_at": job.due_at.isoformat(), "attempt": job.attempts, "outcome": outcome, **extra}


class Scheduler:
    def __init__(self, db: Database, rasa: RasaClient, settings: ProactiveSettings, clock: Clock,
                 notifier: Notifier | None = None, notification_config: NotificationConfig | None = None,
                 email: EmailDispatcher | None = None, retention: Retention | None = None,
                 concurrency: int = DEFAULT_CONCURRENCY):
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
        self.concurrency = max(1, concurrency)

    async def tick(self, now: datetime | None = None, citizen_ids: list[int] | None = None) -> dict:
        """Run everything due at `now` (default: the clock) and say what was done; with
        `citizen_ids`, only those citizens' jobs (tests that share one stack)."""
        explicit, now = now, now or self.clock.now()
        planned = await self.db.run(planner.plan_checkin_prompts, now, self.settings)
        if self.settings.questionnaires:
            planned += await self.db.run(plan_rounds, now, self.settings)
        planned += await self.db.run(plan_progress, now, self.settings)
        done, in_flight = await self._deliver(now, citizen_ids, live=explicit is None)
        report = {"now": now.isoformat(), "planned": len(planned), "jobs": done,
                  "concurrency": self.concurrency, "max_in_flight": in_flight}
        # SMS turns lost with a Rasa server that died get their apology on the same beat.
        report["unanswered_sms"] = await self.db.run(apologise_for_unanswered, now, self.settings, citizen_ids)
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

    async def _deliver(self, now: datetime, citizen_ids: list[int] | None, live: bool) -> tuple[list[dict], int]:
        """Claim and run due jobs, at most `concurrency` at once, until nothing is due or the tick's
        budget is spent. Returns each job's outcome and the most jobs that were in flight at once.
        Claimed jobs wait in `ready` only briefly (their lease runs meanwhile): a claim fetches one
        bound's worth, and the next claim comes when half of that has started."""
        lease = timedelta(seconds=self.settings.lease_seconds)
        done: list[dict] = []
        ready: deque[Job] = deque()
        running: set[asyncio.Task] = set()
        claimed = max_in_flight = 0
        more = True  # the last claim found something, or a job finished since (its citizen's next may be due)
        try:
            while True:
                budget = MAX_JOBS_PER_TICK - claimed
                if more and budget > 0 and len(ready) < max(1, self.concurrency // 2):
                    jobs = await self.db.run(job_db.claim_due, now, limit=min(self.concurrency, budget), lease=lease,
                                             later=CAN_WAIT, citizen_ids=citizen_ids)
                    claimed += len(jobs)
                    ready.extend(jobs)
                    more = bool(jobs)
                while ready and len(running) < self.concurrency:
                    running.add(asyncio.create_task(self._run_one(ready.popleft(), now, live)))
                max_in_flight = max(max_in_flight, len(running))
                if not running:
                    return done, max_in_flight
                finished, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    done.append(task.result())
                more = True
        finally:
            # Cancelled (the service stops) or failed: the rest stay claimed until their lease runs
            # out and are retried then, as after a crash.
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _run_one(self, job: Job, now: datetime, live: bool) -> dict:
        """One job; an error (the database gone mid-job) is its outcome, not the round's end: the
        job stays claimed until its lease runs out and is retried then."""
        try:
            return await self._run(job, now, live)
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.purpose)
            return _job_json(job, "error", error=f"{type(exc).__name__}: {exc}")

    async def _run(self, job: Job, now: datetime, live: bool = False) -> dict:
        if live:  # run on the service's clock: quiet hours as they are when this job goes
            now = self.clock.now()
        if job.attempts > 1:
            # Before prepare: a delivered check-in prompt is itself the open question that would
            # make prepare defer the job, and send it again once answered.
            try:
                sender = await self.db.run(handlers.sender_of, job)
                if sender and await self.rasa.ran_job(sender, external_intent(job.purpose), job.id):
                    return await self._delivered(job, now, [], note="delivered by an earlier attempt")
            except RasaUnavailable as exc:
                return await self._failed(job, now, str(exc))
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
            messages = await self.rasa.trigger_intent(decision.sender, decision.intent,
                                                      {**decision.entities, JOB_ENTITY: str(job.id)})
        except RasaUnavailable as exc:
            return await self._failed(job, now, str(exc))
        return await self._delivered(job, now, messages)

    async def _delivered(self, job: Job, now: datetime, messages: list[dict], **extra) -> dict:
        # Done first, in its own transaction: whatever follows must never cause a second send.
        ours = await self.db.run(job_db.mark_done, job, now)
        log.info("job %s (%s) delivered", job.id, job.purpose)
        if ours:
            try:
                await self.db.run(handlers.after_sent, job.id, now, self.settings)
            except Exception:
                log.exception("job %s (%s) delivered, but planning what follows failed", job.id, job.purpose)
        return _job_json(job, "sent" if ours else "sent_after_lease_expired", messages=messages, **extra)

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
                if len(report["jobs"]) >= MAX_JOBS_PER_TICK:
                    continue  # a big round: go on at once, not a whole interval later
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler tick failed; trying again in %ss", interval)
            await asyncio.sleep(interval)
