"""expiry: every certificate of many keystores, soonest first; exit 0/2/1;
--json, --prometheus (parsed by prometheus_client's text parser),
--prometheus-file (atomic); check --warn-days."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from interop import run_cli, run_keytool
from pkihelpers import der, ec_key, key_entry, make_cert, make_pki, rsa_key, save_store
from prometheus_client.parser import text_string_to_metric_families

from keystoretool import certinfo
from keystoretool.entries import TrustedCertEntry
from keystoretool.errors import UsageError
from keystoretool.expiry import escape_label, parse_duration
from keystoretool.jsondoc import certificate
from keystoretool.model import Keystore

PW = "changeit"
NOW = dt.datetime.now(dt.UTC)


def days(n: float) -> dt.datetime:
    return NOW + dt.timedelta(days=n)


def save(path: Path, entries: list[Any], store_type: str = "PKCS12", pw: str = PW) -> Path:
    return save_store(path, entries, store_type, pw)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """client.jks: <soon> leaf 10 days (its intermediate 400), <later> 400 days;
    trust.p12: CA certificates, one expiring in 10 days, one expired 3 days ago."""
    d = tmp_path_factory.mktemp("expiry")
    pki = make_pki("Exp")
    inter400 = make_cert("Exp Intermediate 400", pki.inter_key, (pki.root, pki.root_key), ca=True,
                         not_after=days(400))
    k10 = ec_key()
    leaf10 = make_cert("Exp leaf 10", k10, (inter400, pki.inter_key), not_after=days(10))
    k400 = ec_key()
    leaf400 = make_cert("Exp leaf 400", k400, (inter400, pki.inter_key), not_after=days(400))
    client = save(d / "client.jks", [
        key_entry("soon", k10, [leaf10, inter400]),
        key_entry("later", k400, [leaf400, inter400]),
    ], "JKS")
    ca10 = make_cert("Trust CA 10", ec_key(), ca=True, not_after=days(10))
    expired = make_cert("Trust CA expired", ec_key(), ca=True, not_before=days(-30),
                        not_after=days(-3))
    trust = save(d / "trust.p12", [
        TrustedCertEntry("ca10", cert_der=der(ca10)),
        TrustedCertEntry("old", cert_der=der(expired)),
    ])
    far = save(d / "far.p12", [key_entry("far", k400, [leaf400, inter400])])
    return {"dir": d, "client": client, "trust": trust, "far": far, "leaf10": leaf10,
            "leaf400": leaf400, "inter400": inter400, "ca10": ca10, "expired": expired}


def table(stdout: bytes) -> list[list[str]]:
    """The rows of expiry's table (without header and summary), split in columns."""
    lines = stdout.decode().splitlines()
    assert lines[0].split()[:3] == ["STATUS", "DAYS", "NOT"]
    return [line.split(None, 7) for line in lines[1:-1]]


# ---------------------------------------------------------------------------
# durations
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30d", 30 * 86400), ("12h", 12 * 3600), ("2w", 14 * 86400), ("90m", 5400), ("0s", 0),
     ("36500d", 36500 * 86400), (" 2W ", 14 * 86400)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize(
    "text", ["30", "d", "-1d", "1.5d", "30 days", "3x", "", "999999999w", "36501d"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="Invalid duration"):
        parse_duration(text)


def test_bad_within_is_one_line_error(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["client"], "--storepass", PW, "--within", "30"])
    assert res.returncode == 1
    assert res.stderr.decode().startswith("keystoretool error: Invalid duration: '30'")
    assert res.stdout == b""


