"""Asking a time-stamping authority over HTTP(S) (RFC 3161, section 3.4: a DER request
posted as application/timestamp-query, a DER response as application/timestamp-reply),
bounded in time and size."""

from __future__ import annotations

import httpx

TIMEOUT_S = 20.0  # per connect, read and write: public authorities answer within seconds
MAX_RESPONSE_BYTES = 1 << 20  # a token with its chain is a few KiB; 1 MiB bounds memory


class AuthorityFailed(Exception):
    """An authority that could not be reached or gave no usable answer (one line)."""


def post_request(url: str, request_der: bytes) -> bytes:
    """The authority's answer to ``request_der``, at most MAX_RESPONSE_BYTES; raises
    AuthorityFailed saying why there is none."""
    headers = {
        "Content-Type": "application/timestamp-query",
        "Accept": "application/timestamp-reply",
    }
    try:
        with (
            httpx.Client(timeout=TIMEOUT_S, follow_redirects=False) as client,
            client.stream("POST", url, content=request_der, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise AuthorityFailed(f"answered HTTP {response.status_code}")
            return _bounded_body(response)
    except httpx.TimeoutException:
        raise AuthorityFailed(f"no answer within {TIMEOUT_S:g} s") from None
    except httpx.HTTPError as error:
        raise AuthorityFailed(f"unreachable ({error})") from None


def _bounded_body(response: httpx.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise AuthorityFailed(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
    return bytes(body)
