"""Checking that links still answer: concurrently, politely, with timeouts.

Each link gets a HEAD; a server that refuses HEAD (405, 501, or 403 from some CDNs) gets a
GET for the first byte only (`Range: bytes=0-0`). Redirects are followed and reported. At most
LINK_CHECK_CONCURRENCY requests run at once, and at most LINK_CHECK_PER_HOST per host, so no
site sees a burst from us. Hosts on the skip list are not contacted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx

from quality.metadata import USER_AGENT
from quality.models import LinkCheck

Outcome = LinkCheck.Outcome
HEAD_REFUSED = {403, 405, 501}
# IPv6's well-known prefix for IPv4 addresses translated by NAT64 (RFC 6052).
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class PrivateAddress(Exception):
    """A link (or a redirect it leads to) resolves to this machine or a private network."""


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally reachable address, also behind IPv6's forms of an IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address in NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses a host name has now, as the system resolver gives them."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class CheckedAddressBackend(httpcore.AsyncNetworkBackend):
    """The checker's network: each connection (to a link's host, or a redirect's) resolves
    the name once, refuses it unless every address is public (`allow_private`: the tests'
    servers on 127.0.0.1), and connects to an address it checked, never to the name again.

    Checking a name, then letting the connection resolve it a second time, leaves a window
    for DNS rebinding: a name that answers a public address to the check and 127.0.0.1 to
    the connection. TLS still verifies the certificate against the name: httpcore gives the
    URL's host, not this address, as the server name."""

    def __init__(self, *, allow_private: bool = False, resolve: Resolver = system_resolve):
        self.allow_private = allow_private
        self.resolve = resolve
        self.inner = httpcore.AnyIOBackend()

    async def addresses(self, host: str, port: int) -> list[str]:
        """Where a connection to `host` may go; PrivateAddress if somewhere it must not."""
        try:
            ipaddress.ip_address(host.split("%")[0])  # an IPv6 zone id
            found = [host]
        except ValueError:  # a name
            try:
                found = await self.resolve(host, port)
            # No such name, or none there can be (a label past 63 characters fails the IDNA
            # encoding): a connection error, as httpx says it.
            except (OSError, UnicodeError) as error:
                raise httpcore.ConnectError(f"{host}: {error}") from error
        if not self.allow_private and not all(
            is_public(ipaddress.ip_address(address.split("%")[0])) for address in found
        ):
            raise PrivateAddress(f"{host} is a local or private address; not visited")
        return found

    async def connect_tcp(
        self, host, port, timeout=None, local_address=None, socket_options=None
    ) -> httpcore.AsyncNetworkStream:
        # One connect timeout for the whole connection, however many addresses the name has:
        # the lookup, then each address in turn with its share of the time left, so an
        # address that never answers (a dead IPv6 address listed first) leaves time for the
        # next one.
        deadline = None if timeout is None else time.monotonic() + timeout

        def left() -> float | None:
            if deadline is None:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ConnectTimeout(f"{host}: no answer in time")
            return remaining

        try:
            addresses = await asyncio.wait_for(self.addresses(host, port), left())
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"{host}: the name did not resolve in time") from error
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for index, address in enumerate(addresses):
            remaining = left()
            share = None if remaining is None else remaining / (len(addresses) - index)
            try:
                return await self.inner.connect_tcp(
                    address,
                    port,
                    timeout=share,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failed:
                error = failed  # the name's next address, as a connection by name would
        raise error

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("The link checker connects over TCP only.")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CheckedAddressTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool on a CheckedAddressBackend. httpx takes no
    network backend itself, so the pool is made again with one, as httpx makes it. No proxy:
    a proxy would resolve the names itself, out of the checker's sight. Certificates are
    verified as httpx does (SSL_CERT_FILE and SSL_CERT_DIR are honoured)."""

    def __init__(self, *, backend: CheckedAddressBackend, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


@dataclass(frozen=True)
class LinkResult:
    link_id: int
    url: str
    outcome: str
    status_code: int | None = None
    method: str = ""
    final_url: str = ""
    detail: str = ""


def host_key(url: str) -> str:
    """Hosts are told apart with their port: two servers on one machine are two hosts. An
    address that does not parse ("http://[::1/") is a host of its own (its request fails)."""
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return url


def is_skipped(url: str, skip_hosts: set[str]) -> bool:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return any(host == skip or host.endswith("." + skip) for skip in skip_hosts)


def classify(status: int) -> str:
    if status < 300:
        return Outcome.OK
    if status < 400:
        return Outcome.REDIRECT
    if status < 500:
        return Outcome.BROKEN
    return Outcome.SERVER_ERROR


async def check_one(
    client: httpx.AsyncClient,
    link_id: int,
    url: str,
    host_limit: asyncio.Semaphore,
    overall_limit: asyncio.Semaphore,
) -> LinkResult:
    async with host_limit, overall_limit:
        method = "HEAD"
        try:
            response = await client.head(url)
            if response.status_code in HEAD_REFUSED:
                method = "GET"
                response = await client.get(url, headers={"Range": "bytes=0-0"})
        except PrivateAddress as refusal:
            return LinkResult(link_id, url, Outcome.SKIPPED, method=method, detail=str(refusal))
        except httpx.TimeoutException:
            return LinkResult(
                link_id, url, Outcome.TIMEOUT, method=method, detail="no answer in time"
            )
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            return LinkResult(
                link_id,
                url,
                Outcome.ERROR,
                method=method,
                detail=f"{type(error).__name__}: {error}"[:500],
            )
    status = response.status_code
    if status == 206:  # the ranged GET's answer: the resource is there
        status = 200
    final_url = str(response.url) if response.history else ""
    outcome = Outcome.REDIRECT if response.history and status < 400 else classify(status)
    detail = f"redirected {len(response.history)}× to {final_url}" if final_url else ""
    return LinkResult(link_id, url, outcome, status, method, final_url, detail[:500])


async def check_all(
    links: list[tuple[int, str]],
    *,
    timeout: float,
    concurrency: int,
    per_host: int,
    skip_hosts: set[str],
    private_hosts: bool = False,
    resolve: Resolver = system_resolve,
) -> list[LinkResult]:
    host_limits: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    overall_limit = asyncio.Semaphore(concurrency)
    results = [
        LinkResult(link_id, url, Outcome.SKIPPED, detail="host on the skip list")
        for link_id, url in links
        if is_skipped(url, skip_hosts)
    ]
    to_check = [(link_id, url) for link_id, url in links if not is_skipped(url, skip_hosts)]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    backend = CheckedAddressBackend(allow_private=private_hosts, resolve=resolve)
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        transport=CheckedAddressTransport(backend=backend, limits=limits),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    ) as client:
        # A request holds its host's slot and one of the overall slots; the pool never waits.
        checked = await asyncio.gather(
            *(
                check_one(client, link_id, url, host_limits[host_key(url)], overall_limit)
                for link_id, url in to_check
            )
        )
    return results + list(checked)


def links_check(
    links: list[tuple[int, str]],
    *,
    timeout: float,
    concurrency: int,
    per_host: int,
    skip_hosts: set[str],
    private_hosts: bool = False,
) -> list[LinkResult]:
    """Check `links`; `private_hosts`: visit local and private addresses too (the tests'
    servers on 127.0.0.1), which the checker otherwise refuses."""
    return asyncio.run(
        check_all(
            links,
            timeout=timeout,
            concurrency=concurrency,
            per_host=per_host,
            skip_hosts=skip_hosts,
            private_hosts=private_hosts,
        )
    )
