"""bot/core/memory.py: which mappings are given back, and that what is given back reads the same.
Real mappings of real files in this process (Linux's /proc/self/smaps), plus smaps texts for the
kinds of mapping a test cannot make (swapped pages, hugetlb, a mapping changing between readings)."""
from __future__ import annotations

import ctypes
import mmap
import os
import sys
from pathlib import Path

import pytest

from bot.core.memory import mappings, releasable, release_unused_library_pages

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/smaps is Linux's")
PAGE = mmap.PAGESIZE
SIZE = 256 * PAGE


def mapping_of(path: Path, perms: str):
    found = [m for m in mappings(Path("/proc/self/smaps").read_text()) if m.path == str(path) and m.perms == perms]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def library(tmp_path):
    """A file named like a shared library, with its 'data segment' mapped writable (as the loader
    leaves a loaded library), so its read-only mappings count as a loaded library's."""
    path = tmp_path / "libexample.so.1"
    path.write_bytes(os.urandom(SIZE))
    with path.open("r+b") as f, mmap.mmap(f.fileno(), PAGE, flags=mmap.MAP_PRIVATE) as data:
        data[0:1] = b"\x00"
        yield path


def touch(view) -> int:
    return sum(view[i] for i in range(0, SIZE, PAGE))


def smaps(*entries: tuple[str, str, int, int, str]) -> str:
    """An smaps text: (range, perms, anonymous KiB, swap KiB, VmFlags) of libx.so's mappings, 8 KiB resident."""
    return "".join(
        f"{rng} {perms} 00000000 08:01 1234 /usr/lib/libx.so.6\n"
        f"Rss:                   8 kB\nAnonymous:           {anon} kB\nSwap:             {swap} kB\n"
        f"VmFlags: {flags}\n"
        for rng, perms, anon, swap, flags in entries)


TEXT = ("7f00-7f10", "r-xp", 0, 0, "rd ex mr mw me")
DATA = ("7f20-7f30", "rw-p", 8, 0, "rd wr mr mw me ac")


def test_smaps_text_is_read_per_mapping():
    text = smaps(TEXT, ("7f10-7f20", "r--p", 4, 0, "rd mr mw me ac"), DATA) + (
        "7f30-7f40 r--p 00000000 00:00 0 [vvar]\nRss:                   4 kB\nAnonymous:             0 kB\n"
        "Swap:                  0 kB\nVmFlags: rd mr pf io de dd\n")
    found = mappings(text)
    assert [(m.start, m.end, m.perms, m.rss_kib, m.anonymous_kib, m.swap_kib) for m in found] == [
        (0x7F00, 0x7F10, "r-xp", 8, 0, 0), (0x7F10, 0x7F20, "r--p", 8, 4, 0), (0x7F20, 0x7F30, "rw-p", 8, 8, 0),
        (0x7F30, 0x7F40, "r--p", 4, 0, 0)]
    # Only the text segment is nothing but the file's bytes; a relocated read-only segment, the data
    # segment and the kernel's [vvar] are not.
    assert [m.only_file_bytes for m in found] == [True, False, False, False]
    assert [m.start for m in releasable(found, found)] == [0x7F00]


@pytest.mark.parametrize("text", [
    ("7f00-7f10", "r-xp", 0, 4, "rd ex mr mw me"),  # a copy-on-write page swapped out: not the file's
    ("7f00-7f10", "r-xp", 0, 0, "rd ex mr mw me lo"),  # locked
    ("7f00-7f10", "r--p", 0, 0, "rd mr mw me ht"),  # hugetlb
    ("7f00-7f10", "r--p", 0, 0, "rd mr pf io"),  # a device's pages
], ids=["swapped", "locked", "hugetlb", "device"])
def test_special_mappings_are_never_released(text):
    found = mappings(smaps(text, DATA))
    assert releasable(found, found) == []


def test_a_library_still_being_loaded_or_a_mapping_that_changed_is_left_alone():
    loading = mappings(smaps(TEXT))  # the loader has mapped the file, not yet its data segment
    assert releasable(loading, loading) == []
    # Another file's data segment with the same inode number (on another device) is not this one's.
    elsewhere = mappings(smaps(TEXT) + smaps(DATA).replace("/usr/lib/libx.so.6", "/opt/lib/liby.so.1"))
    assert releasable(elsewhere, elsewhere) == []
    before = mappings(smaps(TEXT, DATA))
    after = mappings(smaps(("7f00-7f08", "r-xp", 0, 0, "rd ex mr mw me"), DATA))
    assert releasable(before, after) == []
    assert [m.start for m in releasable(before, before)] == [0x7F00]


def test_only_shared_libraries_are_released():
    text = smaps(TEXT, DATA).replace("/usr/lib/libx.so.6", "/etc/ld.so.cache")
    found = mappings(text)
    assert releasable(found, found) == []


def test_a_clean_read_only_mapping_is_given_back_and_reads_the_same(library):
    with library.open("rb") as f, mmap.mmap(f.fileno(), SIZE, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ) as view:
        before = touch(view)
        assert mapping_of(library, "r--p").rss_kib >= SIZE // 1024
        assert release_unused_library_pages() >= SIZE // 1024
        assert mapping_of(library, "r--p").rss_kib == 0
        assert mapping_of(library, "rw-p").rss_kib > 0  # its data segment is left as it was
        # Mapped again from the page cache on access: the same bytes.
        assert touch(view) == before
        assert view[:] == library.read_bytes()


def test_a_read_only_mapping_with_written_pages_keeps_them(library):
    """A segment written and then made read-only (how the loader leaves a relocated segment) holds
    copy-on-write pages: giving those back would lose the writes, so the mapping is left alone."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    with library.open("rb") as f, mmap.mmap(f.fileno(), SIZE, flags=mmap.MAP_PRIVATE,
                                            prot=mmap.PROT_READ | mmap.PROT_WRITE) as view:
        view[0:PAGE] = b"\x01" * PAGE
        anchor = ctypes.c_char.from_buffer(view)
        assert libc.mprotect(ctypes.addressof(anchor), SIZE, mmap.PROT_READ) == 0, ctypes.get_errno()
        del anchor
        touch(view)
        resident = mapping_of(library, "r--p").rss_kib
        release_unused_library_pages()
        assert mapping_of(library, "r--p").rss_kib == resident
        assert view[0:PAGE] == b"\x01" * PAGE
        assert view[PAGE:] == library.read_bytes()[PAGE:]


def test_no_smaps_means_nothing_done(tmp_path):
    assert release_unused_library_pages(str(tmp_path / "missing")) == 0
