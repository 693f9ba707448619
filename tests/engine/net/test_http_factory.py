"""The proxy and CA settings reach the network: a local HTTPS server whose certificate only a
test CA vouches for, and a local proxy that records every CONNECT, both real sockets.

The sync remote client (``sync.remote.Remote``, its supabase-py calls) is built from the
one factory, so a ``ca_bundle`` or ``proxy_url`` policy decides whether it gets through."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from engine.config import Settings
from engine.net.http import NetworkSettingsError, aiohttp_options, make_client
from sync.remote.client import Remote, TransientError


@dataclass
class Certs:
    ca: Path  # the CA's certificate (what a ca_bundle names)
    other_ca: Path  # a CA that did not sign the server
    chain: Path  # the server's certificate
    key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert = _ca("ByteOS test inspection CA")
    _, other = _ca("Some other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    out = Certs(folder / "ca.pem", folder / "other.pem", folder / "server.pem", folder / "key.pem")
    out.ca.write_bytes(ca_cert.public_bytes(pem))
    out.other_ca.write_bytes(other.public_bytes(pem))
    out.chain.write_bytes(cert.public_bytes(pem))
    out.key.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return out


@dataclass
class Server:
    url: str
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def https_server(certs: Certs) -> Iterator[Server]:
    """PostgREST as far as ``Remote.get`` needs: any GET answers ``[]``."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = json.dumps([{"id": "r1"}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs.chain, certs.key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"https://127.0.0.1:{httpd.server_address[1]}", seen)
    httpd.shutdown()
    httpd.server_close()


@dataclass
class Proxy:
    url: str
    connects: list[str] = field(default_factory=list)


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    """An HTTP proxy that tunnels CONNECT (as a corporate proxy does) and records it."""
    record: list[str] = []

    class Tunnel(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            if method != "CONNECT":
                self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                return
            record.append(target)
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=5)
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            pair = [self.request, upstream]
            try:
                while True:
                    ready, _, _ = select.select(pair, [], [], 5)
                    if not ready:
                        return
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            return
                        (upstream if sock is self.request else self.request).sendall(data)
            finally:
                upstream.close()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Tunnel)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Proxy(f"http://127.0.0.1:{server.server_address[1]}", record)
    server.shutdown()
    server.server_close()


def test_the_sync_client_trusts_the_extra_ca_and_only_then(
    certs: Certs, https_server: Server
) -> None:
    trusted = Settings(ca_bundle=certs.ca, proxy_mode="none")
    remote = Remote(https_server.url, "anon", settings=trusted)
    try:
        assert remote.get("profiles", id="r1") == [{"id": "r1"}]
    finally:
        remote.close()
    assert https_server.paths and https_server.paths[0].startswith("/rest/v1/profiles")
    for untrusted in (Settings(proxy_mode="none"), Settings(ca_bundle=certs.other_ca)):
        remote = Remote(https_server.url, "anon", settings=untrusted)
        try:
            with pytest.raises(TransientError, match="CERTIFICATE_VERIFY_FAILED"):
                remote.get("profiles")
        finally:
            remote.close()


def test_a_locked_policy_reaches_the_sync_client_through_the_settings(
    certs: Certs, https_server: Server, proxy: Proxy, policy_file: Path
) -> None:
    policy_file.parent.mkdir(parents=True)
    locked = {"ca_bundle": str(certs.ca), "proxy_mode": "explicit", "proxy_url": proxy.url}
    policy_file.write_text(json.dumps({"locked": locked}), encoding="utf-8")
    remote = Remote(https_server.url, "anon")  # no settings passed: the effective ones
    try:
        assert remote.get("profiles") == [{"id": "r1"}]
    finally:
        remote.close()
    port = https_server.url.rsplit(":", 1)[1]
    assert proxy.connects == [f"127.0.0.1:{port}"]


def test_the_sdk_flavour_of_the_client_uses_the_same_proxy_and_ca(
    certs: Certs, https_server: Server, proxy: Proxy
) -> None:
    config = Settings(ca_bundle=certs.ca, proxy_mode="explicit", proxy_url=proxy.url)
    with make_client(config, timeout=5, library="httpx2") as client:  # OpenAI / Anthropic SDKs
        assert client.get(https_server.url + "/v1/models").status_code == 200
    assert len(proxy.connects) == 1


def test_aiohttp_options_carry_proxy_and_ca_for_edge_tts(
    certs: Certs, https_server: Server, proxy: Proxy
) -> None:
    import aiohttp

    options = aiohttp_options(
        Settings(ca_bundle=certs.ca, proxy_mode="explicit", proxy_url=proxy.url)
    )

    async def fetch() -> int:
        async with (
            aiohttp.ClientSession() as session,
            session.get(https_server.url + "/voice", **options) as response,
        ):
            return response.status

    assert asyncio.run(fetch()) == 200
    assert len(proxy.connects) == 1


def test_a_ca_bundle_that_cannot_be_read_is_said_clearly(tmp_path: Path) -> None:
    with pytest.raises(NetworkSettingsError, match=r"missing\.pem \(setting ca_bundle\)"):
        make_client(Settings(ca_bundle=tmp_path / "missing.pem"))
    with pytest.raises(NetworkSettingsError, match="no proxy_url"):
        make_client(Settings(proxy_mode="explicit"))


def test_a_pac_file_naming_one_proxy_is_followed(
    certs: Certs, https_server: Server, proxy: Proxy
) -> None:
    pac = f'function FindProxyForURL(url, host) {{ return "PROXY {proxy.url[7:]}; DIRECT"; }}'

    class PacHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pac.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ns-proxy-autoconfig")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), PacHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        pac_url = f"http://127.0.0.1:{httpd.server_address[1]}/proxy.pac"
        config = Settings(ca_bundle=certs.ca, proxy_mode="pac", proxy_pac_url=pac_url)
        with make_client(config, timeout=5) as client:
            assert client.get(https_server.url + "/x").status_code == 200
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(proxy.connects) == 1
