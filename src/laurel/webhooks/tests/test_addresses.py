"""Webhook endpoints cannot reach inside: every spelling of an internal address is refused
when registered, and a request goes to the address that was checked, over verified TLS."""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from laurel.certificates.factories import make_program
from laurel.errors import InvalidInput
from laurel.outbox.models import Attempt
from laurel.webhooks.addresses import webhook_post
from laurel.webhooks.admin import WebhookEndpointForm
from laurel.webhooks.models import WebhookDelivery, WebhookEndpoint
from laurel.webhooks.services import webhook_endpoint_create, webhooks_queue
from laurel.webhooks.tests.test_webhooks import Receiver, awarded_program

pytestmark = pytest.mark.django_db
TLS_FILES = Path(__file__).resolve().parent / "tls"
PUBLIC = "93.184.215.14"  # an address on the public internet, never contacted here


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = False


@pytest.fixture
def development(settings):
    settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES = True


def refusal(url: str) -> str:
    """The message a person registering ``url`` reads, and that nothing was registered."""
    program = make_program()
    with pytest.raises(InvalidInput) as refused:
        webhook_endpoint_create(organisation=program.organisation, url=url)
    assert not WebhookEndpoint.objects.exists()
    [message] = refused.value.errors["url"]
    return message


# Each internal address form, and the address the message names (the one it leads to).
INTERNAL_FORMS = [
    ("https://127.0.0.1/hook", "127.0.0.1"),
    ("https://127.8.9.10/hook", "127.8.9.10"),
    ("https://10.1.2.3/hook", "10.1.2.3"),
    ("https://172.16.5.4/hook", "172.16.5.4"),
    ("https://192.168.1.1/hook", "192.168.1.1"),
    ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),  # link-local, metadata
    ("https://100.64.0.1/hook", "100.64.0.1"),  # shared address space (CGNAT)
    ("https://224.0.0.1/hook", "224.0.0.1"),  # multicast
    ("https://239.255.255.250/hook", "239.255.255.250"),  # multicast
    ("https://240.0.0.1/hook", "240.0.0.1"),  # reserved
    ("https://255.255.255.255/hook", "255.255.255.255"),  # broadcast
    ("https://0.0.0.0/hook", "0.0.0.0"),  # noqa: S104 - an address refused, not bound
    ("https://192.0.2.10/hook", "192.0.2.10"),  # documentation
    ("https://[::1]/hook", "::1"),
    ("https://[::]/hook", "::"),
    ("https://[fc00::1]/hook", "fc00::1"),  # unique local
    ("https://[fd12:3456:789a::1]/hook", "fd12:3456:789a::1"),
    ("https://[fe80::1]/hook", "fe80::1"),  # link-local
    ("https://[fe80::1%25eth0]/hook", "fe80::1%eth0"),
    ("https://[fec0::1]/hook", "fec0::1"),  # site-local, deprecated
    ("https://[ff02::1]/hook", "ff02::1"),  # multicast
    ("https://[ff0e::1]/hook", "ff0e::1"),  # multicast, global scope
    ("https://[::7f00:1]/hook", "::7f00:1"),  # IPv4-compatible, deprecated
    ("https://[::ffff:127.0.0.1]/hook", "127.0.0.1"),  # IPv4-mapped
    ("https://[::ffff:a9fe:a9fe]/hook", "169.254.169.254"),
    ("https://[64:ff9b::7f00:1]/hook", "127.0.0.1"),  # NAT64
    ("https://[64:ff9b::10.0.0.1]/hook", "10.0.0.1"),
    ("https://[64:ff9b:1::a00:1]/hook", "64:ff9b:1::a00:1"),  # local-use NAT64
    ("https://[2002:7f00:1::1]/hook", "127.0.0.1"),  # 6to4
    ("https://[2002:c0a8:101::1]/hook", "192.168.1.1"),
    ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", "2001:0:4136:e378:8000:63bf:3fff:fdd2"),
    ("http://2130706433/hook", "127.0.0.1"),  # decimal
    ("https://0x7f.1/hook", "127.0.0.1"),  # hex and a short form
    ("https://0x7f000001/hook", "127.0.0.1"),
    ("https://0177.0.0.1/hook", "127.0.0.1"),  # octal
    ("https://017700000001/hook", "127.0.0.1"),
    ("https://127.1/hook", "127.0.0.1"),
    ("https://10.0x10203/hook", "10.1.2.3"),
    ("https://0/hook", "0.0.0.0"),  # noqa: S104 - an address refused, not bound
    ("https://169.254.43518/hook", "169.254.169.254"),
    ("https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/hook", "127.0.0.1"),  # full-width digits
    ("https://127.0.0.1./hook", "127.0.0.1"),
]


