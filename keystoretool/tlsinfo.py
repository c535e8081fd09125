"""What ``keytool -showinfo -tls`` shows, for this program's TLS stack.

keytool lists what JSSE enables by default. Our TLS (the ``probe`` command)
is Python's ssl over OpenSSL, so this lists the protocols and cipher suites
of ``ssl.create_default_context()``: the same layout, OpenSSL's list and
order, suites under their IANA (RFC) names as JSSE names them.
"""

from __future__ import annotations

_KX = {"ECDHE": "ECDHE", "DHE": "DHE", "EDH": "DHE", "ECDH": "ECDH", "DH": "DH",
       "PSK": "PSK", "RSAPSK": "RSA_PSK", "SRP": "SRP"}
_AUTH = {"ECDSA": "ECDSA", "RSA": "RSA", "DSS": "DSS", "PSK": "PSK", "aNULL": "anon"}
_CIPHERS = {"AES128": "AES_128", "AES256": "AES_256", "CAMELLIA128": "CAMELLIA_128",
            "CAMELLIA256": "CAMELLIA_256", "ARIA128": "ARIA_128", "ARIA256": "ARIA_256",
            "DES": "DES", "DES-CBC3": "3DES_EDE", "SEED": "SEED", "RC4": "RC4_128"}


def iana_name(openssl_name: str) -> str:
    """An OpenSSL cipher suite name in IANA form:
    ``ECDHE-RSA-AES256-GCM-SHA384`` -> ``TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384``."""
    if openssl_name.startswith("TLS_"):
        return openssl_name
    parts = openssl_name.replace("DES-CBC3", "DES_CBC3").split("-")
    parts = ["DES-CBC3" if p == "DES_CBC3" else p for p in parts]
    kx = "RSA"
    if parts and parts[0] in _KX and len(parts) > 2:
        kx = _KX[parts.pop(0)]
        if parts[0] in _AUTH:
            kx += "_" + _AUTH[parts.pop(0)]
        elif kx in ("DHE", "ECDHE"):
            kx += "_RSA"
    if not parts:
        return openssl_name
    cipher = parts.pop(0)
    if cipher == "CHACHA20" and parts[:1] == ["POLY1305"]:
        parts.pop(0)
        return f"TLS_{kx}_WITH_CHACHA20_POLY1305_SHA256"
    name = _CIPHERS.get(cipher)
    if name is None:
        return openssl_name
    mode = "CBC"
    if parts and parts[0] in ("GCM", "CCM", "CCM8"):
        mode = {"CCM8": "CCM_8"}.get(parts[0], parts[0])
        parts.pop(0)
    if name in ("RC4_128",):
        mode = ""
    if name == "3DES_EDE":
        mode = "CBC"
    mac = parts[0] if parts else "SHA"
    mac = "SHA" if mac == "SHA" else mac
    if mode in ("CCM", "CCM_8"):
        return f"TLS_{kx}_WITH_{name}_{mode}"
    middle = f"{name}_{mode}" if mode else name
    return f"TLS_{kx}_WITH_{middle}_{mac}"


def showinfo_tls() -> str:
    """The ``-showinfo -tls`` text: enabled protocols (newest first), a blank
    line, enabled cipher suites (OpenSSL's order)."""
    import ssl

    ctx = ssl.create_default_context()
    order = [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_1,
             ssl.TLSVersion.TLSv1]
    names = {ssl.TLSVersion.TLSv1_3: "TLSv1.3", ssl.TLSVersion.TLSv1_2: "TLSv1.2",
             ssl.TLSVersion.TLSv1_1: "TLSv1.1", ssl.TLSVersion.TLSv1: "TLSv1"}
    low = ctx.minimum_version
    high = ctx.maximum_version
    protocols = []
    for version in order:
        if version == ssl.TLSVersion.TLSv1_3 and not ssl.HAS_TLSv1_3:
            continue
        if high not in (ssl.TLSVersion.MAXIMUM_SUPPORTED,) and version > high:
            continue
        if low not in (ssl.TLSVersion.MINIMUM_SUPPORTED,) and version < low:
            continue
        protocols.append(names[version])
    suites: list[str] = []
    for cipher in ctx.get_ciphers():
        name = iana_name(cipher["name"])
        if name not in suites:
            suites.append(name)
    return ("Enabled Protocols\n-----------------\n" + "".join(p + "\n" for p in protocols)
            + "\nEnabled Cipher Suites\n---------------------\n"
            + "".join(s + "\n" for s in suites))
