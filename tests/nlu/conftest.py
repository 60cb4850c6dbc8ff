"""The trained model, loaded once for the NLU modules as the Rasa server loads it: with the loader
the channel modules install (bot/channels/rasa_model_load.py)."""
import os
from pathlib import Path

import pytest

from bot.channels import rasa_model_load
from bot.nlp import quality

MODEL = Path(os.environ.get("NLU_MODEL") or quality.ROOT / "models" / "current.tar.gz")


@pytest.fixture(scope="session")
def agent():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test trains it first)")
    assert rasa_model_load.install()
    return quality.load_agent(MODEL)
