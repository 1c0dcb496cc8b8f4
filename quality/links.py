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
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

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


async def refuse_private_address(request: httpx.Request) -> None:
    """httpx's request hook, run for the link and for each redirect: the checker visits
    only public hosts (what it fetches answers a maintainer's report, not a stranger's
    request, but a listed link to an intranet host must not make it knock there)."""
    host = request.url.host.split("%")[0]  # an IPv6 zone id
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:  # a name: what it resolves to now
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except socket.gaierror:
            return  # no such name: httpx's own connection error says so
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not all(is_public(address) for address in addresses):
        raise PrivateAddress(f"{host} is a local or private address; not visited")


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
    """Hosts are told apart with their port: two servers on one machine are two hosts."""
    return urlsplit(url).netloc.lower()


def is_skipped(url: str, skip_hosts: set[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
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
        except httpx.HTTPError as error:
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
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        limits=limits,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [] if private_hosts else [refuse_private_address]},
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
