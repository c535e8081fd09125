"""Client-certificate TLS probe: does this server accept this key entry?

:func:`probe_client_auth` makes one TLS handshake presenting a private key and its chain
and reports what was sent, the server's chain, the CA names the server asks
for in its CertificateRequest, the protocol and cipher, and whether the client
certificate was accepted, with a diagnosis when it was not.

How the handshake is observed
-----------------------------
Python's ``ssl`` module exposes neither the server's full chain (before 3.13)
nor the CertificateRequest. Both are read from the handshake messages through
``SSLContext._msg_callback``: a CPython-private hook (present since 3.8, used
by CPython's own tests) that OpenSSL's message callback feeds with every
handshake message *after* decryption, so TLS 1.3 (where these messages are
encrypted on the wire) works like TLS 1.2. The callback signature is
``(conn, direction, version, content_type, msg_type, data)`` with ``data`` the
whole handshake message including its 4-byte header. If a future Python drops
the hook, the probe still runs and reports the CA names and server chain as
unknown (only the leaf, from ``getpeercert``).

When is the client certificate accepted?
----------------------------------------
In TLS 1.2 the server's Finished comes after it checked the client
certificate, so a completed handshake means accepted. In TLS 1.3 the client's
handshake completes first and a rejection arrives later as an alert; the probe
therefore keeps reading for a short ``settle`` time: an alert means rejected,
a NewSessionTicket or application data means accepted (servers send tickets
only after checking the client's Finished), silence until ``settle`` expires
is reported as accepted with a note.

The key and chain are handed to OpenSSL through a temporary PEM file created
0600 in a private temporary directory, the key encrypted with a random
one-time passphrase; both are deleted before :func:`probe_client_auth` returns.
"""

from __future__ import annotations

import os
import secrets
import socket
import ssl
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import KeystoreToolError
from .tlsmsg import parse_certificate_message, parse_certificate_request, parse_name

if TYPE_CHECKING:  # pragma: no cover
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

DEFAULT_PORT = 8443

ALERTS = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    86: "inappropriate_fallback",
    90: "user_canceled",
    109: "missing_extension",
    110: "unsupported_extension",
    112: "unrecognized_name",
    113: "bad_certificate_status_response",
    115: "unknown_psk_identity",
    116: "certificate_required",
    120: "no_application_protocol",
}
# Alerts a server sends when it does not like the client certificate.
CERT_ALERTS = {
    "bad_certificate",
    "unsupported_certificate",
    "certificate_revoked",
    "certificate_expired",
    "certificate_unknown",
    "unknown_ca",
    "access_denied",
    "certificate_required",
    "handshake_failure",
    "decrypt_error",
}

_HS_CERTIFICATE = 11
_HS_CERTIFICATE_REQUEST = 13
_HS_NEW_SESSION_TICKET = 4
_CT_ALERT = 21
_CT_HANDSHAKE = 22
_TLS13 = 0x0304
_VERSION_NAMES = {0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}


