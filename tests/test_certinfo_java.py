"""keystoretool.certinfo against Java itself: time zones, dates and names.

Java's own ``X500Principal``/``Date`` are asked (one ``java`` run) for
``getName(RFC2253)`` and ``Date.toString()`` in several time zones; plus the
small helpers (fingerprints, PEM) against keytool 17.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from pathlib import Path

import pytest
from certinfohelpers import (
    KeytoolStore,
    Printed,
    _keytool,
    _list_v_blocks,
    _load,
    _pem_of,
    _run,
    assert_same,
)
from cryptography import x509
from interop import KEYTOOL17

from keystoretool import certinfo, x509der

pytestmark = [pytest.mark.require_keytool("17"), pytest.mark.interop]


# Time zones, dates, names straight from Java
# ---------------------------------------------------------------------------


def test_printcert_follows_tz(printed: Printed, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    der = printed.ders["der:dst-validity"]
    (tmp_path / "c.pem").write_text(_pem_of(der))
    out, _ = _keytool("-printcert", "-file", str(tmp_path / "c.pem"), tz="America/New_York")
    assert "Valid from: Thu Jan 15 07:34:56 EST 2026 until: Wed Jul 15 08:34:56 EDT 2026" in out
    monkeypatch.setenv("TZ", "America/New_York")
    assert_same(out, certinfo.print_x509(der), "-printcert with TZ=America/New_York")


JAVA_PROBE = textwrap.dedent("""
    import java.util.*;
    import java.io.*;
    import java.security.cert.*;
    import javax.security.auth.x500.X500Principal;
    public class Probe {
        public static void main(String[] a) throws Exception {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            try (FileInputStream in = new FileInputStream(a[0])) {
                for (Certificate c : cf.generateCertificates(in)) {
                    X500Principal p = ((X509Certificate) c).getSubjectX500Principal();
                    System.out.println("S " + p.toString().replace("\\n", "\\\\n"));
                    System.out.println("R " + p.getName(X500Principal.RFC2253)
                        .replace("\\n", "\\\\n"));
                }
            }
            List<String> lines = new ArrayList<>(
                new BufferedReader(new FileReader(a[1])).lines().toList());
            for (String id : TimeZone.getAvailableIDs()) {
                for (String t : a[2].split(",")) lines.add(id + " " + t);
            }
            for (String line : lines) {
                String[] f = line.split(" ");
                TimeZone.setDefault(TimeZone.getTimeZone(f[0]));
                Date d = new Date(Long.parseLong(f[1]));
                System.out.println("D " + f[0] + " " + f[1] + " " + d
                    + " | " + java.text.DateFormat.getDateInstance(java.text.DateFormat.MEDIUM)
                    .format(d));
            }
        }
    }
