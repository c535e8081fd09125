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


@dataclass(frozen=True)
class Opt:
    """A command-line option: its names (``--x``, optional short ``-x``) and help.

    ``positional``: in native syntax the values are positional arguments
    (``keystoretool expiry a.jks b.p12``); in keytool syntax they are the
    option, repeated (``-expiry -keystore a.jks -keystore b.p12``).
    """

    names: tuple[str, ...]
    help: str = ""
    positional: bool = False

    def __init__(self, *names: str, help: str = "",  # noqa: A002 - typer's name
                 positional: bool = False) -> None:
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "help", help)
        object.__setattr__(self, "positional", positional)


PW_HELP = "literal, or :env VAR / :file F (e.g. --storepass:env PW)"

Alias = Annotated[str | None, Opt("--alias", help="alias name of the entry")]
DestAlias = Annotated[str | None, Opt("--destalias", help="destination alias")]
Keystore = Annotated[str | None, Opt("--keystore", help="keystore name (default ~/.keystore)")]
StorePass = Annotated[str | None, Opt("--storepass", help=f"keystore password; {PW_HELP}")]
StoreType = Annotated[
    str | None, Opt("--storetype", help="keystore type (JKS, JCEKS, PKCS12, BKS, UBER)")
]
KeyPass = Annotated[str | None, Opt("--keypass", help=f"key password; {PW_HELP}")]
Verbose = Annotated[bool, Opt("--v", "-v", help="verbose output")]
Rfc = Annotated[bool, Opt("--rfc", help="output in RFC (PEM) style")]
NoPrompt = Annotated[bool, Opt("--noprompt", help="do not prompt")]
Json = Annotated[bool, Opt("--json", help="machine-readable JSON output")]
File = Annotated[str | None, Opt("--file", help="input or output file name")]
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
SrcKeystore = Annotated[str | None, Opt("--srckeystore", help="source keystore")]
DestKeystore = Annotated[str | None, Opt("--destkeystore", help="destination keystore")]
SrcStoreType = Annotated[str | None, Opt("--srcstoretype", help="source keystore type")]
DestStoreType = Annotated[
    str | None, Opt("--deststoretype", help="destination type (new store: PKCS12)")
]
SrcStorePass = Annotated[str | None, Opt("--srcstorepass", help=PW_HELP)]
DestStorePass = Annotated[str | None, Opt("--deststorepass", help=PW_HELP)]
SrcAlias = Annotated[str | None, Opt("--srcalias", help="import only this entry")]
SrcKeyPass = Annotated[str | None, Opt("--srckeypass", help=PW_HELP)]
DestKeyPass = Annotated[str | None, Opt("--destkeypass", help=PW_HELP)]
KeyPassFor = Annotated[
    list[str] | None,
    Opt("--keypass-for", help="ALIAS=SOURCE: key password of one source entry "
        "(SOURCE: env:VAR, file:F or a literal); repeatable"),
]
P12Profile = Annotated[
    str | None,
    Opt("--p12-profile", help="algorithms of a new PKCS12: modern (default) or legacy"),
]
