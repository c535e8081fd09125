"""probe without a client key, a server that never asks for a client
certificate, keytool's -printcert -sslserver, and failures in plain words;
every --json outcome validates against the shipped schema."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from interop import run_cli, run_keytool
from jsonschema import Draft202012Validator
from pkihelpers import (
    key_entry,
    make_pki,
    openssl_server,
    pem,
    python_server,
    save_store,
    write,
)

from keystoretool.jsondoc import schema_text

PW = "changeit"
VALIDATOR = Draft202012Validator(json.loads(schema_text()))


def valid(text: bytes, kind: str) -> dict[str, Any]:
    doc = json.loads(text)
    errors = [f"{list(e.path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
    assert not errors, errors[:5]
    assert doc["kind"] == kind
    return doc


@pytest.fixture(scope="module")
def pki() -> Any:
    return make_pki("NoClient")


@pytest.fixture
def client(tmp_path: Path, pki: Any) -> list[str]:
    path = save_store(tmp_path / "client.p12", [key_entry("client", pki.leaf_key, pki.chain)])
    return ["--keystore", str(path), "--alias", "client", "--storepass", PW]


@contextmanager
def http_server() -> Iterator[int]:
    """A plain HTTP/1.1 server on 127.0.0.1 answering 400 to anything."""
    lsock = socket.create_server(("127.0.0.1", 0))
    lsock.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = lsock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield lsock.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        lsock.close()


def test_server_that_never_asks_has_its_own_verdict(tmp_path: Path, pki: Any,
                                                    client: list[str]) -> None:
    with python_server(tmp_path, pki, client_auth=False) as srv:
        res = run_cli(["probe", srv.address, *client])
        out = res.stdout.decode()
        assert res.returncode == 3, out + res.stderr.decode()
        assert "ACCEPTED" not in out
        assert out.endswith("Client certificate: NOT REQUESTED (the server never asks for "
                            "one; nothing was tested)\n")
        res = run_cli(["probe", srv.address, *client, "--json"])
        assert res.returncode == 3
        doc = valid(res.stdout, "probe")
        assert doc["verdict"] == "not-requested" and doc["certificate_requested"] is False
        # keyless: the same verdict and exit status
        res = run_cli(["probe", srv.address, "--json"])
        assert res.returncode == 3
        doc = valid(res.stdout, "probe")
        assert doc["verdict"] == "not-requested" and doc["sent_chain"] == []
        assert doc["server_chain"][0]["subject"] == "CN=localhost, O=Test PKI"


def test_keyless_probe_shows_the_server(tmp_path: Path, pki: Any) -> None:
    with openssl_server(tmp_path, pki) as srv:
        res = run_cli(["probe", srv.address])
        out = res.stdout.decode()
        assert res.returncode == 0, out + res.stderr.decode()
        assert "Chain sent:" not in out
        assert "Server chain:\n  [1] CN=localhost, O=Test PKI\n" in out
        assert "Accepted client CA names:\n  CN=NoClient Root CA, O=Test PKI\n" in out
        assert out.startswith(f"Server: {srv.address}\nProtocol: TLSv1.3    Cipher: TLS_")
        assert out.endswith("Client certificate: REQUESTED (probe with --keystore and --alias "
                            "to test one)\n")
        res = run_cli(["probe", srv.address, "--json"])
        assert res.returncode == 0
        doc = valid(res.stdout, "probe")
        assert doc["verdict"] == "requested"
        assert doc["accepted_ca_names"] == ["CN=NoClient Root CA, O=Test PKI"]
        assert doc["protocol"] == "TLSv1.3" and doc["cipher"]


@pytest.mark.parametrize("rfc", [False, True])
def test_printcert_sslserver_matches_keytool(tmp_path: Path, pki: Any, rfc: bool,
                                             require_keytool: str) -> None:
    with python_server(tmp_path, pki, client_auth=False) as srv:
        args = ["-printcert", "-sslserver", srv.address, *(["-rfc"] if rfc else [])]
        theirs = run_keytool(args)
        ours = run_cli(args)
        assert ours.returncode == theirs.returncode == 0, ours.stderr
        assert ours.stdout == theirs.stdout
        res = run_cli(["printcert", "--sslserver", srv.address, "--json"])
        doc = valid(res.stdout, "printcert")
        assert doc["source"] == srv.address
        assert [c["subject"] for c in doc["certificates"]] == [
            "CN=localhost, O=Test PKI", "CN=NoClient Root CA, O=Test PKI"]


def test_plain_http_is_explained_and_json_on_error(client: list[str]) -> None:
    with http_server() as port:
        res = run_cli(["probe", f"127.0.0.1:{port}", *client, "--json"])
        assert res.returncode == 1
        doc = valid(res.stdout, "error")
        msg = doc["error"]["message"]
        assert msg == (f"127.0.0.1:{port} does not speak TLS: the server did not answer the "
                       "TLS handshake (a plain HTTP port, or another protocol?)")
        assert "WRONG_VERSION_NUMBER" not in res.stderr.decode()
        res = run_cli(["-printcert", "-sslserver", f"127.0.0.1:{port}"])
        assert res.returncode == 1 and b"does not speak TLS" in res.stderr


def test_cafile_failures_in_plain_words(tmp_path: Path, pki: Any, client: list[str]) -> None:
    other = make_pki("Other")
    wrong = write(tmp_path / "other.pem", pem(other.root))
    notcert = write(tmp_path / "notes.txt", b"hello\n")
    with openssl_server(tmp_path, pki) as srv:
        res = run_cli(["probe", srv.address, *client, "--cafile", wrong])
        out = res.stdout.decode()
        assert res.returncode == 0, out + res.stderr.decode()
        assert (f"  verified with --cafile: no (the server's chain does not lead to a CA in "
                f"{wrong} (it ends with CN=NoClient Root CA, O=Test PKI, a self-signed "
                "root))\n") in out
        assert "candidates exhausted" not in out
        res = run_cli(["probe", srv.address, *client, "--cafile", notcert, "--json"])
        assert res.returncode == 1
        msg = valid(res.stdout, "error")["error"]["message"]
        assert msg.startswith(f"--cafile {notcert}: cannot be used to verify the server (")
        assert "give a PEM or DER file of the CA certificates" in msg
