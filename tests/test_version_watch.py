"""The catalog version as each process sees it through Redis pub/sub (catalog.version_watch),
against the real Redis on 127.0.0.1: two watches stand for two processes."""

from __future__ import annotations

import secrets

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from catalog.version_watch import VersionWatch

REDIS = "redis://127.0.0.1:6379/0"
KEY = "catalog:version"


@pytest.fixture
def shared_cache():
    """A Redis cache alias of this test's own, under a prefix deleted afterwards."""
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError as error:
        # A developer's machine may have no Redis; CI has one and fails on any skip.
        pytest.skip(f"Redis is not reachable at {REDIS} ({error})")
    prefix = f"aaa-test-{secrets.token_hex(6)}"
    backends = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "config.cache_backends.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        },
    }
    with override_settings(CACHES=backends):
        cache = caches["shared"]
        cache.set(KEY, 1000, timeout=None)
        yield cache
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def bump(cache, watch: VersionWatch) -> int:
    """What catalog.cache does on a catalog change: increment, then publish."""
    version = cache.incr(KEY)
    watch.publish(version)
    return version


def test_a_bump_published_by_one_process_is_seen_by_another_without_reading_the_key(
    shared_cache,
):
    writer = VersionWatch(KEY, alias="shared")
    reader = VersionWatch(KEY, alias="shared", verify_seconds=3600)
    assert reader.current() == 1000  # subscribes, then reads the key once
    # A change of the key alone (no message) is not seen: the reader does not ask Redis...
    shared_cache.set(KEY, 1500, timeout=None)
    assert reader.current() == 1000
    # ...while a published bump is, at once, by the writer and by the reader.
    assert bump(shared_cache, writer) == 1501
    assert writer.current() == 1501
    assert reader.current() == 1501
    # Many bumps in a row (a bulk import publishes one per row) all arrive; the last one counts.
    for _ in range(500):
        last = bump(shared_cache, writer)
    assert reader.current() == last == 2001


def test_the_version_never_moves_back(shared_cache):
    reader = VersionWatch(KEY, alias="shared", verify_seconds=3600)
    assert reader.current() == 1000
    # A late message with an older value (it raced a newer read) is ignored.
    redis.Redis.from_url(REDIS).publish(reader.channel, 999)
    assert reader.current() == 1000


def test_a_silently_changed_version_is_seen_within_the_verification_interval(shared_cache):
    reader = VersionWatch(KEY, alias="shared", verify_seconds=0)
    assert reader.current() == 1000
    shared_cache.set(KEY, 1200, timeout=None)  # no message: as if the subscription were lost
    assert reader.current() == 1200


def test_a_killed_subscription_falls_back_to_reading_redis_and_subscribes_again(shared_cache):
    writer = VersionWatch(KEY, alias="shared")
    reader = VersionWatch(KEY, alias="shared", verify_seconds=3600, retry_seconds=0)
    assert reader.current() == 1000
    host, port = reader._socket.getsockname()[:2]
    admin = redis.Redis.from_url(REDIS)
    assert admin.client_kill(f"{host}:{port}")  # as a Redis restart would
    bump(shared_cache, writer)  # published while the reader hears nothing
    # The broken connection is noticed: no answer from the watch, callers read Redis directly.
    assert reader.current() is None
    # The next call subscribes again and reads the current version.
    assert reader.current() == 1001
    bump(shared_cache, writer)
    assert reader.current() == 1002


def test_other_cache_backends_leave_the_version_to_the_cache():
    # The in-memory cache of development and tests: nothing to subscribe to.
    watch = VersionWatch(KEY)
    assert watch.current() is None
    watch.publish(5)  # no error, nothing to do
    assert watch.current() is None
