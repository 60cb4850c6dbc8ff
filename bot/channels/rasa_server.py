"""`rasa` with jax kept out: `python -m bot.channels.rasa_server run --model ... [rasa run's options]`.

TensorFlow imports jax (via `tensorflow.lite`'s converter for JAX models) when it can; Rasa never
uses it, and it costs each Rasa process about 105 MiB resident (docs/performance.md, "Memory").
Making `import jax` fail before TensorFlow is imported keeps it out; TensorFlow treats a missing
jax as optional. Everything after that is Rasa's own command line, unchanged.
"""
from __future__ import annotations

import sys


def main() -> None:
    sys.modules["jax"] = None  # type: ignore[assignment]  # `import jax` now raises ImportError
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