""")

ZONES = ["UTC", "Etc/UTC", "GMT", "America/New_York", "Europe/Berlin", "Europe/London",
         "Asia/Kolkata", "America/Sao_Paulo", "Asia/Dubai", "Australia/Lord_Howe",
         "Asia/Kathmandu", "Pacific/Chatham", "EST5EDT", "Etc/GMT-5", "GMT+05:00", "GMT-0330",
         "Africa/Casablanca", "Europe/Dublin", "Asia/Tokyo", "America/Argentina/Buenos_Aires",
         "Foo/Bar"]
INSTANTS = [0, 1768480496000, 1784118896000, 1795783536000, -631152000000, 4102444800000,
            1771000000000]


@pytest.fixture(scope="module")
def java_probe(printed: Printed, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    assert KEYTOOL17 is not None
    java = Path(KEYTOOL17).resolve().parent / "java"
    work = tmp_path_factory.mktemp("certinfo-java")
    (work / "Probe.java").write_text(JAVA_PROBE)
    names = [lb for lb in printed.labels if not lb.startswith("der:")] + [
        "der:string-types", "der:quoting", "der:empty-subject"]
    (work / "names.pem").write_text("".join(_pem_of(printed.ders[n]) for n in names))
    (work / "dates.txt").write_text(
        "".join(f"{z} {t}\n" for z in ZONES for t in INSTANTS)
    )
    proc = _run([str(java), str(work / "Probe.java"), str(work / "names.pem"),
                 str(work / "dates.txt"), "1768480496000,1784118896000"])
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout.decode("utf-8").splitlines()


def test_x500_names_match_x500principal(printed: Printed, java_probe: list[str]) -> None:
    names = [lb for lb in printed.labels if not lb.startswith("der:")] + [
        "der:string-types", "der:quoting", "der:empty-subject"]
    subjects = [line[2:] for line in java_probe if line.startswith("S ")]
    rfc2253 = [line[2:] for line in java_probe if line.startswith("R ")]
    assert len(subjects) == len(names)
    for label, s, r in zip(names, subjects, rfc2253, strict=True):
        der = printed.ders[label]
        subject = x509der.parse_certificate(der).subject
        assert certinfo.x500_str(subject).replace("\n", "\\n") == s, label
        assert certinfo.x500_rfc2253(subject).replace("\n", "\\n") == r, label
        cert = _load(der) if not label.startswith("der:") else None
        if cert is not None:
            assert certinfo.x500_str(cert.subject).replace("\n", "\\n") == s, label


def test_java_date_matches_date_tostring(java_probe: list[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line[2:] for line in java_probe if line.startswith("D ")]
    # our ZONES x INSTANTS, then every zone ID of the JDK in January and July
    assert len(lines) > len(ZONES) * len(INSTANTS) + 1000
    for line in lines:
        zone, millis, rest = line.split(" ", 2)
        expected, medium = rest.split(" | ")
        monkeypatch.setenv("TZ", zone)
        when = dt.datetime.fromtimestamp(int(millis) / 1000, dt.UTC)
        assert certinfo.java_date(when) == expected, (zone, millis)
        assert certinfo.java_medium_date(when) == medium, (zone, millis)


def test_java_date_defaults() -> None:
    when = dt.datetime(2026, 11, 27, 12, 45, 36, tzinfo=dt.UTC)
    os.environ.get("TZ")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        assert certinfo.java_date(when) == "Fri Nov 27 12:45:36 UTC 2026"
        assert certinfo.java_date(when.replace(tzinfo=None)) == "Fri Nov 27 12:45:36 UTC 2026"
        assert certinfo.java_medium_date(when) == "Nov 27, 2026"
        mp.setenv("TZ", ":Europe/Berlin")
        assert certinfo.java_date(when) == "Fri Nov 27 13:45:36 CET 2026"


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def test_fingerprint_pem_and_names(keytool_store: KeytoolStore) -> None:
    der = keytool_store.certs["rsa"][0]
    block = _list_v_blocks(keytool_store.list_v, "rsa")[0]
    assert f"\t SHA256: {certinfo.fingerprint(der)}\n" in block
    assert f"\t SHA1: {certinfo.fingerprint(der, 'SHA-1')}\n" in block
    cert = x509.load_der_x509_certificate(der)
    assert certinfo.java_sig_alg_name(cert) == "SHA256withRSA"
    assert certinfo.key_description(cert.public_key()) == "2048-bit RSA key"
    assert certinfo.x500_str(cert.subject) == (
        'CN="Doe, John", OU=Eng, O=ACME, L=Berlin, ST=BE, C=DE, EMAILADDRESS=jd@example.com'
    )
    assert certinfo.x500_rfc2253(cert.subject) == (
        "CN=Doe\\, John,OU=Eng,O=ACME,L=Berlin,ST=BE,C=DE,"
        "1.2.840.113549.1.9.1=#160e6a64406578616d706c652e636f6d"
    )


def test_pem_matches_keytool_rfc(keytool_store: KeytoolStore, tmp_path: Path) -> None:
    der = keytool_store.certs["ed448"][0]
    (tmp_path / "c.der").write_bytes(der)
    out, _ = _keytool("-printcert", "-rfc", "-file", str(tmp_path / "c.der"))
    assert certinfo.pem(der) == out
    text = certinfo.pem(b"\x00" * 100, "NEW CERTIFICATE REQUEST")
    assert text.startswith("-----BEGIN NEW CERTIFICATE REQUEST-----\n")
    assert text.endswith("\n-----END NEW CERTIFICATE REQUEST-----\n")
    assert "\r\n" in text and all(len(x) <= 64 for x in text.split("\r\n")[1:-1])
