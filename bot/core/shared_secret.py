"""Checking a shared secret sent as `Authorization: Bearer <secret>` between our own processes or a
trusted frontend (docs/deployment.md, "Network boundary"). Framework-free so that the Rasa channels
and the action server, two adapters that may not import each other, use the same rule."""
from __future__ import annotations

import hmac
import ipaddress


def bearer_matches(authorization: str | None, secret: str) -> bool:
    """True only when a secret is configured and the header carries exactly it. Compared as bytes
    in constant time: compare_digest refuses str with non-ASCII characters (a 500), and a plain `==`
    lets the response time tell how much of a guess was right."""
    if not secret or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), secret.encode("utf-8"))


def is_loopback(ip: str | None) -> bool:
    """The TCP peer is this machine (127.0.0.0/8, ::1, or ::ffff:127.x as a dual-stack socket shows
    it). Only the socket's peer address counts, never X-Forwarded-For, which any client can write."""
    try:
        address = ipaddress.ip_address((ip or "").strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback
