"""The one rule for shared secrets and loopback peers (bot/core/shared_secret.py), used by the REST
channel and the action server; the attacks over HTTP are in tests/security."""
import pytest

from bot.core.shared_secret import bearer_matches, is_loopback

SECRET = "s3cret-0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("header, ok", [
    (f"Bearer {SECRET}", True),
    (f"bearer {SECRET}", True),  # the scheme is case-insensitive (RFC 7235)
    (f"Bearer {SECRET} ", True),
    (f"Bearer {SECRET[:-1]}", False),
    (f"Bearer {SECRET}x", False),
    (SECRET, False),  # no scheme
    (f"Basic {SECRET}", False),
    ("Bearer ", False),
    ("Bearer tøken", False),  # non-ASCII: wrong, not an error
    ("", False),
    (None, False),
])
def test_bearer_matches_only_the_exact_secret(header, ok):
    assert bearer_matches(header, SECRET) is ok


def test_no_configured_secret_matches_nothing_not_even_an_empty_bearer():
    assert not bearer_matches("Bearer ", "") and not bearer_matches("Bearer x", "")


@pytest.mark.parametrize("ip, ok", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("[::1]", True), ("192.0.2.2", False), ("10.0.0.1", False), ("::ffff:10.0.0.1", False),
    ("0.0.0.0", False), ("", False), (None, False), ("localhost", False), ("127.0.0.1, 10.0.0.1", False),
])
def test_is_loopback_reads_the_peer_address_only(ip, ok):
    assert is_loopback(ip) is ok