# ---------------------------------------------------------------------------
# the listing and the exit status
# ---------------------------------------------------------------------------
def test_lists_every_certificate_soonest_first(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["client"], stores["trust"], "--storepass", PW])
    assert res.returncode == 2, res.stderr
    rows = table(res.stdout)
    client, trust = str(stores["client"]), str(stores["trust"])
    got = [(r[0], r[4], r[5], r[6]) for r in rows]
    # trusted certificates, and every certificate of every chain (# 2 = the intermediate)
    assert sorted(got[:1]) == [("expired", trust, "old", "1")]
    assert sorted(got[1:3]) == [("expiring", client, "soon", "1"), ("expiring", trust, "ca10", "1")]
    assert sorted(got[3:]) == [
        ("ok", client, "later", "1"), ("ok", client, "later", "2"), ("ok", client, "soon", "2"),
    ]
    days_left = [int(r[1]) for r in rows]
    assert days_left == sorted(days_left)
    assert days_left[0] == -3 and days_left[1] in (9, 10) and days_left[-1] in (399, 400)
    assert rows[0][7] == "CN=Trust CA expired, O=Test PKI"  # subject as keytool prints it
    assert res.stdout.decode().splitlines()[-1] == (
        "3 of 6 certificates expire within 30 days (1 already expired); 2 keystores read."
    )


def test_nothing_expiring_exits_0(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["far"], "--storepass", PW])
    assert res.returncode == 0, res.stderr
    assert [r[0] for r in table(res.stdout)] == ["ok", "ok"]
    assert res.stdout.decode().endswith("0 of 2 certificates expire within 30 days; "
                                        "1 keystore read.\n")


@pytest.mark.parametrize(("within", "status"), [("5d", 0), ("2w", 2), ("12h", 0), ("240h", 2)])
def test_within_sets_the_period(stores: dict[str, Any], within: str, status: int) -> None:
    # client.jks: the soonest certificate expires in 10 days (minus a few seconds)
    res = run_cli(["expiry", stores["client"], "--storepass", PW, "--within", within])
    assert res.returncode == status, res.stdout


def test_expired_counts_as_expiring(stores: dict[str, Any], tmp_path: Path) -> None:
    only_old = save(tmp_path / "old.p12", [TrustedCertEntry("old", cert_der=der(stores["expired"]))])
    res = run_cli(["expiry", only_old, "--storepass", PW, "--within", "0s"])
    assert res.returncode == 2
    assert table(res.stdout)[0][0] == "expired"


def test_keytool_syntax_repeats_keystore(stores: dict[str, Any]) -> None:
    res = run_cli(["-expiry", "-keystore", stores["far"], "-keystore", stores["client"],
                   "-storepass", PW, "-within", "5d"])
    assert res.returncode == 0, res.stderr
    assert {r[4] for r in table(res.stdout)} == {str(stores["far"]), str(stores["client"])}
    assert b"specified multiple times" not in res.stderr


def test_keytool_syntax_password_modifiers(stores: dict[str, Any], tmp_path: Path) -> None:
    pwfile = tmp_path / "pw.txt"
    pwfile.write_text(PW + "\n")
    res = run_cli(["-expiry", "-keystore", stores["far"], "-storepass:file", pwfile])
    assert res.returncode == 0, res.stderr
    res = run_cli(["expiry", stores["far"], "--storepass:env", "KPW"], env={"KPW": PW})
    assert res.returncode == 0, res.stderr


def test_no_keystore_is_an_error() -> None:
    res = run_cli(["expiry", "--storepass", PW])
    assert res.returncode == 1
    assert b"keystoretool error: Give at least one keystore" in res.stderr


# ---------------------------------------------------------------------------
# passwords per store, unreadable stores
# ---------------------------------------------------------------------------
def test_storepass_for_gives_a_store_its_own_password(stores: dict[str, Any], tmp_path: Path) -> None:
    other = save(tmp_path / "other.p12", [TrustedCertEntry("ca10", cert_der=der(stores["ca10"]))],
                 pw="otherpw")
    res = run_cli(["expiry", stores["far"], other, "--storepass", PW,
                   "--storepass-for", f"{other}=env:OTHER"], env={"OTHER": "otherpw"})
    assert res.returncode == 2, res.stderr
    assert {r[4] for r in table(res.stdout)} == {str(stores["far"]), str(other)}
    # keytool syntax, and a literal source
    res = run_cli(["-expiry", "-keystore", other, "-storepass-for", f"{other}=otherpw"])
    assert res.returncode == 2, res.stderr
    res = run_cli(["expiry", stores["far"], "--storepass", PW, "--storepass-for",
                   f"{tmp_path / 'nope.p12'}=x"])
    assert res.returncode == 1
    assert b"not one of the keystores given" in res.stderr


