"""Giving back library pages a process has mapped but does not use (docs/performance.md, "Memory").

Linux maps a shared library into a process page by page as it is touched, but every such fault
also maps the neighbouring pages that are already in the page cache ("fault-around", 64 KiB), and
loading a library reads ahead. So how much of TensorFlow's 600 MB library a Rasa process shows as
resident depends on what the page cache holds: on a fresh host, where pip has just written the
library, a Rasa server had ~410-450 MiB of TensorFlow's pages in its VmRSS, of which parsing and
predicting touch ~120 MiB.

`release_unused_library_pages()` unmaps, once, the pages of this process's mappings that can hold
nothing but a loaded library's own bytes. For those, madvise(MADV_DONTNEED) is what the kernel's
reclaim does: the page stays in the page cache, and the next access maps it again (a minor fault)
with its neighbours. What the process uses comes back within its first turns; the rest is no longer
counted as its memory. A mapping qualifies only if all of these hold, in two readings of
/proc/self/smaps, so a mapping another thread is just creating or changing is left alone:
- a shared library's file (`*.so`, `*.so.N`), already loaded: the library's writable data segment is
  mapped too (the loader maps the file as a whole first, then its data segment over it, and only
  then writes relocations, which never land in the mappings released);
- not writable, and no copy-on-write page in it, resident or swapped (smaps "Anonymous: 0" and
  "Swap: 0"; a relocated read-only segment has such pages);
- no special kind of mapping (hugetlb, I/O, PFN or mixed maps, locked).
Linux only; elsewhere (no /proc/self/smaps) it does nothing.
"""
from __future__ import annotations

import ctypes
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MADV_DONTNEED = 4  # <sys/mman.h> on Linux
# "start-end perms offset dev inode path" (proc(5), /proc/pid/maps)
_VMA = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) [0-9a-f]+ \S+ (\d+)\s*(.*)$")
_LIBRARY = re.compile(r"/[^/]+\.so(\.[0-9.]+)?$")
# smaps VmFlags of mappings never touched: hugetlb, I/O, PFN map, mixed map, locked, not dumped.
_SPECIAL = frozenset({"ht", "io", "pf", "mm", "lo", "dd"})


@dataclass
class Mapping:
    start: int
    end: int
    perms: str
    inode: int
    path: str
    rss_kib: int = 0
    # Unknown until smaps says (-1): such a mapping is never released.
    anonymous_kib: int = -1
    swap_kib: int = -1
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> tuple[int, int, str, int, str]:
        return self.start, self.end, self.perms, self.inode, self.path

    @property
    def only_file_bytes(self) -> bool:
        """A library file's mapping in which every page is the file's own (see the module)."""
        return (self.inode != 0 and bool(_LIBRARY.search(self.path)) and "w" not in self.perms
                and self.anonymous_kib == 0 and self.swap_kib == 0 and not self.flags & _SPECIAL)


def mappings(smaps: str) -> list[Mapping]:
    """The mappings of a /proc/<pid>/smaps text with their resident, anonymous and swapped sizes."""
    found: list[Mapping] = []
    sizes = {"Rss": "rss_kib", "Anonymous": "anonymous_kib", "Swap": "swap_kib"}
    for line in smaps.splitlines():
        header = _VMA.match(line)
        if header:
            start, end, perms, inode, path = header.groups()
            found.append(Mapping(int(start, 16), int(end, 16), perms, int(inode), path.strip()))
            continue
        key, _, value = line.partition(":")
        if not found:
            continue
        if key in sizes:
            setattr(found[-1], sizes[key], int(value.split()[0]))
        elif key == "VmFlags":
            found[-1].flags = frozenset(value.split())
    return found


def releasable(first: list[Mapping], second: list[Mapping]) -> list[Mapping]:
    """The mappings of `second` that may be released: qualifying in both readings, unchanged
    between them, of a library whose writable segment is mapped."""
    before = {m.key for m in first if m.only_file_bytes}
    loaded = {m.path for m in second if "w" in m.perms and m.inode}
    return [m for m in second if m.only_file_bytes and m.key in before and m.path in loaded]


def _read(path: str) -> str:
    # A mapped file's name need not be UTF-8.
    return Path(path).read_bytes().decode("utf-8", "surrogateescape")


def release_unused_library_pages(smaps_path: str = "/proc/self/smaps") -> int:
    """Unmaps this process's clean library pages (above); returns the KiB that were resident in
    them (shared with other processes or not). The pages it needs are mapped again on their next
    access."""
    try:
        first = mappings(_read(smaps_path))
        second = mappings(_read(smaps_path))
    except OSError:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    released = 0
    for mapping in releasable(first, second):
        if not mapping.rss_kib:
            continue
        if libc.madvise(mapping.start, mapping.end - mapping.start, MADV_DONTNEED) == 0:
            released += mapping.rss_kib
        else:
            log.debug("madvise refused %s (%s): errno %s", mapping.path, mapping.perms, ctypes.get_errno())
    return released
