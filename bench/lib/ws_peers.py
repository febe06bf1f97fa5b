#!/usr/bin/env python3
"""WebSocket peers for bench/proxy-memory.sh, standard library only.

  ws_peers.py server PORT            a WebSocket server on 127.0.0.1:PORT: answers every upgrade with 101,
                                     then echoes whatever bytes arrive, until the peer closes
  ws_peers.py hold HOST PORT N SECS  opens N WebSocket connections through the HTTP proxy at HOST:PORT
                                     (Host: ws), checks each got 101 and that a frame comes back, holds
                                     them all open for SECS seconds, prints "open N", then closes them
"""
import asyncio
import base64
import hashlib
import os
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def serve(port):
    async def handle(reader, writer):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            key = b""
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"sec-websocket-key:"):
                    key = line.split(b":", 1)[1].strip()
            accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
            writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            await writer.drain()
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                writer.write(data)  # bytes back as they came: a frame the client sent returns to it
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


async def hold(host, port, count, seconds):
    frame = bytes([0x81, 0x80 | 4]) + b"\0\0\0\0" + b"ping"  # a masked text frame "ping" (zero mask)

    async def one():
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16))
        writer.write(b"GET /socket HTTP/1.1\r\nHost: ws\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError("no 101: " + head.split(b"\r\n")[0].decode())
        writer.write(frame)
        echoed = await reader.readexactly(len(frame))
        if echoed != frame:
            raise RuntimeError("echo differs")
        return writer

    writers = []
    for start in range(0, count, 100):  # 100 at a time: the proxy's accept queue is not the subject
        writers += await asyncio.gather(*(one() for _ in range(min(100, count - start))))
    print("open", len(writers), flush=True)
    await asyncio.sleep(seconds)
    for writer in writers:
        writer.close()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(serve(int(sys.argv[2])))
    else:
        asyncio.run(hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])))
