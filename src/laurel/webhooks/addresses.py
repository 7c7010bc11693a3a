"""Where a webhook may go: an endpoint's URL checked when it is registered, and each request
sent to the very address that was checked.

A customer's endpoint must not become a way into the network Laurel runs in (a cloud
metadata address, a database on the private network, an admin port on this machine):

- When an endpoint is registered, every spelling of an internal address is refused:
  ``localhost`` and names under it, private, loopback, link-local, shared, multicast and
  reserved IPv4 addresses whether written dotted, in decimal, octal or hex
  (``2130706433``, ``0x7f.1``); IPv6 loopback, unique local and link-local addresses;
  and IPv6 addresses that carry an IPv4 address inside (IPv4-mapped, NAT64, 6to4) when
  the one inside is internal, and Teredo. A user name or password and a port outside
  1-65535 are refused too, and plain http outside development.
- When sending, the host name is resolved once, every address it resolves to is checked,
  and the TCP connection is opened to one of those addresses rather than to the name, so
  a DNS answer that changes between the check and the connection (rebinding) cannot
  send the request inside. TLS is still verified against the host name, which is also
  sent as SNI and in ``Host``.

What is recorded about a failed request says what went wrong in a few fixed words,
never the system's text for a failed connection, and never which internal address a name
resolved to, so that trying names and ports cannot map what answers behind the firewall. Development settings (``WEBHOOKS_ALLOW_INTERNAL_ADDRESSES``)
allow internal addresses, and plain http to them, for trying a receiver out locally.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import re
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from laurel.errors import InvalidInput
from laurel.validation import clean_line

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

TIMEOUT_SECONDS = 10
EXCERPT_LENGTH = 1000
# Names that only ever mean this machine or a private network (RFC 6761, 6762, 8375, and
# ICANN's reservation of .internal); ``localhost.localdomain`` is common in /etc/hosts.
_PRIVATE_NAMES = ("localhost", "localdomain", "local", "internal", "home.arpa")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
_TEREDO = ipaddress.IPv6Network("2001::/32")
_HOST_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def internal_addresses_allowed() -> bool:
    """Development: receivers on this machine or a private network may be used."""
    return bool(settings.WEBHOOKS_ALLOW_INTERNAL_ADDRESSES)


def address_is_internal(address: Address) -> bool:
    """Whether ``address`` is not a public internet address, in whatever form it comes."""
    if isinstance(address, ipaddress.IPv4Address):
        return not address.is_global or address.is_multicast
    inner = embedded_ipv4(address)
    if inner is not None:
        return address_is_internal(inner)
    # Teredo hides the client's address and the local NAT64 prefix is a private one; Python
    # counts neither the same way in every version, so they are named here.
    if address in _TEREDO or address in _LOCAL_NAT64:
        return True
    # ``is_global`` alone lets through multicast, the deprecated site-local range and the
    # reserved ::/8 (IPv4-compatible addresses such as ::7f00:1).
    return (
        not address.is_global
        or address.is_multicast
        or address.is_site_local
        or address.is_reserved
    )


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and leads to: IPv4-mapped, NAT64, 6to4."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.sixtofour


def ipv4_spelling(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address ``host`` names when read as the system's resolver reads numbers
    (``inet_aton``): one to four parts, each decimal, octal (``0177``) or hex (``0x7f``),
    the last filling the bytes left, as in ``127.1`` or ``2130706433``. None otherwise."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        if re.fullmatch(r"0[xX][0-9a-fA-F]*", part):
            numbers.append(int(part[2:] or "0", 16))
        elif re.fullmatch(r"0[0-7]*", part):
            numbers.append(int(part, 8))
        elif re.fullmatch(r"[1-9][0-9]*", part):
            numbers.append(int(part))
        else:
            return None
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(parts)):
        return None
    value = last
    for position, number in enumerate(leading):
        value += number << (8 * (3 - position))
    return ipaddress.IPv4Address(value)


@dataclass(frozen=True)
class Target:
    """Where an endpoint URL sends: the host as resolved and verified, port, request path."""

    scheme: str
    host: str
    port: int
    path: str


def webhook_url_clean(url: object) -> str:
    """An endpoint URL as given, once it is known to lead to a public https receiver."""
    value = clean_line(url, field="url", label=_("Endpoint URL"), max_length=500)
    endpoint_target(value)
    return value


def endpoint_target(url: str) -> Target:
    """Check ``url`` as an endpoint; raises ``InvalidInput`` on the field ``url``."""

    def refuse(message: str) -> InvalidInput:
        return InvalidInput.field("url", message)

    not_a_url = _("%(url)r is not a URL.") % {"url": url}
    try:
        parts = urlsplit(url)
    except ValueError:
        raise refuse(not_a_url) from None
    if parts.scheme not in ("http", "https"):
        raise refuse(_("Webhook endpoints must use https://."))
    if "@" in parts.netloc:
        raise refuse(
            _(
                "Leave the user name and password out of the endpoint URL; the signature "
                "tells your receiver that a request comes from Laurel."
            )
        )
    port = _port(parts.netloc)
    written = parts.hostname or ""
    if not written:
        raise refuse(not_a_url)
    literal: Address | None = None
    if parts.netloc.startswith("["):
        try:
            literal = ipaddress.IPv6Address(written.replace("%25", "%"))
        except ValueError:
            raise refuse(not_a_url) from None
        host = str(literal)
    else:
        # The resolver reads the host the way IDNA does: full-width digits and dots become
        # ASCII ones, so the checks below look at the name that will be looked up.
        try:
            host = written.encode("idna").decode("ascii").lower().removesuffix(".")
        except UnicodeError:
            raise refuse(_("%(host)s is not a valid host name.") % {"host": written}) from None
        literal = ipv4_spelling(host)
        if literal is not None and host != str(literal):
            if address_is_internal(literal) and not internal_addresses_allowed():
                raise refuse(_internal_message(written, literal))
            raise refuse(
                _(
                    "%(host)s is an unusual way of writing the address %(address)s; "
                    "write %(address)s."
                )
                % {"host": written, "address": literal}
            )
    local = _is_local(host, literal)
    if local and not internal_addresses_allowed():
        if literal is not None:
            raise refuse(_internal_message(written, literal))
        raise refuse(
            _(
                "%(host)s names this machine or a private network, an internal address; "
                "webhooks are sent to public addresses only."
            )
            % {"host": written}
        )
    if parts.scheme != "https" and not local:
        # Plain http only reaches receivers on a developer's own machine or network.
        raise refuse(_("Webhook endpoints must use https://."))
    if literal is None:
        if not _HOST_NAME.fullmatch(host):
            raise refuse(not_a_url)
        if "." not in host and host != "localhost":
            raise refuse(
                _("%(host)s is not a full host name; give one such as hooks.example.org.")
                % {"host": written}
            )
    if literal is None or isinstance(literal, ipaddress.IPv4Address):
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            raise refuse(not_a_url) from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    default_port = 443 if parts.scheme == "https" else 80
    return Target(scheme=parts.scheme, host=host, port=port or default_port, path=path)


def _port(netloc: str) -> int | None:
    """The port written in ``netloc``, or None; only ASCII digits, 1 to 65535."""
    host_and_port = netloc.rpartition("@")[2]
    if host_and_port.startswith("["):
        after_host = host_and_port.partition("]")[2]
    else:
        after_host = host_and_port[host_and_port.find(":") :] if ":" in host_and_port else ""
    if not after_host:
        return None
    written = after_host.removeprefix(":")
    if after_host[0] != ":" or not (written.isascii() and written.isdigit()):
        raise InvalidInput.field(
            "url", _("The port in the endpoint URL must be a number from 1 to 65535.")
        )
    if not 1 <= int(written) <= 65535:
        raise InvalidInput.field(
            "url",
            _("The port in the endpoint URL is %(port)s; it must be from 1 to 65535.")
            % {"port": written},
        )
    return int(written)


def _is_local(host: str, literal: Address | None) -> bool:
    if literal is not None:
        return address_is_internal(literal)
    return any(host == name or host.endswith("." + name) for name in _PRIVATE_NAMES)


def _internal_message(written: str, address: Address) -> str:
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    shown = inner if inner is not None else address
    if str(shown) != written:
        return _(
            "%(host)s leads to %(address)s, an internal address; webhooks are sent to "
            "public addresses only."
        ) % {"host": written, "address": shown}
    return _("%(address)s is an internal address; webhooks are sent to public addresses only.") % {
        "address": shown
    }


class Answer(NamedTuple):
    """What one request came to: the status (None without an answer), the start of the
    answer's body, and what went wrong (empty when the answer was 2xx)."""

    status_code: int | None
    excerpt: str
    error: str


