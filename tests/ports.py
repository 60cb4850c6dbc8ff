"""Ports for the servers the tests start.

A port taken from the kernel with bind(0) lies in the ephemeral range, which the kernel also hands to
outgoing connections (to PostgreSQL, Rasa, the action server ...). Between choosing such a port and
the server binding it, a client socket can take it: CI saw Rasa fail with "address already in use".
Ports below the ephemeral range are never given to client sockets, so a port that is free now stays
free until our server binds it (unless another test run picks it, hence the per-process random
start and the check on the wildcard address the servers bind).
"""
from __future__ import annotations

import os
import random
import socket

_LOWEST = 15000
_given: set[int] = set()
_rng = random.Random(os.getpid())


def _ephemeral_start() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port no server of ours has been given yet in this process and nothing listens on."""
    top = max(_ephemeral_start(), _LOWEST + 1000)
    for _ in range(500):
        port = _rng.randrange(_LOWEST, top)
        if port not in _given and _bindable(port):
            _given.add(port)
            return port
    raise RuntimeError(f"no free port between {_LOWEST} and {top}")
