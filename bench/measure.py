"""What every bench script prints: percentiles and a process's resident memory (docs/performance.md)."""
from __future__ import annotations

from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile of `values` (p in 0..100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def steady_rate(stamps: list[float]) -> float:
    """Events per second between the 10th and the 90th percentile of their times: a run without its
    start and its end (NaN for fewer than 10)."""
    ordered = sorted(stamps)
    if len(ordered) < 10:
        return float("nan")
    first, last = len(ordered) // 10, len(ordered) * 9 // 10
    return (last - first) / max(ordered[last] - ordered[first], 1e-9)


def rss_mib(pid: int) -> float:
    """Resident memory (VmRSS) of a running process in MiB; NaN when it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return float("nan")
    for line in lines:
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_split(pid: int) -> str:
    """VmRSS as its anonymous part (the process's own heap) and its file part (mapped library pages,
    shared between processes and dropped by the kernel under pressure, so they vary from run to run
    with the page cache: docs/performance.md, "Memory")."""
    try:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                      if line.startswith(("RssAnon", "RssFile")))
    except OSError:
        return "gone"
    anon, file = (int(fields[key].split()[0]) / 1024 for key in ("RssAnon", "RssFile"))
    return f"anon {anon:.0f} + file {file:.0f} MiB"
