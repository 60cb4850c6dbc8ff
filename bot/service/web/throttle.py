"""Slowing down password guessing (docs/deployment.md, "Behind a reverse proxy").

Failed logins are counted three ways over the last half hour, and the longest wait wins:
- per account and client address: 5 free tries, then each further try waits twice as long as the
  one before (30 s, 60 s, ... up to 15 minutes): one person mistyping, one guesser;
- per account across all addresses: 20 free tries, then the same: guessing one password from many
  addresses (a botnet) is slowed down too;
- per client address across all accounts: 20 free tries, then the same: one address trying every
  coordinator's password.

The client address is the peer's, unless the peer is a trusted reverse proxy (TRUSTED_PROXIES):
then it is the nearest address in X-Forwarded-For that is not a trusted proxy. Behind the proxy,
keying on the peer made every request the proxy's, so one guesser locked every coordinator out; an
X-Forwarded-For from anyone else is ignored, so a guesser cannot pick a fresh address per try."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address

from bot.db.web_sessions import LoginFailures


@dataclass(frozen=True)
class LoginThrottle:
    free_attempts: int = 5
    account_free_attempts: int = 20
    address_free_attempts: int = 20
    window: timedelta = timedelta(minutes=30)
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)

    def _wait(self, failures: list[datetime], free: int, now: datetime) -> timedelta:
        excess = len(failures) - free
        if excess < 0:
            return timedelta(0)
        delay = min(self.first_delay * (2 ** min(excess, 20)), self.max_delay)
        return max(timedelta(0), failures[-1] + delay - now)

    def wait(self, failures: LoginFailures, now: datetime) -> timedelta:
        """How long before the next try is accepted."""
        return max(
            self._wait(failures.account_at_address, self.free_attempts, now),
            self._wait(failures.account, self.account_free_attempts, now),
            self._wait(failures.address, self.address_free_attempts, now),
        )


def client_address(peer: str | None, forwarded_for: Iterable[str],
                   trusted: tuple[IPv4Network | IPv6Network, ...]) -> str:
    """Who is really asking: the peer, or behind trusted proxies the nearest untrusted hop of
    X-Forwarded-For (read from the right: the left part is whatever the client wrote)."""
    if not peer:
        return "unknown"

    def is_trusted(address: str) -> bool | None:
        """None for something that is not an IP address."""
        try:
            parsed = ip_address(address)
        except ValueError:
            return None
        if parsed.version == 6 and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped
        return any(parsed in network for network in trusted)

    if not is_trusted(peer):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        trusted_hop = is_trusted(hop)
        if trusted_hop is None:  # garbage where an address should be: stop at the last proxy we trust
            break
        client = hop
        if not trusted_hop:
            break
    return client
