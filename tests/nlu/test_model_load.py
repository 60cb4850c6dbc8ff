"""bot/channels/rasa_model_load.py: the model loaded without Rasa's training step predicts exactly
what Rasa's own load predicts, for every held-out text of every language."""
import asyncio

import pytest
from rasa.utils.tensorflow.models import RasaModel

from bot.channels import rasa_model_load
from bot.nlp import quality

from .conftest import MODEL


def test_the_lean_load_parses_every_held_out_text_as_rasas_own_load(agent, monkeypatch):
    texts = quality.texts_to_parse()
    assert len(texts) > 1000
    ours, _ = asyncio.run(quality.parse_all(agent, texts))

    monkeypatch.setattr(RasaModel, "load", rasa_model_load.ORIGINAL)
    rasas, _ = asyncio.run(quality.parse_all(quality.load_agent(MODEL), texts))
    monkeypatch.undo()

    assert {text: ours[text].intent for text in texts} == {text: rasas[text].intent for text in texts}
    worst = max(abs(ours[text].confidence - rasas[text].confidence) for text in texts)
    assert worst < 1e-6, worst
    # Loading a second model (Rasa clears Keras' session for it) leaves the first one as it was.
    again, _ = asyncio.run(quality.parse_all(agent, texts[:100]))
    assert again == {text: ours[text] for text in texts[:100]}


@pytest.mark.parametrize("trouble", ["variables differ from the checkpoint", "the forward pass fails"])
def test_a_model_the_lean_load_cannot_build_falls_back_to_rasas_load(agent, monkeypatch, trouble):
    # `agent` installed the lean load, before ORIGINAL is wrapped below (install() compares with it).
    calls = []
    original = rasa_model_load.ORIGINAL.__func__

    def rasas_load(cls, *args, **kwargs):
        calls.append(cls.__name__)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(rasa_model_load, "ORIGINAL", classmethod(rasas_load))
    if trouble == "variables differ from the checkpoint":
        monkeypatch.setattr(rasa_model_load, "_saved_model_variables", lambda path: -1)
    else:
        def no_batches(*args, **kwargs):
            raise ValueError("no batch")
        monkeypatch.setattr(rasa_model_load, "RasaBatchDataGenerator", no_batches)
    parsed = asyncio.run(quality.load_agent(MODEL).parse_message("rød"))
    assert calls == ["DIET"]
    assert parsed["intent"] == asyncio.run(agent.parse_message("rød"))["intent"]
