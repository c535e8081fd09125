"""keystoretool.tls.probe_client_auth against real TLS servers on 127.0.0.1 that require a
client certificate: openssl s_server (sends its accepted CA names) and a
Python ssl server in a thread (sends none), TLS 1.3 and TLS 1.2."""

from __future__ import annotations

import datetime as dt
import functools
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from pkihelpers import Pki, Server, free_port, make_pki, openssl_server, python_server

from keystoretool import tls, tlsmsg
from keystoretool.errors import KeystoreToolError

pytestmark = pytest.mark.interop

ServerFactory = Callable[[Path, Pki], AbstractContextManager[Server]]

SERVERS: dict[str, ServerFactory] = {
    "openssl-tls13": openssl_server,
    "openssl-tls12": functools.partial(openssl_server, extra_args=("-tls1_2",)),
    "python-tls13": python_server,
    "python-tls12": functools.partial(python_server, tls13=False),
}


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("Probe")


@pytest.fixture(scope="module")
def other() -> Pki:
    return make_pki("Stranger")


@pytest.fixture(params=list(SERVERS))
def server(request: Any, pki: Pki, tmp_path: Path) -> Iterator[Server]:
    with SERVERS[request.param](tmp_path, pki) as srv:
        yield srv


def test_accepted_with_full_chain(server: Server, pki: Pki) -> None:
    r = tls.probe_client_auth(server.host, server.port, pki.leaf_key, pki.chain, timeout=10)
    assert r.accepted, (r.alert, r.error, r.notes)
    assert r.certificate_requested
    assert r.protocol in ("TLSv1.2", "TLSv1.3")
    assert r.cipher
    assert r.diagnosis == []
    assert r.server_chain and r.server_chain[0].subject.rfc4514_string().startswith("CN=localhost")
    if server.kind == "openssl":
        assert r.accepted_ca_names == [pki.root.subject]
    else:  # Python's ssl server sends no CA names
        assert r.accepted_ca_names == []


def test_rejected_without_intermediate(server: Server, pki: Pki) -> None:
    r = tls.probe_client_auth(server.host, server.port, pki.leaf_key, [pki.leaf], timeout=10)
    assert not r.accepted
    assert r.alert == "unknown_ca"
    assert len(r.diagnosis) == 1
    assert r.diagnosis[0].startswith("intermediate missing from what was sent")
    assert "CN=Probe Intermediate CA" in r.diagnosis[0]


def test_rejected_certificate_from_another_ca(server: Server, other: Pki) -> None:
    r = tls.probe_client_auth(server.host, server.port, other.leaf_key, other.chain, timeout=10)
    assert not r.accepted
    assert r.alert == "unknown_ca"
    if server.kind == "openssl":
        assert r.diagnosis[0].startswith("issuer not among the accepted CAs")
        assert "CN=Stranger Root CA" in r.diagnosis[0]
        assert "the server accepts: CN=Probe Root CA" in r.diagnosis[0]
    else:
        assert "does not trust the issuer" in r.diagnosis[0]


def test_rejected_expired(tmp_path: Path, pki: Pki) -> None:
    now = dt.datetime.now(dt.UTC)
    old, key = pki.issue(
        "expired client",
        not_before=now - dt.timedelta(days=9),
        not_after=now - dt.timedelta(days=1),
    )
    with openssl_server(tmp_path, pki) as srv:
        r = tls.probe_client_auth(srv.host, srv.port, key, [old, pki.inter], timeout=10)
    assert not r.accepted
    assert r.alert == "certificate_expired"
    assert r.diagnosis[0].startswith("certificate expired: CN=expired client")


def test_server_verification_with_cafile(tmp_path: Path, pki: Pki) -> None:
    with openssl_server(tmp_path, pki) as srv:
        r = tls.probe_client_auth(
            "localhost", srv.port, pki.leaf_key, pki.chain, cafile=str(tmp_path / "clientca.pem")
        )
        assert r.accepted and r.server_verified is True
        stranger = tmp_path / "stranger.pem"
        from pkihelpers import pem

        stranger.write_bytes(pem(make_pki("Nobody").root))
        r = tls.probe_client_auth(srv.host, srv.port, pki.leaf_key, pki.chain, cafile=str(stranger))
        assert r.accepted and r.server_verified is False


