"""Every action test gets actions.context back as it was (tests/conftest.py, restore_action_context)."""
import pytest


@pytest.fixture(autouse=True)
def _restore_action_context(restore_action_context):
    pass
