"""Reusable typer option declarations: one per keytool option, ``-x`` -> ``--x``."""

from __future__ import annotations

from typing import Annotated

import typer

PW_HELP = "literal, or :env VAR / :file F (e.g. --storepass:env PW)"

Alias = Annotated[str | None, typer.Option("--alias", help="alias name of the entry")]
DestAlias = Annotated[str | None, typer.Option("--destalias", help="destination alias")]
Keystore = Annotated[
    str | None, typer.Option("--keystore", help="keystore name (default ~/.keystore)")
]
StorePass = Annotated[str | None, typer.Option("--storepass", help=f"keystore password; {PW_HELP}")]
StoreType = Annotated[
    str | None, typer.Option("--storetype", help="keystore type (JKS, JCEKS, PKCS12, BKS, UBER)")
]
KeyPass = Annotated[str | None, typer.Option("--keypass", help=f"key password; {PW_HELP}")]
Verbose = Annotated[bool, typer.Option("--v", "-v", help="verbose output")]
Rfc = Annotated[bool, typer.Option("--rfc", help="output in RFC (PEM) style")]
NoPrompt = Annotated[bool, typer.Option("--noprompt", help="do not prompt")]
Json = Annotated[bool, typer.Option("--json", help="machine-readable JSON output")]
Backup = Annotated[bool, typer.Option("--backup", help="keep the previous file as NAME.bak")]
LockTimeout = Annotated[
    float | None,
    typer.Option("--lock-timeout", help="seconds to wait for another process's lock (default 10)"),
]
NameRules = Annotated[
    str | None,
    typer.Option("--name-rules", help="refuse aliases that break a profile's naming rules "
                 "(salesforce)"),
]
SrcKeystore = Annotated[str | None, typer.Option("--srckeystore", help="source keystore")]
DestKeystore = Annotated[str | None, typer.Option("--destkeystore", help="destination keystore")]
SrcStoreType = Annotated[str | None, typer.Option("--srcstoretype", help="source keystore type")]
DestStoreType = Annotated[
    str | None, typer.Option("--deststoretype", help="destination type (new store: PKCS12)")
]
SrcStorePass = Annotated[str | None, typer.Option("--srcstorepass", help=PW_HELP)]
DestStorePass = Annotated[str | None, typer.Option("--deststorepass", help=PW_HELP)]
SrcAlias = Annotated[str | None, typer.Option("--srcalias", help="import only this entry")]
SrcKeyPass = Annotated[str | None, typer.Option("--srckeypass", help=PW_HELP)]
DestKeyPass = Annotated[str | None, typer.Option("--destkeypass", help=PW_HELP)]
KeyPassFor = Annotated[
    list[str] | None,
    typer.Option("--keypass-for", help="ALIAS=SOURCE: key password of one source entry "
                 "(SOURCE: env:VAR, file:F or a literal); repeatable"),
]
P12Profile = Annotated[
    str | None,
    typer.Option("--p12-profile", help="algorithms of a new PKCS12: modern (default) or legacy"),
]