def test_connection_refused_is_clean(pki: Pki) -> None:
    port = free_port()
    with pytest.raises(KeystoreToolError, match=f"Connection refused: 127.0.0.1:{port}"):
        tls.probe_client_auth("127.0.0.1", port, pki.leaf_key, pki.chain, timeout=5)


def test_unknown_host_is_clean(pki: Pki) -> None:
    with pytest.raises(KeystoreToolError, match="Unknown host: no-such-host.invalid"):
        tls.probe_client_auth("no-such-host.invalid", 8443, pki.leaf_key, pki.chain, timeout=5)


def _tcp_server(behaviour: Callable[[socket.socket], None]) -> tuple[int, Callable[[], None]]:
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    lsock.settimeout(5)
    conns: list[socket.socket] = []

    def run() -> None:
        try:
            conn, _ = lsock.accept()
        except OSError:
            return
        conns.append(conn)
        behaviour(conn)

    t = threading.Thread(target=run, daemon=True)
    t.start()

    def stop() -> None:
        lsock.close()
        for c in conns:
            c.close()
        t.join(timeout=5)

    return lsock.getsockname()[1], stop


def test_handshake_timeout_is_clean(pki: Pki) -> None:
    silent = threading.Event()
    port, stop = _tcp_server(lambda conn: silent.wait(5))
    try:
        with pytest.raises(KeystoreToolError, match="Timed out in the TLS handshake"):
            tls.probe_client_auth("127.0.0.1", port, pki.leaf_key, pki.chain, timeout=0.5)
    finally:
        silent.set()
        stop()


def test_not_tls_is_clean(pki: Pki) -> None:
    def http(conn: socket.socket) -> None:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    port, stop = _tcp_server(http)
    try:
        with pytest.raises(KeystoreToolError, match="127.0.0.1:.* does not speak TLS"):
            tls.probe_client_auth("127.0.0.1", port, pki.leaf_key, pki.chain, timeout=5)
    finally:
        stop()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("example.com", ("example.com", 8443)),
        ("example.com:443", ("example.com", 443)),
        ("[::1]", ("::1", 8443)),
        ("[::1]:9443", ("::1", 9443)),
        ("::1", ("::1", 8443)),
    ],
)
def test_parse_target(target: str, expected: tuple[str, int]) -> None:
    assert tls.parse_target(target) == expected


@pytest.mark.parametrize("bad", ["host:0", "host:99999", "host:x", ":443", "[::1"])
def test_parse_target_rejects(bad: str) -> None:
    with pytest.raises(KeystoreToolError):
        tls.parse_target(bad)


def test_parse_name_round_trip(pki: Pki) -> None:
    der = pki.inter.subject.public_bytes()
    assert tlsmsg.parse_name(der) == pki.inter.subject
    with pytest.raises(ValueError):
        tlsmsg.parse_name(der[:-3])


# ---------------------------------------------------------------------------
# The `probe` command, with keystores
# ---------------------------------------------------------------------------
PW = "changeit"


def _store(tmp_path: Path, entries: dict[str, tuple[Any, list[Any]]]) -> Path:
    from pkihelpers import key_entry

    from keystoretool.model import Keystore

    ks = Keystore.new("JKS", PW)
    for alias, (key, chain) in entries.items():
        ks.put(alias, key_entry(alias, key, chain))
    path = tmp_path / "client.jks"
    ks.save(str(path))
    return path


