"""Test PKI: CA hierarchies made with cryptography, and TLS servers that
require client certificates (openssl s_server, Python ssl in a thread).

Used by test_chain, test_pem, test_probe and test_check. EC P-256 keys by
default (fast); RSA where a test needs it (Salesforce wants RSA).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PEM = serialization.Encoding.PEM


@functools.cache
def rsa_key(n: int = 0, bits: int = 2048) -> rsa.RSAPrivateKey:
    """Cached RSA keys (generation is the slow part of these tests)."""
    return rsa.generate_private_key(65537, bits)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def dn(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def make_cert(
    cn: str,
    key: Any,
    issuer: tuple[x509.Certificate, Any] | None = None,
    *,
    ca: bool = False,
    eku: list[x509.ObjectIdentifier] | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    aia: str | None = None,
    key_usage: x509.KeyUsage | None = None,
    san: list[str] | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    subject = dn(cn)
    if issuer is None:
        issuer_name, issuer_key = subject, key
    else:
        issuer_name, issuer_key = issuer[0].subject, issuer[1]
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if ca:
        b = b.add_extension(
            key_usage
            or x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    elif key_usage is not None:
        b = b.add_extension(key_usage, critical=True)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if san:
        b = b.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(__import__("ipaddress").ip_address(s))
                    if s[0].isdigit()
                    else x509.DNSName(s)
                    for s in san
                ]
            ),
            critical=False,
        )
    if aia:
        b = b.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(aia),
                    )
                ]
            ),
            critical=False,
        )
    return b.sign(issuer_key, hashes.SHA256())


CLIENT = [ExtendedKeyUsageOID.CLIENT_AUTH]
SERVER = [ExtendedKeyUsageOID.SERVER_AUTH]


@dataclass
class Pki:
    """root -> intermediate -> leaf (clientAuth), plus the server certificate."""

    root: x509.Certificate
    root_key: Any
    inter: x509.Certificate
    inter_key: Any
    leaf: x509.Certificate
    leaf_key: Any

    @property
    def chain(self) -> list[x509.Certificate]:
        return [self.leaf, self.inter]

    def issue(self, cn: str, key: Any | None = None, **kw: Any) -> tuple[x509.Certificate, Any]:
        key = key or ec_key()
        kw.setdefault("eku", CLIENT)
        return make_cert(cn, key, (self.inter, self.inter_key), **kw), key


def make_pki(prefix: str = "Test", *, leaf_key: Any | None = None, aia: str | None = None) -> Pki:
    rk, ik = ec_key(), ec_key()
    lk = leaf_key or ec_key()
    root = make_cert(f"{prefix} Root CA", rk, ca=True)
    inter = make_cert(f"{prefix} Intermediate CA", ik, (root, rk), ca=True)
    leaf = make_cert(f"{prefix} client", lk, (inter, ik), eku=CLIENT, aia=aia)
    return Pki(root, rk, inter, ik, leaf, lk)


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(PEM) for c in certs)


def key_pem(key: Any, password: bytes | None = None, fmt: str = "pkcs8") -> bytes:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    pf = {
        "pkcs8": serialization.PrivateFormat.PKCS8,
        "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
    }[fmt]
    return key.private_bytes(PEM, pf, enc)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def key_entry(alias: str, key: Any, chain: list[x509.Certificate]) -> Any:
    from keystoretool.entries import PrivateKeyEntry

    pkcs8 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return PrivateKeyEntry(
        alias=alias,
        chain_der=[c.public_bytes(serialization.Encoding.DER) for c in chain],
        pkcs8=pkcs8,
    )


# ---------------------------------------------------------------------------
# TLS servers requiring a client certificate
# ---------------------------------------------------------------------------
@dataclass
class Server:
    host: str
    port: int
    kind: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def server_files(tmp: Path, pki: Pki) -> tuple[Path, Path, Path]:
    """(cert, key, client-CA file) for a server certificate from ``pki``'s root."""
    sk = ec_key()
    scert = make_cert(
        "localhost", sk, (pki.root, pki.root_key), eku=SERVER, san=["localhost", "127.0.0.1"]
    )
    cert = write(tmp / "server.pem", pem(scert))
    key = write(tmp / "server.key", key_pem(sk))
    cafile = write(tmp / "clientca.pem", pem(pki.root))
    return cert, key, cafile


@contextmanager
def openssl_server(tmp: Path, pki: Pki, extra_args: tuple[str, ...] = ()) -> Iterator[Server]:
    """``openssl s_server -Verify 2 -CAfile root.pem -www`` on an ephemeral port."""
    from interop import openssl_path

    openssl = openssl_path()  # ToolMissing: skipped, or failed in CI (tests/conftest.py)
    cert, key, cafile = server_files(tmp, pki)
    proc = subprocess.Popen(
        [
            openssl,
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-cert",
            str(cert),
            "-key",
            str(key),
            "-Verify",
            "2",
            "-CAfile",
            str(cafile),
            "-verify_return_error",
            "-www",
            *extra_args,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert proc.stdout is not None
        port = 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode(errors="replace")
            if not line:
                break
            if line.startswith("ACCEPT"):
                port = int(line.rsplit(":", 1)[1])
                break
        assert port, "openssl s_server did not start"
        # Drain output so the server never blocks on a full pipe.
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        yield Server("127.0.0.1", port, "openssl")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait(timeout=5)


@contextmanager
def python_server(tmp: Path, pki: Pki, *, tls13: bool = True,
                  client_auth: bool = True) -> Iterator[Server]:
    """A Python ssl server in a thread requiring a client certificate from
    ``pki``'s root (``client_auth=False``: never asking for one); answers one
    line per accepted connection."""
    cert, key, cafile = server_files(tmp, pki)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    ctx.load_verify_locations(str(cafile))
    ctx.verify_mode = ssl.CERT_REQUIRED if client_auth else ssl.CERT_NONE
    if not tls13:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    lsock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = lsock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(5)
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    peer = tls.getpeercert() or {}
                    tls.sendall(b"hello " + str(peer.get("subject")).encode() + b"\n")
                    try:
                        tls.recv(1024)
                    except (OSError, ssl.SSLError):
                        pass
            except (OSError, ssl.SSLError):
                pass
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Server("127.0.0.1", lsock.getsockname()[1], "python")
    finally:
        stop.set()
        thread.join(timeout=5)
        lsock.close()


def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def env_without_proxy() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def save_store(path: Path, entries: list[Any], store_type: str = "PKCS12",
               password: str = "changeit") -> Path:
    """A keystore file holding ``entries`` (made through the model), e.g.
    ``save_store(tmp_path / "t.p12", [key_entry(...), TrustedCertEntry(...)])``."""
    from keystoretool.model import Keystore

    ks = Keystore.new(store_type, password)
    for e in entries:
        ks.put(e.alias, e)
    ks.save(str(path))
    return path
