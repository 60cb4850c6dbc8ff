"""Time is injected (docs/testing.md, "Time in tests"): only bot/core/clock.py reads the wall clock.
No test, use case, adapter or action asks for "now" any other way, so the suite behaves the same at
any real hour."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    Path("bot/core/clock.py"),
    Path("bot/devserver.py"),  # a shutdown grace period, not a decision
    Path("tests/stack.py"),  # the anchor that maps the stack's stated clock onto the real one
}
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
              ("time", "time"), ("time", "time_ns")}


def _wall_clock_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if (name, node.func.attr) in WALL_CLOCK:
                yield node.lineno


def test_only_the_clock_reads_the_wall_clock():
    found = []
    for folder in ("bot", "actions", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if relative in ALLOWED or "migrations" in relative.parts:
                continue
            found += [f"{relative}:{line}" for line in _wall_clock_calls(path)]
    assert found == [], "ask an injected Clock (bot.core.clock) instead"
