"""The people and meetings the network's web tests share (tests/web/test_network_pages.py,
test_network_web.py): Mette's citizens Bente and Karen, Ole's citizen Otto, a member each for Karen
and Otto (Karen's invited to her meeting), Bente's upcoming, past and cancelled meetings with
"Min søster Sofie" as the upcoming one's "Med til mødet" answer, and Otto's meeting. Times from
tests.conftest.T0."""
from __future__ import annotations

from datetime import timedelta

from bot.core.config import ProactiveSettings
from bot.db import preparations as prep_db
from bot.db.appointments import create_appointment
from bot.network import invitations, members
from tests.conftest import T0
from tests.dashboard import make_citizen, make_coordinator


def network_world(session) -> dict[str, int]:
    mette = make_coordinator(session, "Mette", "mette@kommune.dk", token="mette-token")
    ole = make_coordinator(session, "Ole", "ole@kommune.dk", token="ole-token")
    bente = make_citizen(session, mette, "Bente Hansen", "+4512345678")
    karen = make_citizen(session, mette, "Karen", "+4512345679")
    otto = make_citizen(session, ole, "Otto", "+4512345670")
    ottos_member = members.add_member(session, otto.id, ole.id, {"name": "Tove", "phone": "22334499", "consent": True},
                                      now=T0)
    karens_member = members.add_member(session, karen.id, mette.id,
                                       {"name": "Kurt", "phone": "22334488", "consent": True}, now=T0)
    meeting = create_appointment(session, bente.id, kind="opfoelgning", starts_at=T0 + timedelta(days=2),
                                 location="Rådhuset")
    past = create_appointment(session, bente.id, kind="opfoelgning", starts_at=T0 - timedelta(days=1))
    cancelled = create_appointment(session, bente.id, kind="opfoelgning", starts_at=T0 + timedelta(days=3))
    cancelled.status = "cancelled"
    karens_meeting = create_appointment(session, karen.id, kind="opfoelgning", starts_at=T0 + timedelta(days=2))
    ottos_meeting = create_appointment(session, otto.id, kind="opfoelgning", starts_at=T0 + timedelta(days=2))
    invitations.invite(session, karens_meeting.id, mette.id, karens_member.id, now=T0,
                       settings=ProactiveSettings())
    prep_db.save_answer(session, meeting.id, bente.id, "attendees", "Min søster Sofie", T0)
    return {"mette": mette.id, "bente": bente.id, "karen": karen.id, "otto": otto.id, "ottos_member": ottos_member.id,
            "karens_member": karens_member.id, "meeting": meeting.id, "past": past.id, "cancelled": cancelled.id,
            "karens_meeting": karens_meeting.id, "ottos_meeting": ottos_meeting.id}
