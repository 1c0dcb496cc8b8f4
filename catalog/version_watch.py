"""Each process's copy of the shared catalog version, kept current by Redis pub/sub.

A cached page is served only while the catalog version it was built at is the current one, so
every hit needs the version. Asking Redis for it costs a network round trip per request, more
than the rest of a hit. Instead each process subscribes once to a channel on which every bump
is published (see catalog.cache) and, per request, reads whatever has arrived on that
connection without waiting: a poll of a local socket, no round trip.

A bump reaches the other processes as fast as its own reply reaches the writer: Redis queues
the message to every subscriber before it answers the PUBLISH, and a process reads its socket
before every use. Safety nets:
- the process subscribes before it reads the version, so no bump falls between the two;
- a version only moves forward here (bumps are increments), so a late message cannot undo a
  newer read;
- a broken connection (Redis restarted, the client killed) is seen as soon as the socket says
  so, and until a new subscription is in place callers fall back to a GET per request;
- a connection that died silently (no reset ever arrives) is caught by a plain GET at most
  once every VERIFY_SECONDS, which bounds the staleness in that one failure to that interval.

Only for Django's Redis cache backends: with any other cache (the in-memory one of development
and tests) `current()` answers None and callers read the cache directly, which costs nothing.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

VERIFY_SECONDS = 1.0
RETRY_SECONDS = 1.0
# Messages read in one poll at most (a bulk import publishes one per row it writes).
DRAIN_LIMIT = 100_000


class VersionWatch:
    def __init__(
        self,
        key: str,
        *,
        alias: str = "default",
        verify_seconds: float = VERIFY_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.key = key
        self.alias = alias
        self.verify_seconds = verify_seconds
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._pubsub = None
        self._socket = None
        self._version: int | None = None
        self._verified_at = 0.0
        self._retry_at = 0.0

    @property
    def cache(self):
        return caches[self.alias]

    @property
    def enabled(self) -> bool:
        return isinstance(self.cache, RedisCache)

    @property
    def channel(self) -> str:
        # The cache's key prefix is part of it: sites (and test runs) sharing one Redis do
        # not hear each other.
        return self.cache.make_key(self.key)

    def _client(self):
        return self.cache._cache.get_client(write=True)

    def current(self) -> int | None:
        """The current version without a round trip, or None: read it from the cache."""
        if not self.enabled:
            return None
        if self._pid != os.getpid():  # forked (a gunicorn worker): the socket is the parent's
            self._forget()
            self._pid = os.getpid()
        # Another thread is polling (threaded servers): that request reads the cache instead.
        if not self._lock.acquire(blocking=False):
            return None
        try:
            now = time.monotonic()
            if self._pubsub is None:
                if now < self._retry_at:
                    return None
                self._subscribe(now)
            else:
                self._drain()
                if now - self._verified_at >= self.verify_seconds:
                    self._verify(now)
            return self._version
        except Exception:  # noqa: BLE001 - any failure: drop the subscription, read directly
            self._close()
            self._retry_at = time.monotonic() + self.retry_seconds
            return None
        finally:
            self._lock.release()

    def publish(self, version: int) -> None:
        """Tell every process (this one at once) that the version is now `version`."""
        if not self.enabled:
            return
        self._client().publish(self.channel, version)
        with self._lock:
            self._advance(version)

    def _subscribe(self, now: float) -> None:
        pubsub = self._client().pubsub()
        pubsub.subscribe(self.channel)
        # Wait for the confirmation: from then on every bump arrives on this connection, so
        # the version read next cannot miss one.
        deadline = time.monotonic() + 5
        while True:
            message = pubsub.get_message(timeout=0.5)
            if message is not None and message["type"] == "subscribe":
                break
            if time.monotonic() > deadline:
                pubsub.close()
                raise TimeoutError("Redis did not confirm the subscription")
        self._pubsub = pubsub
        self._socket = pubsub.connection._sock
        self._version = None
        self._verify(now)

    def _drain(self) -> None:
        readable, _, _ = select.select([self._socket], [], [], 0)
        if not readable:
            return
        connection = self._pubsub.connection
        for _ in range(DRAIN_LIMIT):
            if not connection.can_read(timeout=0):
                return
            message = self._pubsub.get_message(timeout=0)
            if message is not None and message["type"] == "message":
                self._advance(int(message["data"]))
        raise RuntimeError("more messages than one poll reads; resubscribing")

    def _verify(self, now: float) -> None:
        version = self.cache.get(self.key)
        if version is None:  # evicted or never set: the caller creates it
            raise LookupError(self.key)
        self._advance(version)
        self._verified_at = now

    def _advance(self, version: int) -> None:
        if self._version is None or version > self._version:
            self._version = version

    def _close(self) -> None:
        pubsub, self._pubsub, self._socket = self._pubsub, None, None
        if pubsub is not None:
            with contextlib.suppress(Exception):  # closing a broken connection
                pubsub.close()

    def _forget(self) -> None:
        # Never close the parent's connection from a child: just drop the references.
        self._pubsub = self._socket = self._version = None
        self._lock = threading.Lock()
