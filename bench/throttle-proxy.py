#!/usr/bin/env python3
"""A TCP proxy that makes a loopback upstream look far away: a realistic link for bench/run.sh.

    throttle-proxy.py LISTEN_PORT UPSTREAM_HOST:PORT [--rate-mb-s 40] [--rtt-ms 20]

Listens on 127.0.0.1:LISTEN_PORT and forwards each connection to the upstream. Each connection is
limited to RATE MB/s (10^6 bytes) in each direction by a token bucket (burst 64 KiB), and every
byte is delivered half the round trip after the bucket lets it go, in both directions, so each
request/response exchange costs one round trip more; opening the upstream connection costs one
round trip too (TCP's handshake). Stdlib only (asyncio protocols, no task per chunk).

Back-pressure: a direction stops reading its source while more than HIGH_BACKLOG bytes beyond those
in flight on the link (rate x one-way delay) wait, or while its destination's socket buffer is
full, so memory per connection stays bounded and a slow reader slows the sender as TCP would.
"""
import argparse
import asyncio
import collections
import sys

BURST = 64 * 1024
# Bytes waiting beyond those in flight on the delayed link (rate x one-way delay): enough to keep
# the bucket busy while the source is read again (reads come in chunks of up to 256 KiB).
HIGH_BACKLOG = 1024 * 1024
LOW_BACKLOG = 512 * 1024


class Direction:
    """Bytes read from one side, paced by a token bucket and delayed, then written to the other side."""

    def __init__(self, loop, rate, delay):
        self.loop, self.rate, self.delay = loop, rate, delay
        self.tokens, self.refilled = float(BURST), loop.time()
        self.pending = collections.deque()   # (delivery time, bytes, or None for end of stream)
        self.pending_bytes = 0
        self.timer = None
        self.source = self.sink = None       # Side
        self.sink_paused = False
        self.done = False
        in_flight = rate * delay
        self.high_water, self.low_water = in_flight + HIGH_BACKLOG, in_flight + LOW_BACKLOG

    def feed(self, data):
        now = self.loop.time()
        self.tokens = min(BURST, self.tokens + (now - self.refilled) * self.rate) - len(data)
        self.refilled = now
        released = now + max(0.0, -self.tokens) / self.rate
        self._enqueue(released + self.delay, data)
        self.pending_bytes += len(data)
        if self.pending_bytes > self.high_water:
            self.source.pause()

    def end(self):
        """The source sent its last byte: deliver the end of stream after what is still pending."""
        if self.done or (self.pending and self.pending[-1][1] is None):
            return
        last = self.pending[-1][0] if self.pending else self.loop.time() + self.delay
        self._enqueue(last, None)

    def _enqueue(self, when, item):
        self.pending.append((when, item))
        if self.timer is None:
            self.timer = self.loop.call_at(when, self._deliver)

    def _deliver(self):
        self.timer = None
        now = self.loop.time()
        while self.pending and self.pending[0][0] <= now:
            _, data = self.pending.popleft()
            if data is None:
                self.done = True
                self.sink.end_of_input()
                return
            self.pending_bytes -= len(data)
            self.sink.write(data)
        if self.pending:
            self.timer = self.loop.call_at(self.pending[0][0], self._deliver)
        self._maybe_resume()

    def sink_paused_writing(self, paused):
        self.sink_paused = paused
        if paused:
            self.source.pause()
        else:
            self._maybe_resume()

    def _maybe_resume(self):
        if not self.sink_paused and self.pending_bytes < self.low_water:
            self.source.resume()

    def abort(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.pending.clear()
        self.done = True


class Side(asyncio.Protocol):
    """One socket of a proxied connection: reads feed `outgoing`, writes come from `incoming`."""

    def __init__(self, connection):
        self.connection = connection
        self.transport = None
        self.outgoing = self.incoming = None   # Direction
        self.paused = False
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport
        self.pause()           # until both sides are joined
        self.connection.side_made(self)

    def data_received(self, data):
        self.outgoing.feed(data)

    def eof_received(self):
        if self.outgoing is not None:
            self.outgoing.end()
        return True            # keep the socket open for the other direction (half-close)

    def connection_lost(self, exc):
        self.closed = True
        if self.outgoing is not None:
            if exc is None:
                self.outgoing.end()
            else:
                self.outgoing.abort()
                self.connection.close()
        if self.incoming is not None:
            self.incoming.abort()
        self.connection.finish_if_done()

    def pause_writing(self):
        if self.incoming is not None:
            self.incoming.sink_paused_writing(True)

    def resume_writing(self):
        if self.incoming is not None:
            self.incoming.sink_paused_writing(False)

    def pause(self):
        if not self.paused and not self.closed:
            self.paused = True
            self.transport.pause_reading()

    def resume(self):
        if self.paused and not self.closed:
            self.paused = False
            self.transport.resume_reading()

    def write(self, data):
        if not self.closed:
            self.transport.write(data)

    def end_of_input(self):
        if not self.closed:
            if self.transport.can_write_eof():
                self.transport.write_eof()
            else:
                self.transport.close()
        self.connection.finish_if_done()


class Connection:
    """A client socket and its upstream socket, joined by one Direction each way."""

    def __init__(self, loop, args):
        self.loop, self.args = loop, args
        self.client = Side(self)
        self.upstream = None
        self.opening = None

    def side_made(self, side):
        if side is self.client:
            self.opening = self.loop.create_task(self.open_upstream())

    async def open_upstream(self):
        one_way = self.args.rtt_ms / 2000
        started = self.loop.time()
        try:
            _, self.upstream = await self.loop.create_connection(
                lambda: Side(self), self.args.upstream_host, self.args.upstream_port)
        except OSError as e:
            print(f"throttle-proxy: cannot connect to the upstream: {e}", file=sys.stderr)
            self.client.transport.close()
            return
        await asyncio.sleep(max(0.0, started + 2 * one_way - self.loop.time()))   # the handshake's round trip
        rate = self.args.rate_mb_s * 1e6
        up, down = Direction(self.loop, rate, one_way), Direction(self.loop, rate, one_way)
        up.source, up.sink = self.client, self.upstream
        down.source, down.sink = self.upstream, self.client
        self.client.outgoing, self.client.incoming = up, down
        self.upstream.outgoing, self.upstream.incoming = down, up
        if self.client.closed:
            self.upstream.transport.close()
            return
        self.client.resume()
        self.upstream.resume()

    def finish_if_done(self):
        sides = [self.client, self.upstream]
        if all(s is not None and (s.closed or (s.outgoing is not None and s.outgoing.done)) for s in sides):
            self.close()

    def close(self):
        for side in (self.client, self.upstream):
            if side is not None and side.transport is not None and not side.closed:
                side.transport.close()


async def serve(args):
    loop = asyncio.get_running_loop()

    server = await loop.create_server(lambda: Connection(loop, args).client, "127.0.0.1", args.port)
    print(f"throttle-proxy: 127.0.0.1:{args.port} -> {args.upstream_host}:{args.upstream_port}, "
          f"{args.rate_mb_s:g} MB/s per connection and direction, {args.rtt_ms:g} ms round trip",
          file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("upstream")
    parser.add_argument("--rate-mb-s", type=float, default=40.0)
    parser.add_argument("--rtt-ms", type=float, default=20.0)
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"upstream must be HOST:PORT, got {args.upstream!r}")
    if args.rate_mb_s <= 0 or args.rtt_ms < 0:
        parser.error("--rate-mb-s must be positive and --rtt-ms not negative")
    args.upstream_host, args.upstream_port = host, int(port)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