class _Refused(Exception):
    """The request is not sent; the message says why, for the attempt's record."""


def webhook_post(
    *,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float = TIMEOUT_SECONDS,
    tls: ssl.SSLContext | None = None,
) -> Answer:
    """POST ``body`` to an endpoint, at an address checked here; never raises.

    Redirects are not followed: a redirected POST would arrive as a GET without the
    payload, so a 3xx is a failed attempt like any answer but 2xx.
    """
    try:
        target = endpoint_target(url)
        addresses = _checked_addresses(target)
        return _post_to_first_answering(target, addresses, body, headers, timeout, tls)
    except InvalidInput as refused:
        # An endpoint stored before today's checks, or one they now refuse.
        return Answer(None, "", _("Not sent: %(reason)s") % {"reason": refused.detail})
    except _Refused as refused:
        return Answer(None, "", str(refused))
    except Exception:
        # One endpoint's failure is its own delivery's failed attempt, never the batch's.
        logger.exception("Sending a webhook to %s failed", url)
        return Answer(None, "", _("The request could not be sent."))


def _checked_addresses(target: Target) -> list[str]:
    """Resolve the host once and check every address it resolves to."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []
    found = [str(info[4][0]) for info in infos if info[0] in (socket.AF_INET, socket.AF_INET6)]
    if not found:
        raise _Refused(_("Cannot resolve %(host)s.") % {"host": target.host})
    # One internal answer refuses them all: a name that points inside at all is not a
    # public receiver, and which of its addresses would answer is not ours to choose.
    internal = any(address_is_internal(ipaddress.ip_address(found_at)) for found_at in found)
    if internal and not internal_addresses_allowed():
        raise _Refused(
            _("%(host)s resolves to an internal address; not sent.") % {"host": target.host}
        )
    return list(dict.fromkeys(found))


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to ``host`` (in ``Host``) over a connection to ``address``, the checked one."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """HTTPS to ``host`` over a connection to ``address``: the certificate is verified
    against the host name, which is also the SNI name."""

    default_port = http.client.HTTPS_PORT

    def __init__(
        self, host: str, port: int, *, address: str, timeout: float, tls: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, address=address, timeout=timeout)
        self.tls = tls

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


_default_tls: ssl.SSLContext | None = None


def _tls_context() -> ssl.SSLContext:
    # Loading the system's certificates takes a while; one context serves every request.
    global _default_tls
    if _default_tls is None:
        _default_tls = ssl.create_default_context()
    return _default_tls


def _post_to_first_answering(
    target: Target,
    addresses: list[str],
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    tls: ssl.SSLContext | None,
) -> Answer:
    could_not_connect = Answer(
        None, "", _("Could not connect to %(host)s.") % {"host": target.host}
    )
    for address in addresses:
        connection: PinnedHTTPConnection
        if target.scheme == "https":
            connection = PinnedHTTPSConnection(
                target.host, target.port, address=address, timeout=timeout,
                tls=tls or _tls_context(),
            )  # fmt: skip
        else:
            connection = PinnedHTTPConnection(
                target.host, target.port, address=address, timeout=timeout
            )
        try:
            try:
                connection.connect()
            except ssl.SSLCertVerificationError as error:
                reason = error.verify_message or _("not trusted")
                return Answer(
                    None,
                    "",
                    _("The receiver's TLS certificate was refused: %(reason)s.")
                    % {"reason": reason},
                )
            except ssl.SSLError:
                return Answer(None, "", _("The TLS handshake with the receiver failed."))
            except OSError:
                continue  # try the next checked address, as a browser would
            return _exchange(connection, target, body, headers, timeout)
        finally:
            connection.close()
    return could_not_connect


def _exchange(
    connection: PinnedHTTPConnection,
    target: Target,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
) -> Answer:
    try:
        connection.request("POST", target.path, body=body, headers=dict(headers))
        response = connection.getresponse()
    except TimeoutError:
        return Answer(
            None,
            "",
            _("The receiver did not answer within %(seconds)s seconds.") % {"seconds": timeout},
        )
    except http.client.HTTPException:
        return Answer(None, "", _("The receiver's answer was not valid HTTP."))
    except OSError:
        return Answer(None, "", _("The connection broke before the receiver answered."))
    try:
        excerpt = response.read(EXCERPT_LENGTH).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        excerpt = ""  # the status is what counts; a body cut short leaves no excerpt
    if 200 <= response.status < 300:
        return Answer(response.status, excerpt, "")
    if 300 <= response.status < 400:
        return Answer(
            response.status,
            excerpt,
            _("HTTP %(status)s (redirects are not followed)") % {"status": response.status},
        )
    return Answer(response.status, excerpt, f"HTTP {response.status}")
