"""`rasa` as our Rasa servers run it: `python -m bot.channels.rasa_server run --model ... [rasa run's
options]`. Rasa's own command line, unchanged, with two things about memory (docs/performance.md,
"Memory: Rasa's resident size"):

- jax is kept out. TensorFlow imports it (via `tensorflow.lite`'s converter for JAX models) when it
  can; Rasa never uses it, and it costs each Rasa process about 105 MiB resident. Making
  `import jax` fail before TensorFlow is imported keeps it out; TensorFlow treats a missing jax as
  optional.
- The library pages the process has mapped but does not use are given back (bot/core/memory.py):
  once after the imports (TensorFlow's library mapped while loading; this keeps the peak down) and
  once after the model is loaded. On a fresh host that is ~300 MiB of TensorFlow's pages per server.
  RELEASE_LIBRARY_PAGES=off keeps them (for a comparison; docs/deployment.md).
"""
from __future__ import annotations

import functools
import logging
import os
import sys

from bot.core.config import on_off
from bot.core.memory import release_unused_library_pages

log = logging.getLogger("bot.channels.rasa_server")  # also when run as __main__


def release(when: str) -> None:
    """Never stops the server: the pages are a saving, not a need."""
    try:
        log.info("library pages released %s: %d MiB", when, release_unused_library_pages() // 1024)
    except Exception:  # noqa: BLE001
        log.exception("library pages not released %s", when)


def release_after_load(load_agent_on_start):
    """Rasa's `load_agent_on_start` listener, then the unused library pages released."""

    @functools.wraps(load_agent_on_start)
    async def load_then_release(*args, **kwargs):
        agent = await load_agent_on_start(*args, **kwargs)
        release("after the model load")
        return agent

    return load_then_release


def main() -> None:
    sys.modules["jax"] = None  # type: ignore[assignment]  # `import jax` now raises ImportError
    import rasa.core.run
    from rasa.__main__ import main as rasa_main

    if on_off(os.environ, "RELEASE_LIBRARY_PAGES", True):
        release("after the imports")  # not printed: Rasa configures logging later
        # serve_application looks the listener up by name when it starts the server.
        rasa.core.run.load_agent_on_start = release_after_load(rasa.core.run.load_agent_on_start)
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
