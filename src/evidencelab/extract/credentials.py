"""Content credentials (C2PA manifests) read with c2pa-python, offline.

The C2PA specification (Content Credentials: C2PA Technical Specification 2.2,
https://c2pa.org/specifications/) binds a signed manifest to a file by hashes of its
bytes. The library (c2pa-python over c2pa-rs) checks those hashes and the signature and
reports a validation state: ``Invalid`` (a hash or the signature does not hold),
``Valid`` (they hold) or ``Trusted`` (they hold and the signing certificate chains to a
trust anchor). Reading here never uses the network: remote manifests and OCSP responses
are not fetched, no network host is allowed, and the trust anchors are the PEM file
pinned in the package (``evidencelab/data/c2pa/trust-anchors.pem``), empty as shipped.
"""

from __future__ import annotations

import hashlib
from importlib.resources import files
from typing import Any

import c2pa

from evidencelab.extract.types import CredentialsReading, Limits
from evidencelab.extract.units import ExtractionContext, Extractor

# What a reading found: no manifest (the normal case), a format the library does not read,
# or the library's validation state in lower case.
STATES = ("none", "unsupported", "invalid", "valid", "trusted")
_LIBRARY_STATES = {"Invalid": "invalid", "Valid": "valid", "Trusted": "trusted"}


def pinned_anchors() -> str:
    """The trust anchors pinned in the package, as PEM text (empty as shipped)."""
    return files("evidencelab.data").joinpath("c2pa", "trust-anchors.pem").read_text("ascii")


def library_version() -> str:
    """The versions of the Python binding and of the C2PA Rust library under it."""
    return f"c2pa-python {c2pa.__version__} (c2pa-rs {c2pa.sdk_version()})"


def offline_settings(anchors_pem: str) -> dict[str, Any]:
    """c2pa-rs settings that keep reading offline and trust only ``anchors_pem``.

    An anchor set without a certificate is passed as none at all (the library refuses an
    empty PEM text): c2pa-rs has no trust anchors of its own, so nothing reads as trusted.
    """
    anchors = anchors_pem if "-----BEGIN CERTIFICATE-----" in anchors_pem else None
    return {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False, "verify_trust": True},
        "core": {"allowed_network_hosts": []},
        "trust": {"trust_anchors": anchors},
    }


class CredentialsReader:
    """Reads the content credentials of files against one set of trust anchors."""

    def __init__(self, anchors_pem: str | None = None) -> None:
        pem = pinned_anchors() if anchors_pem is None else anchors_pem
        self.anchors_sha256 = hashlib.sha256(pem.encode("ascii")).hexdigest()
        self.library = library_version()
        self.context = c2pa.Context.from_dict(offline_settings(pem))

    def close(self) -> None:
        self.context.close()

    def read(self, data: Any) -> CredentialsReading:
        """The content credentials of a binary stream (the format found from its bytes)."""
        try:
            reader = c2pa.Reader.try_create(data, context=self.context)
        except c2pa.C2paError.NotSupported:
            return self._reading("unsupported")
        except c2pa.C2paError as error:
            return self._reading("invalid", problem=_one_line(error))
        if reader is None:
            return self._reading("none")
        with reader:
            state = _LIBRARY_STATES.get(reader.get_validation_state() or "", "invalid")
            return self._reading(
                state,
                manifest=reader.get_active_manifest(),
                validation_results=reader.get_validation_results(),
            )

    def _reading(
        self,
        state: str,
        *,
        manifest: dict[str, Any] | None = None,
        validation_results: dict[str, Any] | None = None,
        problem: str | None = None,
    ) -> CredentialsReading:
        return CredentialsReading(
            state, self.library, self.anchors_sha256, manifest, validation_results, problem
        )


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


class C2paExtractor(Extractor):
    """Content credentials (C2PA) of any file, read offline against the pinned anchors."""

    name = "c2pa"

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.reader: CredentialsReader | None = None

    def applies_to(self, ctx: ExtractionContext) -> bool:
        return True

    def run(self, ctx: ExtractionContext) -> None:
        if self.reader is None:
            self.reader = CredentialsReader()
        with ctx.path.open("rb") as stream:
            ctx.content_credentials = self.reader.read(stream)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
            self.reader = None
