"""bot/core/memory.py: which mappings are given back, and that what is given back reads the same.
Real mappings of real files in this process (Linux's /proc/self/smaps), no fakes."""
from __future__ import annotations

import ctypes
import mmap
import os
import sys
from pathlib import Path

import pytest

from bot.core.memory import mappings, release_unused_library_pages

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/smaps is Linux's")
PAGE = mmap.PAGESIZE
SIZE = 256 * PAGE


def mapping_of(path: Path):
    found = [m for m in mappings(Path("/proc/self/smaps").read_text()) if m.path == str(path)]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "library.bin"
    path.write_bytes(os.urandom(SIZE))
    return path


def touch(view) -> int:
    return sum(view[i] for i in range(0, SIZE, PAGE))


def test_smaps_text_is_read_per_mapping():
    text = (
        "7f00-7f10 r-xp 00000000 08:01 1234 /usr/lib/libx.so\n"
        "Rss:                  12 kB\n"
        "Anonymous:             0 kB\n"
        "7f10-7f20 r--p 00010000 08:01 1234 /usr/lib/libx.so\n"
        "Rss:                   8 kB\n"
        "Anonymous:             4 kB\n"
        "7f20-7f30 rw-p 00000000 00:00 0 \n"
        "Rss:                  16 kB\n"
        "Anonymous:            16 kB\n"
        "7f30-7f40 r--p 00000000 00:00 0 [vvar]\n"
        "Rss:                   4 kB\n"
        "Anonymous:             0 kB\n"
    )
    found = mappings(text)
    assert [(m.start, m.end, m.perms, m.rss_kib, m.anonymous_kib) for m in found] == [
        (0x7F00, 0x7F10, "r-xp", 12, 0), (0x7F10, 0x7F20, "r--p", 8, 4), (0x7F20, 0x7F30, "rw-p", 16, 16),
        (0x7F30, 0x7F40, "r--p", 4, 0)]
    # Only the text segment is nothing but the file's bytes; a relocated read-only segment, an
    # anonymous mapping and the kernel's [vvar] are not.
    assert [m.only_file_bytes for m in found] == [True, False, False, False]


def test_a_clean_read_only_mapping_is_given_back_and_reads_the_same(data_file):
    with data_file.open("rb") as f, mmap.mmap(f.fileno(), SIZE, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ) as view:
        before = touch(view)
        assert mapping_of(data_file).rss_kib >= SIZE // 1024
        assert release_unused_library_pages() >= SIZE // 1024
        assert mapping_of(data_file).rss_kib == 0
        # Mapped again from the page cache on access: the same bytes.
        assert touch(view) == before
        assert view[:] == data_file.read_bytes()


def test_a_read_only_mapping_with_written_pages_keeps_them(data_file):
    """A segment written and then made read-only (how the loader leaves a relocated segment) holds
    copy-on-write pages: giving those back would lose the writes, so the mapping is left alone."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    with data_file.open("rb") as f, mmap.mmap(f.fileno(), SIZE, flags=mmap.MAP_PRIVATE,
                                              prot=mmap.PROT_READ | mmap.PROT_WRITE) as view:
        view[0:PAGE] = b"\x01" * PAGE
        anchor = ctypes.c_char.from_buffer(view)
        assert libc.mprotect(ctypes.addressof(anchor), SIZE, mmap.PROT_READ) == 0, ctypes.get_errno()
        del anchor
        touch(view)
        assert mapping_of(data_file).perms == "r--p"
        resident = mapping_of(data_file).rss_kib
        release_unused_library_pages()
        assert mapping_of(data_file).rss_kib == resident
        assert view[0:PAGE] == b"\x01" * PAGE
        assert view[PAGE:] == data_file.read_bytes()[PAGE:]


def test_a_writable_mapping_is_left_alone(data_file):
    with data_file.open("r+b") as f, mmap.mmap(f.fileno(), SIZE, flags=mmap.MAP_PRIVATE) as view:
        touch(view)
        resident = mapping_of(data_file).rss_kib
        release_unused_library_pages()
        assert mapping_of(data_file).rss_kib == resident


def test_no_smaps_means_nothing_done(tmp_path):
    assert release_unused_library_pages(str(tmp_path / "missing")) == 0
