"""Giving back library pages a process has mapped but does not use (docs/performance.md, "Memory").

Linux maps a shared library into a process page by page as it is touched, but every such fault
also maps the neighbouring pages that are already in the page cache ("fault-around", 64 KiB), and
loading a library reads ahead. So how much of TensorFlow's 600 MB library a Rasa process shows as
resident depends on what the page cache holds: on a fresh host, where pip has just written the
library, a Rasa server had ~410-450 MiB of TensorFlow's pages in its VmRSS, of which parsing and
predicting touch ~120 MiB.

`release_unused_library_pages()` unmaps, once, every page of this process's mappings that can hold
nothing but the file's own bytes: file-backed, not writable, and without one copy-on-write page
(smaps "Anonymous: 0"; a relocated read-only segment has such pages and is left alone). For those,
madvise(MADV_DONTNEED) is what the kernel's own reclaim does: the page stays in the page cache, and
the next access maps it again (a minor fault) with its neighbours. What the process uses comes back
within its first turns; the rest is no longer counted as its memory and is the kernel's to keep or
drop. Linux only; elsewhere (no /proc/self/smaps) it does nothing.
"""
from __future__ import annotations

import ctypes
import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MADV_DONTNEED = 4  # <sys/mman.h> on Linux
# "start-end perms offset dev inode path" (proc(5), /proc/pid/maps)
_VMA = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) [0-9a-f]+ \S+ (\d+)\s*(.*)$")


@dataclass
class Mapping:
    start: int
    end: int
    perms: str
    inode: int
    path: str
    rss_kib: int = 0
    anonymous_kib: int = -1  # unknown until smaps says: such a mapping is never released

    @property
    def only_file_bytes(self) -> bool:
        """Every page in it is the file's own: file-backed, never writable, no copy-on-write page."""
        return self.inode != 0 and self.path.startswith("/") and "w" not in self.perms and self.anonymous_kib == 0


def mappings(smaps: str) -> list[Mapping]:
    """The mappings of a /proc/<pid>/smaps text with their resident and anonymous sizes."""
    found: list[Mapping] = []
    for line in smaps.splitlines():
        header = _VMA.match(line)
        if header:
            start, end, perms, inode, path = header.groups()
            found.append(Mapping(int(start, 16), int(end, 16), perms, int(inode), path.strip()))
        elif found and line.startswith(("Rss:", "Anonymous:")):
            key, value = line.split(":", 1)
            kib = int(value.split()[0])
            if key == "Rss":
                found[-1].rss_kib = kib
            else:
                found[-1].anonymous_kib = kib
    return found


def release_unused_library_pages(smaps_path: str = "/proc/self/smaps") -> int:
    """Unmaps this process's clean library pages (above); returns the KiB that were resident in
    them. The pages it needs are mapped again on their next access."""
    try:
        text = Path(smaps_path).read_text()
    except OSError:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    released = 0
    for mapping in mappings(text):
        if not mapping.only_file_bytes or not mapping.rss_kib:
            continue
        if libc.madvise(mapping.start, mapping.end - mapping.start, MADV_DONTNEED) == 0:
            released += mapping.rss_kib
        else:  # a locked mapping, say: it stays as it is
            log.debug("madvise refused %s (%s): errno %s", mapping.path, mapping.perms, ctypes.get_errno())
    return released
