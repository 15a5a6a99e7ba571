"""A local RFC 3161 time-stamping authority for tests: a throwaway CA and TSA certificate
made with `openssl req`/`x509`, and `openssl ts -reply` behind a loopback HTTP server."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

CA_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = {cn}
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

# `openssl ts -reply` configuration (openssl-ts(1), "Configuration file options"). The
# token carries the signer's certificate only: the root is what the case is given.
TSA_CONFIG = """\
[tsa]
default_tsa = tsa_config
[tsa_config]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_alg = sha256
"""
POLICY = "1.2.3.4.1"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(folder: Path, cn: str) -> Path:
    """A self-signed root (P-256) in ``folder``: ca.pem and ca.key."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.cnf").write_text(CA_CONFIG.format(cn=cn))
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-config", "ca.cnf",
             "-extensions", "v3_ca", cwd=folder)  # fmt: skip
    return folder / "ca.pem"


def make_tsa(folder: Path) -> None:
    """A TSA certificate (critical extendedKeyUsage timeStamping) issued by ``folder``'s
    root, and the `openssl ts` configuration that signs with it."""
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Test TSA",
             cwd=folder)  # fmt: skip
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.pem", "-days", "3650", "-extfile", "ca.cnf",
             "-extensions", "v3_tsa", cwd=folder)  # fmt: skip
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(TSA_CONFIG.format(dir=folder))


def _handler(folder: Path) -> type[BaseHTTPRequestHandler]:
    class TsaHandler(BaseHTTPRequestHandler):
        """POST /tsa: the query piped to `openssl ts -reply`; any other path answers 503."""

        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path != "/tsa":
                self.send_error(503, "refusing")
                return
            reply = subprocess.run(
                ["openssl", "ts", "-reply", "-config", str(folder / "tsa.cnf"),
                 "-queryfile", "/dev/stdin", "-out", "/dev/stdout"],
                input=query, capture_output=True, check=True,
            ).stdout  # fmt: skip
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: object) -> None:
            pass

    return TsaHandler


@dataclass(frozen=True)
class LocalTsa:
    url: str  # answers with tokens
    refusing_url: str  # answers HTTP 503
    unreachable_url: str  # nothing listens there
    root: Path  # the CA the TSA certificate chains to
    other_root: Path  # a CA it does not chain to


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@contextmanager
def local_tsa(folder: Path) -> Iterator[LocalTsa]:
    """An authority made in ``folder`` and served on loopback while the block runs."""
    root = make_ca(folder, "Test Root CA")
    make_tsa(folder)
    other = make_ca(folder / "other", "Other Root CA")
    server = HTTPServer(("127.0.0.1", 0), _handler(folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield LocalTsa(
            f"{base}/tsa", f"{base}/busy", f"http://127.0.0.1:{_closed_port()}/tsa", root, other
        )
    finally:
        server.shutdown()
        thread.join()