def test_cli_probe_verdicts(tmp_path: Path, pki: Pki, other: Pki) -> None:
    import json

    from interop import run_cli

    store = _store(
        tmp_path,
        {
            "full": (pki.leaf_key, pki.chain),
            "leafonly": (pki.leaf_key, [pki.leaf]),
            "stranger": (other.leaf_key, other.chain),
        },
    )
    base = ["--keystore", store, "--storepass", PW, "--timeout", "10"]
    with openssl_server(tmp_path, pki) as srv:
        res = run_cli(["probe", srv.address, "--alias", "full", *base])
        out = res.stdout.decode()
        assert res.returncode == 0, out + res.stderr.decode()
        assert "Client certificate: ACCEPTED" in out
        assert "Accepted client CA names:\n  CN=Probe Root CA, O=Test PKI\n" in out
        assert "Chain sent:\n  [1] CN=Probe client, O=Test PKI" in out
        assert "  [2] CN=Probe Intermediate CA, O=Test PKI" in out
        assert "Server chain:\n  [1] CN=localhost, O=Test PKI" in out

        res = run_cli(["probe", srv.address, "--alias", "leafonly", *base])
        out = res.stdout.decode()
        assert res.returncode == 2, out + res.stderr.decode()
        assert "Client certificate: REJECTED (unknown_ca)" in out
        assert "diagnosis: intermediate missing from what was sent" in out

        res = run_cli(["probe", srv.address, "--alias", "stranger", *base, "--json"])
        assert res.returncode == 2
        doc = json.loads(res.stdout)
        assert doc["verdict"] == "rejected" and doc["alert"] == "unknown_ca"
        assert doc["accepted_ca_names"] == ["CN=Probe Root CA, O=Test PKI"]
        assert doc["diagnosis"][0].startswith("issuer not among the accepted CAs")
        assert [c["subject"] for c in doc["sent_chain"]] == [
            "CN=Stranger client, O=Test PKI",
            "CN=Stranger Intermediate CA, O=Test PKI",
        ]

    with python_server(tmp_path, pki) as srv:
        res = run_cli(["probe", srv.address, "--alias", "full", *base])
        assert res.returncode == 0, res.stdout + res.stderr
        assert b"(none sent: the server did not say which CAs it accepts)" in res.stdout


def test_cli_probe_errors(tmp_path: Path, pki: Pki) -> None:
    from interop import run_cli

    store = _store(tmp_path, {"full": (pki.leaf_key, pki.chain)})
    port = free_port()
    res = run_cli(
        [
            "probe",
            f"127.0.0.1:{port}",
            "--alias",
            "full",
            "--keystore",
            store,
            "--storepass",
            PW,
            "--timeout",
            "5",
        ]
    )
    assert res.returncode == 1
    assert res.stderr.endswith(
        f"keystoretool error: Connection refused: 127.0.0.1:{port}\n".encode()
    )
    res = run_cli(
        ["probe", "127.0.0.1:http", "--alias", "full", "--keystore", store, "--storepass", PW]
    )
    assert res.returncode == 1 and b"Invalid port: http" in res.stderr


def test_parse_handshake_messages(pki: Pki) -> None:
    dn = pki.root.subject.public_bytes()
    names = len(dn).to_bytes(2, "big") + dn
    # TLS 1.3: context, extensions { certificate_authorities (47) }
    ext = (47).to_bytes(2, "big") + (len(names) + 2).to_bytes(2, "big")
    ext += len(names).to_bytes(2, "big") + names
    body13 = b"\x00" + len(ext).to_bytes(2, "big") + ext
    assert tlsmsg.parse_certificate_request(body13, tls13=True) == [dn]
    # TLS 1.2: certificate_types, signature algorithms, CA names
    body12 = b"\x01\x01" + b"\x00\x02\x04\x03" + len(names).to_bytes(2, "big") + names
    assert tlsmsg.parse_certificate_request(body12, tls13=False) == [dn]
    for cut in (1, 3, len(body13) - 1):
        with pytest.raises(ValueError):
            tlsmsg.parse_certificate_request(body13[:cut], tls13=True)
    from cryptography.hazmat.primitives.serialization import Encoding

    der = pki.leaf.public_bytes(Encoding.DER)
    entry12 = len(der).to_bytes(3, "big") + der
    msg12 = len(entry12).to_bytes(3, "big") + entry12
    assert tlsmsg.parse_certificate_message(msg12, tls13=False) == [der]
    entry13 = entry12 + b"\x00\x00"
    msg13 = b"\x00" + len(entry13).to_bytes(3, "big") + entry13
    assert tlsmsg.parse_certificate_message(msg13, tls13=True) == [der]
    with pytest.raises(ValueError):
        tlsmsg.parse_certificate_message(msg13[:-3], tls13=True)