# ---------------------------------------------------------------------------
# Host and port
# ---------------------------------------------------------------------------
def parse_target(target: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]``, ``[v6]:port`` -> (host, port)."""
    host, port_s = target.strip(), ""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            raise KeystoreToolError(f"Invalid address: {target}")
        rest = host[end + 1 :]
        host = host[1:end]
        if rest:
            if not rest.startswith(":"):
                raise KeystoreToolError(f"Invalid address: {target}")
            port_s = rest[1:]
    elif host.count(":") == 1:
        host, port_s = host.split(":")
    if not host:
        raise KeystoreToolError(f"Invalid address: {target}")
    if not port_s:
        return host, default_port
    if not port_s.isdigit() or not 0 < int(port_s) < 65536:
        raise KeystoreToolError(f"Invalid port: {port_s}")
    return host, int(port_s)


# ---------------------------------------------------------------------------
# The probe
# ---------------------------------------------------------------------------
@dataclass
class ProbeResult:
    host: str
    port: int
    sent_chain: list[x509.Certificate]
    protocol: str | None = None
    cipher: str | None = None
    server_chain: list[x509.Certificate] = field(default_factory=list)
    certificate_requested: bool = False
    accepted_ca_names: list[x509.Name] | None = None  # None: not known
    accepted: bool = False
    alert: str | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    server_verified: bool | None = None
    server_verify_error: str | None = None

    @property
    def verdict(self) -> str:
        """``accepted`` or ``rejected`` (a client certificate was sent),
        ``requested`` (none was sent, the server asks for one), or
        ``not-requested`` (the server never asked: nothing was tested)."""
        if not self.certificate_requested and (self.accepted or not self.sent_chain):
            return "not-requested"
        if not self.sent_chain:
            return "requested"
        return "accepted" if self.accepted else "rejected"

    def to_dict(self) -> dict[str, Any]:
        """The fields of the ``probe --json`` document."""
        from .chain import name_str
        from .jsondoc import certificate

        return {
            "verdict": self.verdict,
            "host": self.host,
            "port": self.port,
            "protocol": self.protocol,
            "cipher": self.cipher,
            "certificate_requested": self.certificate_requested,
            "accepted_ca_names": None
            if self.accepted_ca_names is None
            else [name_str(n) for n in self.accepted_ca_names],
            "sent_chain": [certificate(c) for c in self.sent_chain],
            "server_chain": [certificate(c) for c in self.server_chain],
            "server_verified": self.server_verified,
            "server_verify_error": self.server_verify_error,
            "alert": self.alert,
            "error": self.error,
            "notes": self.notes,
            "diagnosis": self.diagnosis,
        }


class _Recorder:
    """Collects what ``_msg_callback`` sees."""

    def __init__(self) -> None:
        self.server_cert_msgs: list[tuple[bytes, bool]] = []
        self.cert_request: tuple[bytes, bool] | None = None
        self.tickets = 0
        self.sent_certificate = False
        self.alert_received: str | None = None
        self.alert_sent: str | None = None
        self.version: int | None = None  # record version of the server's handshake

    def __call__(
        self, conn: Any, direction: str, version: Any, content_type: Any, msg_type: Any, data: bytes
    ) -> None:
        try:
            ct = int(content_type)
            mt = int(msg_type)
            tls13 = int(version) == _TLS13
        except (TypeError, ValueError):  # pragma: no cover
            return
        if ct == _CT_ALERT and len(data) >= 2:
            name = ALERTS.get(data[1], f"alert {data[1]}")
            if direction == "read":
                self.alert_received = self.alert_received or name
            else:
                self.alert_sent = self.alert_sent or name
            return
        if ct != _CT_HANDSHAKE or len(data) < 4:
            return
        body = data[4:]
        if direction == "read":
            if mt == 2:  # ServerHello: the version in effect from here on
                self.version = None
            elif self.version is None and mt != 2:
                self.version = int(version)
            if mt == _HS_CERTIFICATE:
                self.server_cert_msgs.append((body, tls13))
            elif mt == _HS_CERTIFICATE_REQUEST:
                self.cert_request = (body, tls13)
            elif mt == _HS_NEW_SESSION_TICKET:
                self.tickets += 1
        elif mt == _HS_CERTIFICATE:
            self.sent_certificate = True


def _write_credentials(
    directory: str, key: PrivateKeyTypes, chain: Sequence[x509.Certificate]
) -> tuple[str, bytes]:
    from cryptography.hazmat.primitives import serialization

    from .chain import to_pem

    passphrase = secrets.token_urlsafe(24).encode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    path = os.path.join(directory, "client.pem")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(to_pem(chain) + key_pem)
    return path, passphrase


def _read_cafile(cafile: str) -> list[x509.Certificate]:
    """The certificates of --cafile, or one plain error line."""
    from .certs import read_certificate_files

    try:
        anchors = read_certificate_files([cafile])
    except KeystoreToolError as exc:
        raise KeystoreToolError(
            f"--cafile {cafile}: cannot be used to verify the server ({exc}); give a PEM or "
            "DER file of the CA certificates that issued the server's certificate") from exc
    return anchors


def _load_credentials(ctx: ssl.SSLContext, key: PrivateKeyTypes,
                      chain: Sequence[x509.Certificate]) -> None:
    with tempfile.TemporaryDirectory(prefix="keystoretool-probe-") as tmp:
        os.chmod(tmp, 0o700)
        path, passphrase = _write_credentials(tmp, key, chain)
        try:
            ctx.load_cert_chain(path, password=passphrase)
        except ssl.SSLError as exc:
            raise KeystoreToolError(f"The key cannot be used for TLS: {exc.reason or exc}") from exc
        finally:
            os.unlink(path)


#: OpenSSL's reasons when what answered is not a TLS server.
_NOT_TLS = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "UNKNOWN_PROTOCOL",
            "PACKET_LENGTH_TOO_LONG", "UNEXPECTED_EOF_WHILE_READING", "WRONG_SSL_VERSION"}


def _handshake_failure(host: str, port: int, exc: BaseException, recorder: _Recorder) -> str:
    """Why a handshake failed before anything about certificates happened,
    in plain words."""
    reason = getattr(exc, "reason", None) or ""
    if not recorder.server_cert_msgs and (reason in _NOT_TLS or isinstance(
            exc, ssl.SSLEOFError | ConnectionResetError | BrokenPipeError)):
        return (f"{host}:{port} does not speak TLS: the server did not answer the TLS "
                "handshake (a plain HTTP port, or another protocol?)")
    return f"TLS handshake with {host}:{port} failed: {reason or exc}"


def _plain_verify_error(detail: str, result: ProbeResult, cafile: str | None,
                        hostname: str | None) -> str:
    """cryptography's verification error in plain words."""
    from .chain import name_str

    detail = detail.split(" (encountered processing", 1)[0].replace("validation failed: ", "")
    detail = detail.replace("verification failed: ", "")
    if "candidates exhausted" in detail or "unable to get local issuer" in detail:
        top = result.server_chain[-1]
        end = ("a self-signed root" if top.issuer == top.subject
               else f"issued by {name_str(top.issuer)}")
        return (f"the server's chain does not lead to a CA in {cafile} (it ends with "
                f"{name_str(top.subject)}, {end})")
    if "subjectAltName" in detail or "no matching" in detail:
        return (f"the server's certificate is not for {hostname} (its names do not match; "
                "use --servername NAME)")
    if "expired" in detail or "not valid" in detail:
        return f"the server's certificate is outside its validity period ({detail})"
    return detail