def test_unreadable_store_is_reported_and_the_others_covered(
    stores: dict[str, Any], tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.jks"
    garbage.write_bytes(b"not a keystore at all")
    wrong = save(tmp_path / "wrong.p12", [TrustedCertEntry("x", cert_der=der(stores["ca10"]))],
                 pw="different")
    missing = tmp_path / "missing.jks"
    res = run_cli(["expiry", garbage, stores["far"], wrong, missing, "--storepass", PW])
    assert res.returncode == 1
    errors = res.stderr.decode().splitlines()
    assert errors == [
        f"keystoretool error: {garbage}: Unrecognized keystore format. Please load it with a "
        "specified type",
        f"keystoretool error: {wrong}: keystore password was incorrect",
        f"keystoretool error: {missing}: Keystore file does not exist: {missing}",
    ]
    assert {r[4] for r in table(res.stdout)} == {str(stores["far"])}
    assert res.stdout.decode().endswith("1 keystore read, 3 with errors.\n")
    doc = json.loads(run_cli(["expiry", garbage, stores["far"], "--storepass", PW,
                              "--json"]).stdout)
    assert doc["verdict"] == "error"
    assert [(k["keystore"], k["error"] is None) for k in doc["keystores"]] == [
        (str(garbage), False), (str(stores["far"]), True)]


def test_without_password_a_jks_is_read_unverified(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["client"]])  # stdin is empty: no password
    assert res.returncode == 2
    assert len(table(res.stdout)) == 4
    assert b"read without a password; its integrity was not verified" in res.stderr


# ---------------------------------------------------------------------------
# --json
# ---------------------------------------------------------------------------
def test_json_document(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["client"], stores["trust"], "--storepass", PW, "--json"])
    assert res.returncode == 2
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 2
    assert doc["verdict"] == "expiring"
    assert doc["within_seconds"] == 30 * 86400
    assert doc["expiring"] == 3
    certs = doc["certificates"]
    assert [c["alias"] for c in certs][:1] == ["old"]
    soon = next(c for c in certs if c["alias"] == "soon" and c["position"] == 1)
    leaf = stores["leaf10"]
    assert soon == {
        "keystore": str(stores["client"]),
        "alias": "soon",
        "entry_type": "PrivateKeyEntry",
        "position": 1,
        "certificate": certificate(der(leaf)),
        "days_left": soon["days_left"],
        "expired": False,
        "expiring": True,
    }
    assert soon["days_left"] in (9, 10)
    assert [k["type"] for k in doc["keystores"]] == ["JKS", "PKCS12"]
    res = run_cli(["expiry", stores["far"], "--storepass", PW, "--json"])
    assert res.returncode == 0 and json.loads(res.stdout)["verdict"] == "ok"


# ---------------------------------------------------------------------------
# --prometheus
# ---------------------------------------------------------------------------
def metrics(text: str) -> dict[str, list[Any]]:
    """family name -> samples, via prometheus_client's text-format parser."""
    out: dict[str, list[Any]] = {}
    for fam in text_string_to_metric_families(text):
        assert fam.type == "gauge" and fam.documentation
        out[fam.name] = list(fam.samples)
    return out


