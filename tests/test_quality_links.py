"""check_links against real HTTP servers on 127.0.0.1 that answer 200, 301, 404, 405 to HEAD,
500, slowly, or never."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from quality.models import LinkCheck
from tests.factories import LinkFactory, PaperFactory
from tests.localhttp import LocalServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def servers():
    first, second = LocalServer().start(), LocalServer().start()
    yield first, second
    first.stop()
    second.stop()


def add_links(urls: list[str]) -> dict[str, int]:
    paper = PaperFactory()
    return {url: LinkFactory(paper=paper, url=url, position=i).pk for i, url in enumerate(urls, 1)}


def test_every_outcome_is_stored_with_date_and_status(servers, capsys):
    server, _ = servers
    urls = {
        "ok": f"{server.url}/status/200",
        "moved": f"{server.url}/status/301",
        "gone": f"{server.url}/status/404",
        "error": f"{server.url}/status/500",
        "hang": f"{server.url}/hang",
        "no-head": f"{server.url}/no-head/200",
        "skipped": "http://skipped.example.invalid/paper",
    }
    ids = add_links(list(urls.values()))
    with pytest.raises(CommandError, match="3 link"):
        call_command(
            "check_links", "--timeout", "0.5", "--skip-host", "example.invalid", "--per-host", "4"
        )
    output = capsys.readouterr().out

    checks = {c.link.url: c for c in LinkCheck.objects.select_related("link")}
    assert len(checks) == len(urls)
    got = {
        name: (checks[url].outcome, checks[url].status_code, checks[url].method)
        for name, url in urls.items()
    }
    assert got == {
        "ok": ("ok", 200, "HEAD"),
        "moved": ("redirect", 200, "HEAD"),
        "gone": ("broken", 404, "HEAD"),
        "error": ("server_error", 500, "HEAD"),
        "hang": ("timeout", None, "HEAD"),
        "no-head": ("ok", 200, "GET"),
        "skipped": ("skipped", None, ""),
    }
    assert checks[urls["moved"]].final_url == f"{server.url}/status/200"
    assert all(check.checked_at is not None for check in checks.values())
    # The refused HEAD was followed by a GET for one byte.
    ranged = [h for m, p, h in server.requests if m == "GET" and p == "/no-head/200"]
    assert ranged and ranged[0].get("Range") == "bytes=0-0"
    # The skipped host was never contacted (it does not even resolve).
    assert "skipped.example.invalid" not in str(server.requests)
    assert f"BROKEN 404 {urls['gone']}" in output
    assert f"TIMEOUT - {urls['hang']}" in output
    assert (
        "Checked 7 link(s): 1 broken, 2 ok, 1 redirect, 1 server_error, 1 skipped, 1 timeout."
        in output
    )
    assert set(ids.values()) == set(LinkCheck.objects.values_list("link_id", flat=True))


def test_a_second_run_replaces_each_links_result(servers):
    server, _ = servers
    add_links([f"{server.url}/status/200"])
    call_command("check_links", "--timeout", "0.5")
    first = LinkCheck.objects.get()
    call_command("check_links", "--timeout", "0.5")
    second = LinkCheck.objects.get()
    assert second.pk == first.pk and second.checked_at > first.checked_at


def test_requests_run_concurrently_within_the_per_host_limit(servers):
    first, second = servers
    add_links(
        [f"{first.url}/slow/200/{n}" for n in range(6)]
        + [f"{second.url}/slow/200/{n}" for n in range(6)]
    )
    call_command("check_links", "--timeout", "5", "--per-host", "2", "--concurrency", "8")
    assert LinkCheck.objects.filter(outcome="ok").count() == 12
    # Never more than two at once on one host, and the two hosts were checked in parallel:
    # each reached its limit (a sequential checker would show 1).
    assert first.max_active == 2
    assert second.max_active == 2


def test_bad_options_are_refused():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("check_links", "--per-host", "0")


def test_results_are_shown_to_maintainers_in_the_admin(client, servers, django_user_model):
    server, _ = servers
    add_links([f"{server.url}/status/404"])
    with pytest.raises(CommandError):
        call_command("check_links", "--timeout", "0.5")
    maintainer = django_user_model.objects.create_user("maint", password="pw", is_staff=True)
    maintainer.groups.add(Group.objects.get(name="Maintainers"))
    client.force_login(maintainer)
    page = client.get(reverse("admin:quality_linkcheck_changelist") + "?outcome=broken")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{server.url}/status/404" in text
    assert "Broken (4xx)" in text
    # Read-only: results come from the command.
    check = LinkCheck.objects.get()
    change = client.post(
        reverse("admin:quality_linkcheck_change", args=[check.pk]), {"outcome": "ok"}
    )
    assert change.status_code == 403


@pytest.mark.django_db
def test_results_for_links_deleted_during_a_run_are_skipped_not_fatal():
    from quality.links import LinkResult
    from quality.models import LinkCheck
    from quality.services import link_checks_store
    from tests.factories import LinkFactory

    kept, gone = LinkFactory(), LinkFactory()
    gone_id = gone.pk
    gone.delete()
    stored = link_checks_store(
        results=[
            LinkResult(link_id=kept.pk, url=kept.url, outcome="ok", status_code=200),
            LinkResult(link_id=gone_id, url="https://gone.example", outcome="ok", status_code=200),
        ]
    )
    assert stored == 1
    assert list(LinkCheck.objects.values_list("link_id", flat=True)) == [kept.pk]


def test_local_and_private_addresses_are_not_visited(servers, settings, capsys):
    """A listed link to this machine or an intranet host (the form refuses those, but an
    import or an admin edit may hold one, or a public page may redirect there): reported as
    skipped, never requested."""
    settings.LINK_CHECK_PRIVATE_HOSTS = False
    server, _ = servers
    port = server.url.rsplit(":", 1)[1]
    ids = add_links([f"{server.url}/status/200", f"http://localhost:{port}/status/200"])
    call_command("check_links", "--timeout", "0.5")
    checks = {c.link_id: c for c in LinkCheck.objects.all()}
    assert {checks[pk].outcome for pk in ids.values()} == {"skipped"}
    assert all("local or private address" in checks[pk].detail for pk in ids.values())
    assert server.requests == []
    assert "Checked 2 link(s): 2 skipped." in capsys.readouterr().out


@pytest.mark.parametrize(
    "url, public",
    [
        ("http://127.0.0.1/", False),
        ("http://localhost/", False),
        ("http://10.1.2.3/", False),
        ("http://[::1]/", False),
        ("http://[::ffff:192.168.0.1]/", False),
        ("http://[64:ff9b::7f00:1]/", False),  # 127.0.0.1 behind NAT64's prefix
        ("http://[fe80::1%25eth0]/", False),
        ("http://8.8.8.8/", True),
        ("http://[2001:4860:4860::8888]/", True),
    ],
)
def test_the_checker_s_address_rule(url, public):
    """Applied to every connection: the link's and each redirect's (CheckedAddressBackend)."""
    import asyncio

    import httpx

    from quality.links import CheckedAddressBackend, PrivateAddress

    backend = CheckedAddressBackend()
    host = httpx.URL(url).host
    if public:
        assert asyncio.run(backend.addresses(host, 80)) == [host]
    else:
        with pytest.raises(PrivateAddress):
            asyncio.run(backend.addresses(host, 80))


class RecordingResolver:
    """DNS for names the tests make up: each lookup recorded, answered from a table."""

    def __init__(self, answers: dict[str, list[list[str]]]):
        self.answers = answers
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        replies = self.answers[host]
        return replies[min(len(self.lookups), len(replies)) - 1]


def check_urls(urls: list[str], **options) -> list:
    """check_all on `urls` (ids 1, 2, …) with small limits, as check_links would run it."""
    import asyncio

    from quality.links import check_all

    settings = {"timeout": 2, "concurrency": 2, "per_host": 2, "skip_hosts": set(), **options}
    return asyncio.run(check_all(list(enumerate(urls, start=1)), **settings))


def test_a_name_is_resolved_once_and_the_connection_goes_to_the_checked_address():
    """The check and the connection cannot disagree (DNS rebinding): the connection is made
    to the address that was checked, not to the name resolved again. `rebind.invalid`
    resolves nowhere but in this table, so a second lookup by the connection would fail;
    the request still names the host it asked for."""
    server = LocalServer().start()
    try:
        port = server.url.rsplit(":", 1)[1]
        resolver = RecordingResolver({"rebind.invalid": [["127.0.0.1"], ["10.9.9.9"]]})
        [result] = check_urls(
            [f"http://rebind.invalid:{port}/status/200"], private_hosts=True, resolve=resolver
        )
    finally:
        server.stop()
    assert (result.outcome, result.status_code) == ("ok", 200)
    assert resolver.lookups == ["rebind.invalid"]
    [(method, path, headers)] = server.requests
    assert (method, path) == ("HEAD", "/status/200")
    assert headers["Host"] == f"rebind.invalid:{port}"


def test_a_name_that_resolves_to_a_private_address_is_never_contacted():
    server = LocalServer().start()
    try:
        port = server.url.rsplit(":", 1)[1]
        resolver = RecordingResolver({"intranet.invalid": [["127.0.0.1"]]})
        [result] = check_urls([f"http://intranet.invalid:{port}/status/200"], resolve=resolver)
    finally:
        server.stop()
    assert result.outcome == "skipped"
    assert result.detail == "intranet.invalid is a local or private address; not visited"
    assert server.requests == []


def silent_listeners(hosts: list[str], *, port: int = 0) -> tuple[int, list]:
    """Listeners on one port (`port`, or a free one) of each of `hosts` whose accept queues
    are full: a further connection gets no answer (its SYN is dropped), as from a host that
    is down."""
    import contextlib
    import socket
    import time

    held: list[socket.socket] = []
    for host in hosts:
        listener = socket.socket()
        listener.bind((host, port))
        listener.listen(0)
        port = listener.getsockname()[1]
        held.append(listener)
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # connecting: left half-open
                filler.connect((host, port))
            held.append(filler)
    time.sleep(0.2)
    return port, held


def test_the_timeout_bounds_a_link_however_many_addresses_its_name_has():
    """Three addresses that never answer: one --timeout in all, not one per address."""
    import time

    hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    port, held = silent_listeners(hosts)
    try:
        resolver = RecordingResolver({"down.invalid": [hosts]})
        started = time.monotonic()
        [result] = check_urls(
            [f"http://down.invalid:{port}/"], timeout=1, private_hosts=True, resolve=resolver
        )
        elapsed = time.monotonic() - started
    finally:
        for sock in held:
            sock.close()
    assert (result.outcome, result.detail) == ("timeout", "no answer in time")
    assert elapsed < 1.6, f"--timeout 1 took {elapsed:.1f} s"


@pytest.mark.parametrize(
    "url", ["http://" + "a" * 64 + ".example.invalid/", "http://exa mple.invalid/", "http://[::1/"]
)
def test_a_link_no_request_can_be_made_for_is_reported_not_raised(url):
    """A host name past what DNS allows, or an address httpx cannot parse: that link's
    error, and the other links are still checked."""
    server = LocalServer().start()
    try:
        results = check_urls([url, f"{server.url}/status/200"], private_hosts=True)
    finally:
        server.stop()
    outcomes = {result.link_id: result.outcome for result in results}
    assert outcomes == {1: "error", 2: "ok"}


def test_an_address_that_never_answers_leaves_time_for_the_next_one():
    """A name whose first address is down (a dead IPv6 address listed first, one dead host
    of several): the next address is still tried within the timeout, and the link is ok."""
    server = LocalServer().start()
    port = int(server.url.rsplit(":", 1)[1])
    held = silent_listeners(["127.0.0.2"], port=port)[1]
    try:
        resolver = RecordingResolver({"half.invalid": [["127.0.0.2", "127.0.0.1"]]})
        [result] = check_urls(
            [f"http://half.invalid:{port}/status/200"],
            timeout=1,
            private_hosts=True,
            resolve=resolver,
        )
    finally:
        server.stop()
        for sock in held:
            sock.close()
    assert (result.outcome, result.status_code) == ("ok", 200)
