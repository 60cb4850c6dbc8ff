"""The fake gateway's store (development and tests only)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import FakeSms


def add(session: Session, *, direction: str, msisdn: str, message: str, created_at: datetime,
        sender: str | None = None, userref: str | None = None, callback_url: str | None = None) -> FakeSms:
    row = FakeSms(direction=direction, msisdn=msisdn, message=message, created_at=created_at, sender=sender,
                  userref=userref, callback_url=callback_url)
    session.add(row)
    session.flush()
    return row


def for_msisdn(session: Session, msisdn: str) -> list[FakeSms]:
    return list(session.execute(sa.select(FakeSms).where(FakeSms.msisdn == msisdn).order_by(FakeSms.id)).scalars())
