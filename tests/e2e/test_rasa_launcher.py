"""The Rasa server as every stack starts it (bot/channels/rasa_server.py): jax kept out, and the
library pages it does not use given back once the model is loaded (bot/core/memory.py), after which
it still takes turns. What that saves is measured by bench/, not here (docs/performance.md)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]


def test_rasa_runs_without_jax_and_gives_back_unused_library_pages(stack):
    citizen = stack.new_citizen()
    maps = Path(f"/proc/{stack.procs['rasa'].pid}/maps").read_text()
    assert "libtensorflow" in maps  # it is Rasa's process
    assert "jaxlib" not in maps and "xla_extension" not in maps
    released = re.search(r"library pages released after the model load: (\d+) MiB", stack.log("rasa"))
    assert released, "the launcher did not release the library pages"
    assert int(released.group(1)) > 0
    # The pages it needs come back on their next access: a turn parses, predicts and answers.
    [question] = stack.say(citizen["phone"], "tjek ind")
    assert "GRØN" in question and "GUL" in question and "RØD" in question
    [focus] = stack.say(citizen["phone"], "rød")
    assert "1 Krop og helbred" in focus
