"""A loopback TCP proxy that holds every chunk DELAY seconds each way: a database one network hop away.

    with DelayProxy("127.0.0.1", 5432, delay=0.002) as proxy:
        url = f"postgresql://…@127.0.0.1:{proxy.port}/db"

It runs in a process of its own (`python -m bench.delay_proxy HOST PORT DELAY` prints its port and serves until
its stdin closes): neither in the server measured nor in the benchmark's process, whose load generator times
the acks (in a thread there it shared the GIL with the client, and every database packet of the server's
showed up as the client's latency). Bytes keep their order: each direction is a queue of (due time, chunk)
drained by one writer, so a 2 ms delay adds 2 ms to every round trip's each leg without limiting throughput
to one chunk per 2 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent


class DelayProxy:
    """The proxy's process, as a context manager: `port` is where it listens."""

    def __init__(self, host: str, port: int, delay: float) -> None:
        self.args = [host, str(port), repr(delay)]
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> DelayProxy:
        self._proc = subprocess.Popen([sys.executable, "-m", "bench.delay_proxy", *self.args], text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        if not line.isdigit():
            self._proc.kill()
            raise RuntimeError(f"the delay proxy did not start ({line!r})")
        self.port = int(line)
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()


class _Proxy:
    def __init__(self, host: str, port: int, delay: float) -> None:
        self.target = (host, port)
        self.delay = delay

    async def serve(self) -> None:
        """Listen, print the port, serve until stdin closes."""
        server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        os._exit(0)  # the connections still open go with the process (nothing to flush; no cancellation noise)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(self._pipe(client_r, server_w), self._pipe(server_r, client_w),
                             return_exceptions=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                if not chunk:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(chunk)
                await writer.drain()
            with contextlib.suppress(OSError):
                writer.close()

        sender = asyncio.ensure_future(deliver())
        try:
            while chunk := await reader.read(65536):
                queue.put_nowait((time.monotonic() + self.delay, chunk))
        except OSError:
            pass
        finally:
            queue.put_nowait((0.0, b""))
            with contextlib.suppress(Exception):
                await sender


if __name__ == "__main__":
    asyncio.run(_Proxy(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])).serve())
