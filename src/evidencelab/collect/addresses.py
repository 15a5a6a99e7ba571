"""Which URLs a capture may fetch: http(s) only, and, unless the workbench is configured to
allow it, no host that resolves to an address outside the public internet (loopback,
private, link-local, shared, reserved). A capture service reachable by several people
would otherwise let any of them read internal services (server-side request forgery:
OWASP, "Server Side Request Forgery Prevention Cheat Sheet",
https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html).
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from evidencelab.collect.errors import CaptureRefused

SCHEMES = ("http", "https")


def check_url(url: str) -> str:
    """``url`` stripped, if it is an absolute http(s) URL with a host; CaptureRefused
    otherwise."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as error:
        raise CaptureRefused(f"not a valid URL ({error})") from None
    if parts.scheme.lower() not in SCHEMES:
        shown = f"{parts.scheme}:" if parts.scheme else "no scheme"
        raise CaptureRefused(f"{shown} is not captured; only http and https URLs are")
    if not parts.hostname:
        raise CaptureRefused("has no host")
    return url


def is_public(address: str) -> bool:
    """Whether an IP address (v4 or v6) is one of the public internet (IANA special-purpose
    registries, RFC 6890: loopback, private, link-local, shared and reserved ranges are
    not)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


@lru_cache(maxsize=256)
def resolve(host: str) -> tuple[str, ...]:
    """The addresses ``host`` resolves to (an IP literal: itself); CaptureRefused when it
    does not resolve."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise CaptureRefused(f"host {host} does not resolve ({error})") from None
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def internal_address(url: str) -> str | None:
    """The first non-public address ``url``'s host resolves to, or None."""
    host = urlsplit(url).hostname or ""
    return next((a for a in resolve(host.strip("[]")) if not is_public(a)), None)


def require_public(url: str, *, allow_private: bool) -> None:
    """CaptureRefused if ``url``'s host is internal and internal hosts are not allowed."""
    if allow_private:
        return
    address = internal_address(url)
    if address is not None:
        raise CaptureRefused(
            f"resolves to the internal address {address}; captures of internal addresses "
            "are not allowed by this workbench's settings"
        )
