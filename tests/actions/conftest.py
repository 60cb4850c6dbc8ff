"""Actions read the database and the clock from actions.context, module globals the action server
sets once. A test that points them at its own database must not leak it into the next test (a
disposed database, or another test's clock): every test here gets them back as they were."""
import pytest

from actions import context


@pytest.fixture(autouse=True)
def _restore_action_context():
    saved = context._db, context._clock
    yield
    context._db, context._clock = saved
    context.proactive_settings.cache_clear()
