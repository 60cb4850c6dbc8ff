"""The people the citizen's own pages' web tests share (tests/web/test_own_page.py,
test_own_goal_steps.py, test_goal_proposals_web.py): Mette (API token "mette-token") and her citizen
Bente, Ole ("ole-token") and his citizen Otto, each citizen with a web-chat link; the secret the
service signs the links with, and a link's token as the citizen's browser holds it. Times from
tests.conftest.T0."""
from __future__ import annotations

from datetime import timedelta

from bot.citizens.chat_links import mint_token, new_link_id
from tests.conftest import T0
from tests.dashboard import make_citizen, make_coordinator

SECRET = "test-webchat-secret-0123456789abcdef"  # the service's WEBCHAT_JWT_SECRET in these tests
MINE = {"Authorization": "Bearer mette-token"}
OLES = {"Authorization": "Bearer ole-token"}


def own_world(session) -> dict:
    """The coordinators' and citizens' rows, by first name (lower case)."""
    mette = make_coordinator(session, "Mette", "mette@kommune.dk", token="mette-token")
    ole = make_coordinator(session, "Ole", "ole@kommune.dk", token="ole-token")
    bente = make_citizen(session, mette, "Bente", "+4512345678")
    otto = make_citizen(session, ole, "Otto", "+4512345679")
    bente.chat_link_id, otto.chat_link_id = new_link_id(), new_link_id()
    return {"mette": mette, "ole": ole, "bente": bente, "otto": otto}


def link_token(link_id: str, *, days: int = 14, minted: timedelta = timedelta(0), secret: str = SECRET) -> str:
    """The token of a web-chat link, minted at T0 + `minted` and good for `days`."""
    return mint_token(secret, link_id, T0 + minted, timedelta(days=days))
