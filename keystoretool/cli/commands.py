"""THE command table: every command keystoretool knows, in one place.

Everything else is derived from it, as pip derives its lazy imports and help
from ``commands_dict``: keytool-syntax dispatch (:mod:`.keytool_argv`), the
lazy import of a command's module (:mod:`.registry`), the typer application
(native syntax, ``--help``, completion: :mod:`.app`), keytool-style help,
did-you-mean suggestions, the password-masking scan (:mod:`.secrets`) and
batch. A command's module defines it in its ``COMMANDS`` dict (name ->
function); its options are the function's ``Annotated[..., Opt]`` parameters.

This module imports nothing: the keytool-syntax fast path reads it at start-up.
"""

from __future__ import annotations

_CORE = "keystoretool.cli.cmd_core"
_CERTS = "keystoretool.cli.cmd_certs"
_PASSWD = "keystoretool.cli.cmd_passwd"
_KEYTOOL = "keystoretool.cli.cmd_keytool"
_EXTRA = "keystoretool.cli.cmd_extra"
_REPORT = "keystoretool.cli.cmd_report"
_BATCH = "keystoretool.cli.cmd_batch"


class Command:
    """One command. ``module``: where it is defined (None: a keytool command
    keystoretool does not implement). ``keytool``: keytool 17 has it (its help
    lists it among keytool's). ``aliases``: keytool's older names for it.
    ``summary``: the one line of ``-help``, keytool's own words for keytool's.
    ``hidden``: not listed by ``-help`` (keytool does not list it either).
    ``fast_native``: its native syntax is read without typer when it can be
    (start-up time of a batch); help and mistakes still go to typer.
    (A plain class: this module is read at every start-up.)"""

    __slots__ = ("name", "module", "summary", "keytool", "aliases", "hidden", "fast_native")

    def __init__(self, name: str, module: str | None, summary: str, *, keytool: bool = True,
                 aliases: tuple[str, ...] = (), hidden: bool = False,
                 fast_native: bool = False) -> None:
        self.name = name
        self.module = module
        self.summary = summary
        self.keytool = keytool
        self.aliases = aliases
        self.hidden = hidden
        self.fast_native = fast_native


TABLE: tuple[Command, ...] = (
    # keytool's commands, in the order of ``keytool -help``
    Command("certreq", _CERTS, "Generates a certificate request"),
    Command("changealias", _CORE, "Changes an entry's alias"),
    Command("delete", _CORE, "Deletes an entry"),
    Command("exportcert", _CERTS, "Exports certificate", aliases=("export",)),
    Command("genkeypair", _CERTS, "Generates a key pair", aliases=("genkey",)),
    Command("genseckey", _KEYTOOL, "Generates a secret key"),
    Command("gencert", _KEYTOOL, "Generates certificate from a certificate request"),
    Command("importcert", _CERTS, "Imports a certificate or a certificate chain",
            aliases=("import",)),
    Command("importpass", _KEYTOOL, "Imports a password", aliases=("importpassword",)),
    Command("importkeystore", _CORE, "Imports one or all entries from another keystore"),
    Command("keypasswd", _PASSWD, "Changes the key password of an entry"),
    Command("list", _CORE, "Lists entries in a keystore"),
    Command("printcert", _CERTS, "Prints the content of a certificate"),
    Command("printcertreq", _CERTS, "Prints the content of a certificate request"),
    Command("printcrl", _KEYTOOL, "Prints the content of a CRL file"),
    Command("storepasswd", _PASSWD, "Changes the store password of a keystore"),
    Command("showinfo", _KEYTOOL, "Displays security-related information"),
    # keytool's commands that ``keytool -help`` does not list
    Command("gencrl", _KEYTOOL, "Generates CRL", hidden=True),
    Command("keyclone", None, "Clones a key entry", hidden=True),
    Command("selfcert", None, "Generates a self-signed certificate", hidden=True),
    # beyond keytool
    Command("chain", _EXTRA, "Shows and checks a key entry's certificate chain", keytool=False),
    Command("check", _EXTRA, "Checks a keystore against a profile's rules", keytool=False),
    Command("exportpem", _EXTRA, "Exports a key entry as PEM (key and chain)", keytool=False),
    Command("importpem", _EXTRA, "Imports a PEM key and chain as a key entry", keytool=False),
    Command("probe", _EXTRA, "Asks a TLS server whether it accepts a client certificate",
            keytool=False),
    Command("expiry", _REPORT, "Lists certificates by expiry date", keytool=False),
    Command("diff", _REPORT, "Compares the entries of two keystores", keytool=False),
    Command("schema", _REPORT, "Prints the JSON Schema of every --json document", keytool=False),
    Command("batch", _BATCH, "Runs many commands, one a line, in one process", keytool=False,
            fast_native=True),
)

BY_NAME: dict[str, Command] = {c.name: c for c in TABLE}
#: Every name a command answers to (old keytool names included) -> its name.
NAMES: dict[str, str] = {n: c.name for c in TABLE for n in (c.name, *c.aliases)}
#: Modules that define commands, in table order.
MODULES: tuple[str, ...] = tuple(dict.fromkeys(c.module for c in TABLE if c.module))
