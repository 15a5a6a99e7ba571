"""Settings of the web workbench."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WebSettings:
    """How the app is served.

    ``tiles_url``: a Leaflet tile URL template (``https://tile.example/{z}/{x}/{y}.png``);
    None draws maps offline with no basemap. ``secure_cookies``: "always", "never" or
    "auto" (Secure when the request came over TLS, or an ``X-Forwarded-Proto: https`` from
    an address in ``trusted_proxies``). ``max_upload_bytes``: uploads larger are refused.
    """

    tiles_url: str | None = None
    tiles_attribution: str = ""
    max_upload_bytes: int = 512 * 1024 * 1024
    secure_cookies: str = "auto"
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