def probe_client_auth(
    host: str,
    port: int,
    key: PrivateKeyTypes | None,
    chain: Sequence[x509.Certificate],
    *,
    timeout: float = 10.0,
    settle: float = 2.0,
    cafile: str | None = None,
    server_name: str | None = None,
    at: datetime | None = None,
) -> ProbeResult:
    """One handshake to ``host:port`` presenting ``key`` and ``chain`` (sent
    as given), or no client certificate when ``key`` is None (the server's
    chain, protocol, cipher and accepted CA names are still reported).
    Raises KeystoreToolError when no TLS conversation about the client
    certificate happened (refused, timeout, DNS, not TLS, other alerts)."""
    from cryptography import x509

    if key is not None and not chain:
        raise KeystoreToolError("The entry has no certificate chain to present")
    result = ProbeResult(host, port, list(chain))
    recorder = _Recorder()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    anchors = _read_cafile(cafile) if cafile else None
    # The server certificate is checked separately below so that a server
    # we cannot verify can still tell us what it thinks of our certificate.
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        ctx._msg_callback = recorder  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - hook removed in a future Python
        result.notes.append("handshake messages are not observable in this Python")

    sni = server_name if server_name is not None else host
    try:
        is_ip = bool(socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host))
    except OSError:
        is_ip = False

    if key is not None:
        _load_credentials(ctx, key, chain)

    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except (socket.gaierror, UnicodeError) as exc:  # UnicodeError: not a valid IDNA name
        raise KeystoreToolError(f"Unknown host: {host}") from exc
    except ConnectionRefusedError as exc:
        raise KeystoreToolError(f"Connection refused: {host}:{port}") from exc
    except TimeoutError as exc:
        raise KeystoreToolError(f"Timed out connecting to {host}:{port}") from exc
    except OSError as exc:
        raise KeystoreToolError(f"Cannot connect to {host}:{port}: {exc.strerror or exc}") from exc

    tls: ssl.SSLSocket | None = None
    handshake_error: ssl.SSLError | OSError | None = None
    try:
        try:
            tls = ctx.wrap_socket(
                sock, server_hostname=None if is_ip and server_name is None else sni
            )
        except TimeoutError as exc:
            raise KeystoreToolError(f"Timed out in the TLS handshake with {host}:{port}") from exc
        except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as exc:
            handshake_error = exc
        if tls is not None:
            result.protocol = tls.version()
            cipher = tls.cipher()
            result.cipher = cipher[0] if cipher else None
            leaf_der = tls.getpeercert(binary_form=True)
            if key is not None:
                _settle(tls, recorder, result,
                        min(settle, max(0.1, deadline - time.monotonic())))
            else:
                result.accepted = True  # nothing sent, nothing to judge
    finally:
        try:
            (tls or sock).close()
        except OSError:  # pragma: no cover
            pass

    # What the handshake showed.
    if recorder.server_cert_msgs:
        body, tls13 = recorder.server_cert_msgs[0]
        try:
            result.server_chain = [
                x509.load_der_x509_certificate(d) for d in parse_certificate_message(body, tls13)
            ]
        except ValueError:
            result.notes.append("the server's Certificate message could not be parsed")
    elif tls is not None and leaf_der:
        result.server_chain = [x509.load_der_x509_certificate(leaf_der)]
    if recorder.cert_request is not None:
        result.certificate_requested = True
        body, tls13 = recorder.cert_request
        try:
            result.accepted_ca_names = [
                parse_name(d) for d in parse_certificate_request(body, tls13)
            ]
        except ValueError:
            result.notes.append("the server's CertificateRequest could not be parsed")
    result.alert = recorder.alert_received
    if result.protocol is None and recorder.version is not None:
        result.protocol = _VERSION_NAMES.get(recorder.version)

    if handshake_error is not None:
        if result.alert is None and not recorder.sent_certificate \
                and not (key is None and result.certificate_requested):
            raise KeystoreToolError(_handshake_failure(host, port, handshake_error, recorder))
        if result.alert is not None and not (
            result.certificate_requested or result.alert in CERT_ALERTS
        ):
            raise KeystoreToolError(
                f"TLS handshake with {host}:{port} failed: the server sent alert {result.alert}"
            )
        result.accepted = False
        result.error = getattr(handshake_error, "reason", None) or str(handshake_error)
    if handshake_error is not None and key is None and result.certificate_requested:
        result.accepted = True  # the server wanted a certificate; we had none to send
        result.error = None
    if tls is not None and result.protocol and not result.certificate_requested:
        result.notes.append("the server did not ask for a client certificate")

    _check_server(result, anchors, cafile, sni if not is_ip else None, at)
    if key is None:
        return result
    if not result.accepted:
        result.diagnosis = diagnose_rejection(result, at=at)
    elif result.accepted_ca_names is not None and result.certificate_requested:
        names = {n for n in result.accepted_ca_names}
        if names and not any(c.issuer in names or c.subject in names for c in chain):
            result.notes.append(
                "accepted although no certificate sent names one of the accepted CAs"
            )
    return result