@pytest.mark.parametrize(("url", "address"), INTERNAL_FORMS)
def test_every_form_of_an_internal_address_is_refused(production, url, address):
    message = refusal(url)
    assert f"{address}, an internal address" in message or f"{address} is an internal" in message
    assert "public addresses only" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://localhost/hook",
        "http://localhost:8000/hook",
        "https://LOCALHOST:8443/hook",
        "https://localhost./hook",
        "https://foo.localhost/hook",
        "https://a.b.localhost/hook",
        "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/hook",  # full-width
        "https://localhost.localdomain/hook",
        "https://printer.local/hook",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://nas.home.arpa/hook",
    ],
)
def test_names_of_this_machine_and_private_networks_are_refused(production, url):
    assert "names this machine or a private network" in refusal(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pass@hooks.example.org/h", "user name and password"),
        ("https://user@hooks.example.org/h", "user name and password"),
        ("https://:secret@hooks.example.org/h", "user name and password"),
        ("https://@hooks.example.org/h", "user name and password"),
        ("https://hooks.example.org:99999/h", "is 99999; it must be from 1 to 65535"),
        ("https://hooks.example.org:0/h", "is 0; it must be from 1 to 65535"),
        ("https://hooks.example.org:65536/h", "is 65536; it must be from 1 to 65535"),
        ("https://[2606:4700::1]:70000/h", "is 70000; it must be from 1 to 65535"),
        ("https://hooks.example.org:https/h", "must be a number from 1 to 65535"),
        ("https://hooks.example.org:+443/h", "must be a number from 1 to 65535"),
        ("https://hooks.example.org:٤٤٣/h", "must be a number from 1 to 65535"),
        ("https://hooks.example.org:/h", "must be a number from 1 to 65535"),
        ("http://hooks.example.org/h", "must use https://"),
        ("ftp://hooks.example.org/h", "must use https://"),
        ("hooks.example.org/h", "must use https://"),
        ("https://134744072/h", "an unusual way of writing the address 8.8.8.8; write 8.8.8.8"),
        ("https://0x8.0x8.0x8.0x8/h", "an unusual way of writing the address 8.8.8.8"),
        ("https://intranet/h", "intranet is not a full host name"),
        ("https://hooks..example.org/h", "not a valid host name"),
        ("https://[2606:4700::1/h", "is not a URL"),
        ("https://[not-an-address]/h", "is not a URL"),
        ("https://hooks_example.org/h", "is not a URL"),
        ("https://hooks.example.123/h", "is not a URL"),
    ],
)
def test_a_malformed_endpoint_gets_a_clear_message(production, url, expected):
    assert expected in refusal(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.org/laurel",
        "https://hooks.example.org:8443/in?source=laurel",
        "https://hooks.example.org./laurel",
        "https://bücher.example/hooks",
        "https://8.8.8.8/hook",
        "https://[2606:4700:4700::1111]/hook",
        "https://[::ffff:8.8.8.8]/hook",  # IPv4-mapped, but a public one
        "https://[2002:808:808::1]/hook",  # 6to4 of a public address
        "https://[64:ff9b::808:808]/hook",  # NAT64 of a public address
        "https://hooks.example.org:65535/",
        "https://hooks.example.org:1/",
    ],
)
def test_a_public_https_endpoint_is_registered(production, url):
    program = make_program()
    endpoint = webhook_endpoint_create(organisation=program.organisation, url=url)
    assert WebhookEndpoint.objects.get().url == url == endpoint.url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost:8000/hooks",
        "http://[::1]:8000/hooks",
        "http://192.168.1.20/hooks",
        "https://receiver.localhost/hooks",
        "https://nas.home.arpa/hooks",
    ],
)
def test_development_allows_receivers_on_this_machine_or_network(development, url):
    program = make_program()
    assert webhook_endpoint_create(organisation=program.organisation, url=url).url == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://hooks.example.org/h", "must use https://"),
        ("http://user:pass@localhost:8000/h", "user name and password"),
        ("http://localhost:99999/h", "is 99999"),
        ("http://2130706433/h", "an unusual way of writing the address 127.0.0.1"),
    ],
)
def test_development_still_refuses_what_is_never_meant(development, url, expected):
    assert expected in refusal(url)


