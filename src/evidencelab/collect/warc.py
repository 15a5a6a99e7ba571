"""The capture as WARC 1.1 (ISO 28500:2017; https://iipc.github.io/warc-specifications/
specifications/warc-format/warc-1.1/), written with warcio: a ``warcinfo`` record, a
``request`` and ``response`` record per exchange, and ``resource`` records for what the
browser made of the page under Browsertrix's URN conventions (``urn:view:`` screenshot,
``urn:dom:``, ``urn:mhtml:``, ``urn:text:``, ``urn:pageinfo:``).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from evidencelab.collect.browser import Exchange
from evidencelab.collect.records import ExchangeRecord

# What recording from the browser changes, declared in the capture record (Berkeley
# Protocol: document every transformation).
TRANSFORMATIONS = (
    "HTTP bodies are recorded as the browser decoded them: Content-Encoding and "
    "Transfer-Encoding headers are dropped and Content-Length set to the decoded length",
    "HTTP/2 and HTTP/3 exchanges are written with HTTP/1.1 status and request lines",
    "embedded media the browser did not receive whole are fetched again in full by the same "
    "browser context and recorded as separate exchanges",
)
DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def write_warc(
    path: Path,
    exchanges: list[Exchange],
    resources: list[tuple[str, str, bytes]],
    info: dict[str, str],
) -> None:
    """Write the WARC (gzip per record) to ``path``: ``resources`` are (URI, media type,
    bytes)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        for exchange in exchanges:
            if exchange.status is not None:
                _write_exchange(writer, exchange)
        for uri, media_type, data in resources:
            writer.write_record(
                writer.create_warc_record(
                    uri, "resource", payload=BytesIO(data), warc_content_type=media_type
                )
            )


def _write_exchange(writer: WARCWriter, exchange: Exchange) -> None:
    assert exchange.status is not None
    phrase = exchange.status_text or _phrase(exchange.status)
    headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in DROPPED_HEADERS]
    headers.append(("Content-Length", str(len(exchange.body))))
    dated = {"WARC-Date": exchange.at}
    response = writer.create_warc_record(
        exchange.url,
        "response",
        payload=BytesIO(exchange.body),
        http_headers=StatusAndHeaders(f"{exchange.status} {phrase}", headers, protocol="HTTP/1.1"),
        warc_headers_dict={
            **dated,
            **({"WARC-IP-Address": exchange.server_ip} if exchange.server_ip else {}),
        },
    )
    parts = urlsplit(exchange.url)
    target = parts.path or "/"
    target += f"?{parts.query}" if parts.query else ""
    request_headers = [(k, v) for k, v in exchange.request_headers if not k.startswith(":")]
    if not any(k.lower() == "host" for k, _ in request_headers):
        request_headers.insert(0, ("Host", parts.netloc))
    request = writer.create_warc_record(
        exchange.url,
        "request",
        payload=BytesIO(exchange.request_body or b""),
        http_headers=StatusAndHeaders(
            f"{exchange.method} {target} HTTP/1.1", request_headers, is_http_request=True
        ),
        warc_headers_dict=dated,
    )
    writer.write_request_response_pair(request, response)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def exchange_records(exchanges: list[Exchange], refused: list[str]) -> list[ExchangeRecord]:
    """The page-info list: every request with its status, type, size and address; each
    request refused by the capture's rules as a failure."""
    records = [
        ExchangeRecord(
            url=e.url,
            method=e.method,
            resource_type=e.resource_type,
            status=e.status,
            media_type=_media_type(e),
            size_bytes=len(e.body),
            server_ip=e.server_ip,
            failure=e.failure,
        )
        for e in exchanges
    ]
    for line in refused:
        url, _, why = line.rpartition(": ")
        records.append(
            ExchangeRecord(
                url=url,
                method="GET",
                resource_type="refused",
                status=None,
                media_type=None,
                size_bytes=0,
                server_ip=None,
                failure=f"refused: {why}",
            )
        )
    return records


def page_info_json(url: str, title: str, records: list[ExchangeRecord]) -> bytes:
    return json.dumps({"url": url, "title": title, "requests": records}, indent=1).encode()


def _media_type(exchange: Exchange) -> str | None:
    found = (v for k, v in exchange.response_headers if k.lower() == "content-type")
    value = next(found, None)
    return value.split(";")[0].strip() if value else None
