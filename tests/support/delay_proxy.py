"""A TCP proxy on loopback that delivers what the server sends `delay_s` late: a far or slow endpoint in front of a
real one. Each chunk is held for `delay_s` after it arrives (not behind the previous chunk's wait), so a stream's
first byte is late by `delay_s` and its rate is unchanged. Requests go through at once. It runs its own event
loop in a thread, so sync and async tests alike can use it:

    with DelayingProxy(("127.0.0.1", server_port), delay_s=2.0) as proxy:
        url = f"http://127.0.0.1:{proxy.port}/v1"
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType

from tests.support.servers import free_port

_CHUNK = 65536


class DelayingProxy:
    def __init__(self, target: tuple[str, int], *, delay_s: float) -> None:
        self.target = target
        self.delay_s = delay_s
        self.port = free_port()
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> DelayingProxy:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._serve, "127.0.0.1", self.port), self._loop)
        self._server = future.result(timeout=10)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._server = None

    def __enter__(self) -> DelayingProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()  # each connection's pumps see the end and return (cancelling them upsets 3.11's streams)
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=5)
        await self._server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            self._handlers.discard(handler)
            return
        self._writers |= {client_writer, server_writer}
        try:
            await asyncio.gather(
                self._copy(client_reader, server_writer), self._delayed_copy(server_reader, client_writer)
            )
        finally:
            self._handlers.discard(handler)
            self._writers -= {client_writer, server_writer}
            for writer in (client_writer, server_writer):
                writer.close()

    @staticmethod
    async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(_CHUNK):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                writer.write_eof()

    async def _delayed_copy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read as fast as the server sends; write each chunk `delay_s` after it arrived; end (EOF or reset) late
        too, after what came before it."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def receive() -> None:
            try:
                while data := await reader.read(_CHUNK):
                    queue.put_nowait((loop.time() + self.delay_s, data))
            except OSError:
                pass
            queue.put_nowait((loop.time() + self.delay_s, b""))

        receiving = asyncio.create_task(receive())
        try:
            while True:
                due, data = await queue.get()
                if (wait := due - loop.time()) > 0:
                    await asyncio.sleep(wait)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            receiving.cancel()
            writer.close()