def test_prometheus_output_parses(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["client"], stores["trust"], "--storepass", PW, "--prometheus"])
    assert res.returncode == 2
    fams = metrics(res.stdout.decode())
    not_after = {
        (s.labels["keystore"], s.labels["alias"], s.labels["position"]): s for s in
        fams["keystore_certificate_not_after_seconds"]
    }
    client = str(stores["client"])
    soon = not_after[(client, "soon", "1")]
    assert soon.value == int(stores["leaf10"].not_valid_after_utc.timestamp())
    assert soon.labels["subject"] == "CN=Exp leaf 10, O=Test PKI"
    assert soon.labels["issuer"] == "CN=Exp Intermediate 400, O=Test PKI"
    assert soon.labels["serial"] == format(stores["leaf10"].serial_number, "x")
    assert not_after[(client, "soon", "2")].value == int(
        stores["inter400"].not_valid_after_utc.timestamp())
    assert len(not_after) == 6
    before = {(s.labels["alias"], s.labels["position"]): s.value
              for s in fams["keystore_certificate_not_before_seconds"]}
    assert before[("soon", "1")] == int(stores["leaf10"].not_valid_before_utc.timestamp())
    expiring = {(s.labels["alias"], s.labels["position"]): s.value
                for s in fams["keystore_certificate_expiring"]}
    assert expiring == {("soon", "1"): 1, ("soon", "2"): 0, ("later", "1"): 0, ("later", "2"): 0,
                        ("ca10", "1"): 1, ("old", "1"): 1}
    assert {s.labels["keystore"]: s.value for s in fams["keystore_read_error"]} == {
        client: 0, str(stores["trust"]): 0}
    assert {s.labels["keystore"]: s.value for s in fams["keystore_certificates"]} == {
        client: 4, str(stores["trust"]): 2}
    generated = fams["keystore_expiry_generated_seconds"][0].value
    assert abs(generated - dt.datetime.now(dt.UTC).timestamp()) < 600


def test_prometheus_error_metric_per_unreadable_store(stores: dict[str, Any], tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.p12"
    garbage.write_bytes(b"\x30\x03\x02\x01\x03")
    res = run_cli(["expiry", stores["far"], garbage, "--storepass", PW, "--prometheus"])
    assert res.returncode == 1
    fams = metrics(res.stdout.decode())
    assert {s.labels["keystore"]: s.value for s in fams["keystore_read_error"]} == {
        str(stores["far"]): 0, str(garbage): 1}
    assert {s.labels["keystore"] for s in fams["keystore_certificate_not_after_seconds"]} == {
        str(stores["far"])}


def test_prometheus_label_escaping(stores: dict[str, Any], tmp_path: Path) -> None:
    weird = 'we"ird\\name\nline'
    odd_dir = tmp_path / 'dir"with\\quote'
    odd_dir.mkdir()
    path = save(odd_dir / "t.p12", [TrustedCertEntry(weird, cert_der=der(make_cert(
        'CA "quoted" \\ back', ec_key(), ca=True, not_after=days(400))))])
    assert escape_label(weird) == 'we\\"ird\\\\name\\nline'
    res = run_cli(["expiry", path, "--storepass", PW, "--prometheus"])
    assert res.returncode == 0, res.stderr
    (sample,) = metrics(res.stdout.decode())["keystore_certificate_not_after_seconds"]
    assert sample.labels["alias"] == weird
    assert sample.labels["keystore"] == str(path)
    assert sample.labels["subject"] == certinfo.summary(path_cert(path))["subject"]
    assert '"' in sample.labels["subject"]


def path_cert(path: Path) -> bytes:
    (entry,) = list(Keystore.load(str(path), PW))
    return entry.chain_der[0]


def test_json_and_prometheus_exclude_each_other(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["far"], "--storepass", PW, "--json", "--prometheus"])
    assert res.returncode == 1
    assert b"exclude each other" in res.stderr


# ---------------------------------------------------------------------------
# --prometheus-file
# ---------------------------------------------------------------------------
def test_prometheus_file_is_written_atomically(stores: dict[str, Any], tmp_path: Path) -> None:
    out_dir = tmp_path / "textfile"
    out_dir.mkdir()
    prom = out_dir / "keystores.prom"
    res = run_cli(["expiry", stores["client"], "--storepass", PW, "--prometheus-file", prom])
    assert res.returncode == 2, res.stderr
    assert table(res.stdout)  # stdout keeps the human listing
    fams = metrics(prom.read_text())
    assert len(fams["keystore_certificate_not_after_seconds"]) == 4
    # new file: readable by node_exporter's user
    assert stat.S_IMODE(prom.stat().st_mode) == 0o644
    # replaced by a rename (a new inode), never rewritten in place; no temporary left
    inode = prom.stat().st_ino
    res = run_cli(["expiry", stores["far"], "--storepass", PW, "--prometheus-file", prom])
    assert res.returncode == 0
    assert prom.stat().st_ino != inode
    assert stat.S_IMODE(prom.stat().st_mode) == 0o644
    assert sorted(os.listdir(out_dir)) == ["keystores.prom"]
    fams = metrics(prom.read_text())
    assert {s.labels["alias"] for s in fams["keystore_certificate_not_after_seconds"]} == {"far"}


