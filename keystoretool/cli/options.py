"""Option declarations shared by the commands: one per keytool option, ``-x`` -> ``--x``.

Commands annotate their parameters as ``Annotated[type, Opt("--x", help=...)]``.
``Opt`` is a plain record, so a command module imports no CLI framework: the
keytool-syntax fast path (``cli/main.py``) calls command functions directly,
and ``cli/app.py`` turns each ``Opt`` into a ``typer.Option`` only when the
typer application is built (native syntax, help, completion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

#: ``Opt.secret`` kinds: how a secret value is written, hence what to mask.
#: keytool's password options: the value is the password (``-x:env``/``-x:file``
#: name a source instead, marked on the option name).
LITERAL = "literal"
#: ``pass:TEXT``, ``env:VAR``, ``file:F`` or a bare literal (openssl's form).
SOURCE = "source"
#: ``ALIAS=SOURCE`` (``--keypass-for``).
ALIAS_SOURCE = "alias=source"


@dataclass(frozen=True)
class Opt:
    """A command-line option: its names (``--x``, optional short ``-x``), help,
    and what its value is.

    ``secret`` (one of :data:`LITERAL`, :data:`SOURCE`, :data:`ALIAS_SOURCE`)
    marks a value that may carry a password: every printed command line
    masks it (:mod:`keystoretool.cli.secrets`). ``path`` marks a value that
    names a file the command reads or writes: ``batch --jobs`` orders lines
    that name a common file. ``positional``: in native syntax the values are
    positional arguments (``keystoretool expiry a.jks b.p12``); in keytool
    syntax they are the option, repeated (``-expiry -keystore a.jks -keystore b.p12``).
    """

    names: tuple[str, ...]
    help: str = ""
    secret: str | None = None
    path: bool = False
    positional: bool = False

    def __init__(self, *names: str, help: str = "",  # noqa: A002 - typer's name
                 secret: str | None = None, path: bool = False,
                 positional: bool = False) -> None:
        if secret not in (None, LITERAL, SOURCE, ALIAS_SOURCE):
            raise ValueError(f"unknown secret kind {secret!r}")
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "help", help)
        object.__setattr__(self, "secret", secret)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "positional", positional)


#: How a password option's value may be given (in every password option's help).
PW_SOURCES = "literal, or :env VAR / :file F"


def pw_help(option: str, what: str) -> str:
    """The help of a password option; its example names the option itself."""
    return f"{what}; {PW_SOURCES} (e.g. {option}:env PW)"


Alias = Annotated[str | None, Opt("--alias", help="alias name of the entry")]
DestAlias = Annotated[str | None, Opt("--destalias", help="destination alias")]
Keystore = Annotated[
    str | None, Opt("--keystore", help="keystore name (default ~/.keystore)", path=True)
]
StorePass = Annotated[
    str | None,
    Opt("--storepass", help=pw_help("--storepass", "keystore password"), secret=LITERAL),
]
StoreType = Annotated[
    str | None, Opt("--storetype", help="keystore type (JKS, JCEKS, PKCS12, BKS, UBER)")
]
KeyPass = Annotated[
    str | None, Opt("--keypass", help=pw_help("--keypass", "key password"), secret=LITERAL)
]
Verbose = Annotated[bool, Opt("--v", "-v", help="verbose output")]
Rfc = Annotated[bool, Opt("--rfc", help="output in RFC (PEM) style")]
NoPrompt = Annotated[bool, Opt("--noprompt", help="do not prompt")]
Json = Annotated[bool, Opt("--json", help="machine-readable JSON output")]
File = Annotated[str | None, Opt("--file", help="input or output file name", path=True)]
Cacerts = Annotated[bool, Opt("--cacerts", help="access the JDK's cacerts keystore")]
Backup = Annotated[bool, Opt("--backup", help="keep the previous file as NAME.bak")]
LockTimeout = Annotated[
    float | None,
    Opt("--lock-timeout", help="seconds to wait for another process's lock (default 10)"),
]
NameRules = Annotated[
    str | None,
    Opt("--name-rules", help="refuse aliases that break a profile's naming rules (salesforce)"),
]
SrcKeystore = Annotated[str | None, Opt("--srckeystore", help="source keystore", path=True)]
DestKeystore = Annotated[str | None, Opt("--destkeystore", help="destination keystore", path=True)]
SrcStoreType = Annotated[str | None, Opt("--srcstoretype", help="source keystore type")]
DestStoreType = Annotated[
    str | None, Opt("--deststoretype", help="destination type (new store: PKCS12)")
]
SrcStorePass = Annotated[
    str | None,
    Opt("--srcstorepass", help=pw_help("--srcstorepass", "source keystore password"),
        secret=LITERAL),
]
DestStorePass = Annotated[
    str | None,
    Opt("--deststorepass", help=pw_help("--deststorepass", "destination keystore password"),
        secret=LITERAL),
]
SrcAlias = Annotated[str | None, Opt("--srcalias", help="import only this entry")]
SrcKeyPass = Annotated[
    str | None,
    Opt("--srckeypass", help=pw_help("--srckeypass", "source key password"), secret=LITERAL),
]
DestKeyPass = Annotated[
    str | None,
    Opt("--destkeypass", help=pw_help("--destkeypass", "destination key password"), secret=LITERAL),
]
KeyPassFor = Annotated[
    list[str] | None,
    Opt("--keypass-for", help="ALIAS=SOURCE: key password of one source entry "
        "(SOURCE: env:VAR, file:F or a literal); repeatable", secret=ALIAS_SOURCE),
]
P12Profile = Annotated[
    str | None,
    Opt("--p12-profile", help="algorithms of a new PKCS12: modern (default) or legacy"),
]
KeepUnattached = Annotated[
    bool,
    Opt("--keep-unattached-certs", help="read PKCS12 certificates that belong to no key and "
        "carry no trust attribute (keytool ignores them) as trusted certificate entries"),
]
