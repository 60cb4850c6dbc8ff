"""A real, brief database outage at an unchanged URL, for SQLite and PostgreSQL.

No mock of the database: the driver, the pool and the pre-ping meet what they meet in production.
- SQLite: the file is moved aside and a directory takes its place ("unable to open database file",
  as when a volume is gone); `up()` puts the file back.
- PostgreSQL: the code under test connects through a TCP relay on a localhost port in front of the
  test server; `down()` closes the port and cuts live connections ("connection refused"), `up()`
  listens again on the same port. The relay runs on the test's event loop, so code under test must
  use `Database.run` (a worker thread), never `Database.call` on the loop.
"""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.ports import free_port


def unreachable_postgres_url() -> str:
    """Nothing listens on this localhost port: every connection is refused at once."""
    return f"postgresql://root@127.0.0.1:{free_port()}/coordination"


class SqliteOutage:
    def __init__(self, url: str):
        self.url = url
        self._path = Path(url.split("///", 1)[1])
        self._aside = self._path.parent / "aside"

    async def down(self) -> None:
        self._aside.mkdir()
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self._path}{suffix}")
            if part.exists():
                shutil.move(part, self._aside / part.name)
        self._path.mkdir()

    async def up(self) -> None:
        if not self._aside.exists():
            return  # not down
        self._path.rmdir()
        for part in self._aside.iterdir():
            shutil.move(part, self._path.parent / part.name)
        self._aside.rmdir()

    async def close(self) -> None:
        await self.up()


class PostgresOutage:
    def __init__(self, real_url: str):
        parts = urlsplit(real_url)
        self._target = (parts.hostname, parts.port or 5432)
        self.port = free_port()
        self.url = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{self.port}"))
        self._server: asyncio.base_events.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        if self._server is not None and self._server.is_serving():
            return
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def down(self) -> None:
        self._server.close()
        await self._server.wait_closed()
        for writer in list(self._open):
            writer.close()

    async def close(self) -> None:
        if self._server is not None:
            await self.down()

    async def _relay(self, client_reader, client_writer) -> None:
        server_reader, server_writer = await asyncio.open_connection(*self._target)
        self._open |= {client_writer, server_writer}

        async def pipe(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()
                self._open.discard(writer)

        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