def test_prometheus_file_mode_of_existing_file_is_kept(stores: dict[str, Any], tmp_path: Path) -> None:
    prom = tmp_path / "k.prom"
    prom.write_text("")
    prom.chmod(0o640)
    assert run_cli(["expiry", stores["far"], "--storepass", PW, "--prometheus-file", prom]
                   ).returncode == 0
    assert stat.S_IMODE(prom.stat().st_mode) == 0o640
    assert metrics(prom.read_text())


def test_prometheus_file_errors(stores: dict[str, Any], tmp_path: Path) -> None:
    res = run_cli(["expiry", stores["far"], "--storepass", PW, "--prometheus-file",
                   tmp_path / "no" / "such" / "dir.prom"])
    assert res.returncode == 1
    assert res.stderr.decode().startswith("keystoretool error: Cannot write")
    assert len(res.stderr.decode().splitlines()) == 1
    res = run_cli(["expiry", stores["far"], "--storepass", PW, "--prometheus-file",
                   tmp_path / "metrics.txt"])
    assert res.returncode == 0
    assert b"reads only files named *.prom" in res.stderr


# ---------------------------------------------------------------------------
# stores made by real keytool
# ---------------------------------------------------------------------------
def test_keytool_made_stores(require_keytool: str, tmp_path: Path) -> None:
    """keytool 17 -validity 10 and -startdate/-validity for 400 days, JKS and PKCS12."""
    jks, p12 = tmp_path / "kt.jks", tmp_path / "kt.p12"
    for alias, extra in (("ten", ["-validity", "10"]),
                         ("four", ["-startdate", "-1d", "-validity", "401"])):
        res = run_keytool(["-genkeypair", "-alias", alias, "-keyalg", "EC", "-dname", f"CN={alias}",
                           *extra, "-keystore", jks, "-storetype", "JKS", "-storepass", PW])
        assert res.returncode == 0, res.stderr
    res = run_keytool(["-importkeystore", "-srckeystore", jks, "-destkeystore", p12,
                       "-deststoretype", "PKCS12", "-srcstorepass", PW, "-deststorepass", PW])
    assert res.returncode == 0, res.stderr
    res = run_cli(["expiry", jks, p12, "--storepass", PW, "--within", "30d", "--json"])
    assert res.returncode == 2, res.stderr
    doc = json.loads(res.stdout)
    got = [(c["keystore"], c["alias"], c["days_left"], c["expiring"]) for c in doc["certificates"]]
    assert sorted(got) == sorted([
        (str(jks), "ten", 9, True), (str(p12), "ten", 9, True),
        (str(jks), "four", 399, False), (str(p12), "four", 399, False),
    ])
    assert run_cli(["expiry", jks, p12, "--storepass", PW, "--within", "9d"]).returncode == 0


# ---------------------------------------------------------------------------
# check --warn-days
# ---------------------------------------------------------------------------
def test_check_warn_days(tmp_path: Path) -> None:
    pki = make_pki("SF", leaf_key=rsa_key(0))
    leaf, key = pki.issue("SF client 10", rsa_key(0), not_after=days(10))
    path = save(tmp_path / "sf.jks", [key_entry("client_10", key, [leaf, pki.inter])], "JKS")
    base = ["check", "--profile", "salesforce", "--keystore", path, "--storepass", PW]
    res = run_cli(base)
    assert res.returncode == 0, res.stdout
    assert b"warning" not in res.stdout
    res = run_cli([*base, "--warn-days", "30"])
    assert res.returncode == 0, res.stdout  # a warning, still ready
    lines = res.stdout.decode().splitlines()
    assert lines[0].startswith("warning: client_10: certificate [1] CN=SF client 10, O=Test PKI "
                               "expires in ")
    assert lines[-1] == f"{path}: ready for Salesforce"
    doc = json.loads(run_cli([*base, "--warn-days", "30", "--json"]).stdout)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("expires-soon", "warning")]
    assert doc["verdict"] == "ready"
    res = run_cli([*base, "--warn-days", "5"])
    assert b"warning" not in res.stdout
    for bad in ("-1", "99999999"):
        res = run_cli([*base, "--warn-days", bad])
        assert res.returncode == 1
        assert res.stderr == f"keystoretool error: --warn-days takes 0 to 36500 days, not {bad}\n".encode()