def _settle(tls: ssl.SSLSocket, recorder: _Recorder, result: ProbeResult, settle: float) -> None:
    """After a completed client handshake: wait for the server's verdict."""
    if result.protocol != "TLSv1.3":
        result.accepted = True  # the server's Finished followed its check
        return
    end = time.monotonic() + settle
    while True:
        if recorder.tickets:
            result.accepted = True
            return
        left = end - time.monotonic()
        if left <= 0:
            result.accepted = True
            result.notes.append(
                f"no alert from the server within {settle:g}s after the handshake "
                "(it sent no session ticket to confirm)"
            )
            return
        tls.settimeout(min(left, 0.25))
        try:
            data = tls.recv(1)
        except TimeoutError:
            continue
        except ssl.SSLError as exc:
            result.accepted = False
            result.error = exc.reason or str(exc)
            return
        except OSError as exc:
            result.accepted = False
            result.error = exc.strerror or str(exc)
            return
        if data:
            result.accepted = True
            return
        # EOF: closed without a verdict we can read.
        result.accepted = recorder.tickets > 0
        if not result.accepted:
            result.error = "the server closed the connection after the handshake"
        return


def _check_server(
    result: ProbeResult, anchors: list[x509.Certificate] | None, cafile: str | None,
    hostname: str | None, at: datetime | None,
) -> None:
    """Verify the server's chain against ``cafile`` (not against system roots:
    the probe is about the client certificate)."""
    if anchors is None or not result.server_chain:
        return
    from cryptography.x509 import verification as v


    try:
        builder = v.PolicyBuilder().store(v.Store(anchors)).time(at or datetime.now(UTC))
        if hostname:
            import ipaddress

            try:
                subject: Any = v.IPAddress(ipaddress.ip_address(hostname))
            except ValueError:
                subject = v.DNSName(hostname)
            builder.build_server_verifier(subject).verify(
                result.server_chain[0], result.server_chain[1:]
            )
        else:  # connected by address: check the path only
            from .chain import verify

            verify(result.server_chain, anchors, at=at)
        result.server_verified = True
    except (KeystoreToolError, v.VerificationError, ValueError) as exc:
        result.server_verified = False
        result.server_verify_error = _plain_verify_error(str(exc), result, cafile, hostname)


