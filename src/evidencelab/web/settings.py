"""Settings of the web workbench."""

from __future__ import annotations

from dataclasses import dataclass, field

from evidencelab.service.exchange.case_archive import ArchiveLimits

ARCHIVE_SIZE_FACTOR = 4  # default uncompressed limit of an archive: this × the upload limit


@dataclass(frozen=True)
class WebSettings:
    """How the app is served.

    ``tiles_url``: a Leaflet tile URL template (``https://tile.example/{z}/{x}/{y}.png``);
    None draws maps offline with no basemap. ``secure_cookies``: "always", "never" or
    "auto" (Secure when the request came over TLS, or an ``X-Forwarded-Proto: https`` from
    an address in ``trusted_proxies``). ``max_upload_bytes``: uploads larger are refused.
    ``archive_max_members`` and ``archive_max_bytes`` (uncompressed; None: 4 × the upload
    limit) bound a case archive imported on the import page.
    """

    tiles_url: str | None = None
    tiles_attribution: str = ""
    max_upload_bytes: int = 512 * 1024 * 1024
    secure_cookies: str = "auto"
    trusted_proxies: tuple[str, ...] = field(default_factory=tuple)
    archive_max_members: int = 10_000
    archive_max_bytes: int | None = None

    def archive_limits(self) -> ArchiveLimits:
        return ArchiveLimits(
            max_members=self.archive_max_members,
            max_total_bytes=self.archive_max_bytes or ARCHIVE_SIZE_FACTOR * self.max_upload_bytes,
        )