def test_unparsable_certificate_is_an_error_of_its_store(stores: dict[str, Any],
                                                        tmp_path: Path) -> None:
    junk = save(tmp_path / "junk.jks", [TrustedCertEntry("junk", cert_der=b"\x30\x03\x02\x01\x01"),
                                        TrustedCertEntry("ca10", cert_der=der(stores["ca10"]))],
                "JKS")
    res = run_cli(["expiry", junk, "--storepass", PW, "--prometheus"])
    assert res.returncode == 1
    assert res.stderr.decode() == (f"keystoretool error: {junk}: <junk> certificate [1]: "
                                   "Failed to parse input\n")
    fams = metrics(res.stdout.decode())
    assert [s.value for s in fams["keystore_read_error"]] == [1]
    # the certificates that parse are still reported
    assert [s.labels["alias"] for s in fams["keystore_certificate_not_after_seconds"]] == ["ca10"]


def test_keystore_repeats_only_for_commands_that_take_many() -> None:
    from keystoretool.cli import keytool_argv

    many = keytool_argv.parse(["-expiry", "-keystore", "a.jks", "-destkeystore", "b.p12"])
    assert many.options["keystore"] == ["a.jks", "b.p12"] and many.warnings == []
    one = keytool_argv.parse(["-keystore", "a.jks", "-list", "-keystore", "b.p12"])
    assert one.options["keystore"] == ["b.p12"]
    assert one.warnings == ["The -keystore option is specified multiple times. "
                            "All except the last one will be ignored."]


def test_keytool_syntax_help(stores: dict[str, Any]) -> None:
    # keytool's layout, on stderr as keytool prints it (tests/test_cli_syntax.py)
    res = run_cli(["-expiry", "-keystore", stores["far"], "-help"])
    assert res.returncode == 0, res.stderr
    assert res.stderr.startswith(b"keystoretool -expiry [OPTION]...\n")
    assert b" -keystore <keystore>" in res.stderr


def test_batch_jobs_see_every_keystore_of_expiry_and_diff(tmp_path: Path) -> None:
    """batch --jobs orders lines by the files they name: expiry/diff name many."""
    from keystoretool.cli.cmd_batch import touched_paths

    def real(*names: str) -> set[str]:
        return {os.path.realpath(tmp_path / n) for n in names}

    a, b, c, m = (str(tmp_path / n) for n in ("a.jks", "b.p12", "c.p12", "m.prom"))
    assert touched_paths(["expiry", a, "--storepass", "x", b, "--json", c,
                          "--prometheus-file", m]) == real("a.jks", "b.p12", "c.p12", "m.prom")
    assert touched_paths(["-expiry", "-keystore", a, "-keystore", b, "-storepass", "x"]) == real(
        "a.jks", "b.p12")
    assert touched_paths(["diff", a, b, "--storepass:env", "X", "--keys"]) == real("a.jks", "b.p12")
    assert touched_paths(["-list", "-keystore", a, "-keystore", b]) == real("b.p12")


def test_one_prompted_password_for_every_store(stores: dict[str, Any]) -> None:
    res = run_cli(["expiry", stores["client"], stores["far"]], stdin=f"{PW}\n".encode())
    assert res.returncode == 2, res.stderr
    assert res.stderr.decode().count("Enter keystore password:") == 1
    assert b"integrity" not in res.stderr
    assert {r[4] for r in table(res.stdout)} == {str(stores["client"]), str(stores["far"])}