def diagnose_rejection(result: ProbeResult, *, at: datetime | None = None) -> list[str]:
    """Why the server refused the chain we sent, from what we know locally."""
    from .chain import name_str, order_chain
    from .relations import canonical_name, is_self_signed

    at = at or datetime.now(UTC)
    out: list[str] = []
    sent = result.sent_chain
    leaf = sent[0]
    for c in sent:
        if c.not_valid_after_utc < at:
            out.append(
                f"certificate expired: {name_str(c.subject)} expired on "
                f"{c.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC"
            )
        elif c.not_valid_before_utc > at:
            out.append(
                f"certificate not yet valid: {name_str(c.subject)} is valid from "
                f"{c.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC"
            )
    ordered = order_chain(sent, leaf)
    if len(ordered) < len(sent):
        out.append("the chain sent is out of order or holds unrelated certificates")
    top = ordered[-1]
    accepted = result.accepted_ca_names or []
    accepted_keys = {canonical_name(n) for n in accepted}
    sent_names = {canonical_name(c.subject) for c in ordered}
    sent_names |= {canonical_name(c.issuer) for c in ordered}
    listed = ", ".join(name_str(n) for n in accepted)
    reaches_accepted = not accepted_keys.isdisjoint(sent_names)
    if not is_self_signed(top) and canonical_name(top.issuer) not in accepted_keys:
        if top is leaf or _not_ca(top):
            msg = (
                f"intermediate missing from what was sent: the issuer of the client "
                f"certificate, {name_str(top.issuer)}, was not sent"
            )
            if accepted:
                msg += f" and is not itself an accepted CA (the server accepts: {listed})"
            msg += "; add the intermediate certificate(s) to the entry's chain"
            out.append(msg)
        elif accepted and not reaches_accepted:
            out.append(
                f"issuer not among the accepted CAs: the chain sent leads to "
                f"{name_str(top.issuer)}; the server accepts: {listed}"
            )
        elif accepted:
            out.append(
                f"intermediate missing from what was sent: {name_str(top.issuer)} "
                f"(issuer of {name_str(top.subject)}) was not sent"
            )
    elif accepted and not reaches_accepted:
        out.append(
            f"issuer not among the accepted CAs: the chain sent ends at "
            f"{name_str(top.subject if is_self_signed(top) else top.issuer)}; "
            f"the server accepts: {listed}"
        )
    if not out and result.alert == "unknown_ca":
        out.append(
            f"the server does not trust the issuer of the chain sent ({name_str(top.issuer)})"
        )
    if not out:
        from .chain import CLIENT_AUTH_OID, ext_key_usage

        eku = ext_key_usage(leaf)
        if eku is not None and CLIENT_AUTH_OID not in eku:
            out.append("the client certificate's extended key usage lacks clientAuth")
    if not out:
        reason = result.alert or result.error or "no reason given"
        out.append(f"the server rejected the certificate ({reason}); the chain sent looks sound")
    return out


def _not_ca(cert: x509.Certificate) -> bool:
    from cryptography import x509

    try:
        return not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return True