class FakeDNS:
    """Answers for host names under example.org, in turn: the last answer repeats."""

    def __init__(self, monkeypatch, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if not isinstance(host, str) or host not in self.answers:
                return real(host, port, *args, **kwargs)
            self.asked.append(host)
            queue = self.answers[host]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    socket.IPPROTO_TCP,
                    "",
                    (address, port, 0, 0) if ":" in address else (address, port),
                )
                for address in addresses
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class Connections:
    """Every TCP connection opened, by address. Connections to ``PUBLIC`` are refused
    here (nothing on the internet is contacted); others are really opened."""

    def __init__(self, monkeypatch) -> None:
        self.opened: list[tuple[str, int]] = []
        real = socket.create_connection

        def create_connection(address, *args, **kwargs):
            self.opened.append((str(address[0]), int(address[1])))
            if address[0] == PUBLIC:
                raise ConnectionRefusedError(111, "Connection refused")
            return real(address, *args, **kwargs)

        monkeypatch.setattr(socket, "create_connection", create_connection)


class Listener:
    """A TCP port on 127.0.0.1 that counts who connects (the kernel completes the
    handshake even if nobody accepts)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.setblocking(False)
        self.port = self.socket.getsockname()[1]

    def connected(self) -> int:
        count = 0
        while True:
            try:
                peer, _ = self.socket.accept()
            except BlockingIOError:
                return count
            peer.close()
            count += 1

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def listener():
    opened = Listener()
    yield opened
    opened.close()


def queued_delivery(url: str, *, registered: bool = True) -> WebhookDelivery:
    """A delivery due to ``url``, registered as today, or stored before it was checked."""
    program, awards = awarded_program()
    if registered:
        webhook_endpoint_create(organisation=program.organisation, url=url)
    else:
        WebhookEndpoint.objects.create(organisation=program.organisation, url=url, secret="x")
    webhooks_queue(award_ids=[awards.get().pk], event="certificate.awarded")
    return WebhookDelivery.objects.get(endpoint__url=url)


def attempt_error(delivery: WebhookDelivery) -> str:
    """The error of the one attempt the outbox made at ``delivery``."""
    return Attempt.objects.get(message_id=delivery.message_id).error


def test_a_dns_answer_that_changes_after_the_check_does_not_reach_inside(
    production, monkeypatch, listener, run_tasks
):
    delivery = queued_delivery(f"https://hooks.example.org:{listener.port}/hooks")
    # Public when asked first (the check), this machine when asked again (the connection).
    dns = FakeDNS(monkeypatch, {"hooks.example.org": [[PUBLIC], ["127.0.0.1"]]})
    connections = Connections(monkeypatch)

    run_tasks()

    assert WebhookDelivery.objects.get(pk=delivery.pk).status == "pending"
    assert listener.connected() == 0
    assert connections.opened == [(PUBLIC, listener.port)]
    assert dns.asked == ["hooks.example.org"]
    assert attempt_error(delivery) == "Could not connect to hooks.example.org."


def test_a_name_with_any_internal_address_is_not_connected_to(
    production, monkeypatch, listener, run_tasks
):
    delivery = queued_delivery(f"https://hooks.example.org:{listener.port}/hooks")
    FakeDNS(monkeypatch, {"hooks.example.org": [[PUBLIC, "10.0.0.5", "127.0.0.1"]]})
    connections = Connections(monkeypatch)

    run_tasks()

    assert connections.opened == []
    assert listener.connected() == 0
    error = attempt_error(delivery)
    assert error == "hooks.example.org resolves to an internal address; not sent."


def test_errors_do_not_tell_an_open_port_inside_from_a_closed_one(
    production, monkeypatch, listener, run_tasks
):
    closed = Listener()
    closed_port = closed.port
    closed.close()
    FakeDNS(monkeypatch, {"a.example.org": [["127.0.0.1"]], "b.example.org": [["127.0.0.1"]]})
    opened = queued_delivery(f"https://a.example.org:{listener.port}/")
    shut = queued_delivery(f"https://b.example.org:{closed_port}/")

    run_tasks()

    assert listener.connected() == 0
    errors = [attempt_error(d) for d in (opened, shut)]
    assert [error.replace("a.", "b.", 1) for error in errors] == [errors[1]] * 2
    assert errors[1] == "b.example.org resolves to an internal address; not sent."


def test_a_connection_error_is_told_in_a_few_fixed_words(production, monkeypatch):
    FakeDNS(monkeypatch, {"hooks.example.org": [[PUBLIC]]})
    Connections(monkeypatch)
    answer = webhook_post(url="https://hooks.example.org/h", body=b"{}", headers={})
    assert answer == (None, "", "Could not connect to hooks.example.org.")


@pytest.fixture
def receiver(development):
    server = Receiver()
    yield server
    server.close()


def test_one_failing_endpoint_fails_only_its_own_delivery(receiver, monkeypatch, run_tasks):
    # Stored before registration checked ports and hosts: each raised while being sent.
    bad_port = queued_delivery("https://hooks.example.org:99999/h", registered=False)
    exploding = queued_delivery("https://explodes.example.org/h")
    good = queued_delivery(receiver.url)
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "explodes.example.org":
            raise RuntimeError("a resolver bug")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    run_tasks()

    outcome = [WebhookDelivery.objects.get(pk=d.pk).status for d in (bad_port, exploding, good)]
    assert outcome == ["pending", "pending", "delivered"]
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get(pk=good.pk).status == "delivered"
    port_error = attempt_error(bad_port)
    assert port_error == (
        "Not sent: The port in the endpoint URL is 99999; it must be from 1 to 65535."
    )
    assert attempt_error(exploding) == "The request could not be sent."
    for delivery in (bad_port, exploding):
        delivery = WebhookDelivery.objects.select_related("message").get(pk=delivery.pk)
        assert (delivery.status, delivery.attempts, delivery.message.lease_until) == (
            "pending",
            1,
            None,
        )


def test_a_stored_url_with_a_password_is_not_sent(production, monkeypatch, run_tasks):
    delivery = queued_delivery("https://user:pass@hooks.example.org/h", registered=False)
    connections = Connections(monkeypatch)
    run_tasks()
    assert connections.opened == []
    assert "user name and password" in attempt_error(delivery)


class TLSReceiver:
    """An HTTPS receiver on 127.0.0.1 with a certificate for hooks.example.org, issued
    by a test authority; it notes the SNI name and ``Host`` of what it receives."""

    def __init__(self) -> None:
        self.server_names: list[str | None] = []
        self.hosts: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        class Server(HTTPServer):
            def handle_error(self, *args: object) -> None:
                pass  # a client that refused our certificate

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS_FILES / "hooks.example.org.pem")

        def note_server_name(connection, name, context):
            receiver.server_names.append(name)

        context.sni_callback = note_server_name
        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls_receiver():
    server = TLSReceiver()
    yield server
    server.close()


def trusting_the_test_authority() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(TLS_FILES / "test-ca.pem"))


def test_tls_is_verified_against_the_host_name_on_the_checked_address(
    development, monkeypatch, tls_receiver
):
    # The first answer is this machine (allowed in development) and the second one public:
    # the request goes where the first answer pointed, and TLS speaks to the name.
    dns = FakeDNS(monkeypatch, {"hooks.example.org": [["127.0.0.1"], [PUBLIC]]})
    answer = webhook_post(
        url=f"https://hooks.example.org:{tls_receiver.port}/hooks",
        body=b"{}",
        headers={"Content-Type": "application/json"},
        tls=trusting_the_test_authority(),
    )
    assert (answer.status_code, answer.error) == (204, "")
    assert tls_receiver.server_names == ["hooks.example.org"]
    assert tls_receiver.hosts == [f"hooks.example.org:{tls_receiver.port}"]
    assert dns.asked == ["hooks.example.org"]


def test_a_certificate_for_another_name_is_refused(development, monkeypatch, tls_receiver):
    FakeDNS(monkeypatch, {"other.example.org": [["127.0.0.1"]]})
    answer = webhook_post(
        url=f"https://other.example.org:{tls_receiver.port}/hooks",
        body=b"{}",
        headers={},
        tls=trusting_the_test_authority(),
    )
    assert answer.status_code is None
    assert answer.error.startswith("The receiver's TLS certificate was refused: Hostname mismatch")
    assert tls_receiver.hosts == []


def test_a_certificate_from_an_unknown_authority_is_refused(development, monkeypatch, tls_receiver):
    FakeDNS(monkeypatch, {"hooks.example.org": [["127.0.0.1"]]})
    answer = webhook_post(
        url=f"https://hooks.example.org:{tls_receiver.port}/hooks", body=b"{}", headers={}
    )
    assert answer.status_code is None
    assert answer.error.startswith("The receiver's TLS certificate was refused:")
    assert tls_receiver.hosts == []


def test_the_admin_form_shows_why_an_endpoint_is_refused(production):
    program = make_program()
    form = WebhookEndpointForm(
        data={"organisation": program.organisation.pk, "url": "https://[64:ff9b::7f00:1]/h"}
    )
    assert not form.is_valid()
    assert form.errors["url"] == [
        "64:ff9b::7f00:1 leads to 127.0.0.1, an internal address; "
        "webhooks are sent to public addresses only."
    ]
