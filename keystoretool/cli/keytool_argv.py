"""keytool's single-dash command line, rewritten into the native typer form.

keytool matches commands and options with a ``java.text.Collator`` at PRIMARY
strength (case, accents and inner hyphens ignored), accepts options in any
order, accepts every known option with every command (ignoring the ones a
command does not use), lets the last of a repeated option win (with a
warning), and has synonyms (``-alias`` = ``-srcalias`` ...). This module
reproduces that and produces the argv of the native command, e.g.::

    -changealias -alias a -destalias b -keystore ks.jks -storepass:env PW -v
    -> changealias --alias a --destalias b --keystore ks.jks --storepass <env PW> --v

Password modifiers (``-storepass:env VAR``, ``-storepass:file F``) become a
value prefixed with NUL (which no real argv string can contain), resolved
later by :mod:`keystoretool.cli.passwords`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import UsageError
from .commands import NAMES

#: keytool command -> native command name (old names included), from the
#: command table; ``-version`` is answered before any command runs.
COMMANDS: dict[str, str] = {**NAMES, "version": "version"}

#: keytool options that take a value.
VALUE_OPTIONS = {
    "alias", "srcalias", "destalias", "dest", "dname", "ext", "file", "infile", "outfile",
    "jarfile", "keyalg", "keysize", "groupname", "keystore", "destkeystore", "srckeystore",
    "new", "providerclass", "providername", "providerarg", "addprovider", "providerpath",
    "sigalg", "srcstorepass", "deststorepass", "storepass", "keypass", "srckeypass",
    "destkeypass", "storetype", "srcstoretype", "deststoretype", "srcprovidername",
    "destprovidername", "startdate", "validity", "sslserver", "id", "signer",
    "signerkeypass", "conf",
    # beyond keytool
    "keypass-for", "p12-profile", "name-rules", "lock-timeout",
    "within", "prometheus-file", "storepass-for", "other-storepass", "other-keypass",
    "other-storetype",
}
#: keytool options that are flags.
FLAG_OPTIONS = {
    "v", "rfc", "noprompt", "trustcacerts", "protected", "srcprotected", "destprotected",
    "cacerts", "tls", "debug",
    # beyond keytool
    "json", "backup", "keep-unattached-certs", "prometheus", "dates", "keys",
}
PASSWORD_OPTIONS = {
    "storepass", "deststorepass", "srcstorepass", "keypass", "srckeypass", "destkeypass",
    "new", "signerkeypass", "other-storepass", "other-keypass",
}
#: openssl-style pass phrase options (``pass:``/``env:``/``file:`` values) that
#: also take the ``:env VAR`` / ``:file F`` forms of every other password option.
SOURCE_PASSWORD_OPTIONS = {"passout", "passin"}
#: Options that may repeat without keytool's warning.
REPEATABLE = {"ext", "addprovider", "providerclass", "providerarg", "keypass-for", "storepass-for",
              "id"}

#: Synonym groups: keytool sets one variable for all names in a group. The
#: native command gets the first name of the group it declares.
SYNONYMS: list[tuple[str, ...]] = [
    ("alias", "srcalias"),
    ("destalias", "dest"),
    ("storepass", "deststorepass"),
    ("keystore", "destkeystore"),
    ("storetype", "deststoretype"),
    ("providername", "destprovidername"),
    ("protected", "destprotected"),
]
_GROUP = {name: group for group in SYNONYMS for name in group}

HELP_WORDS = {"help", "h", "?"}


def canonical(name: str) -> str:
    """The variable keytool sets for option ``name`` (first of its synonyms)."""
    return _GROUP.get(name, (name,))[0]

PASSWORD_PREFIX = "\0"


def collate(word: str) -> str:
    """Collator PRIMARY strength: case, accents and inner hyphens ignored."""
    if word.isascii():  # (NFKD changes no ASCII text; the common case, kept fast)
        return word.lower().replace("-", "")
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.lower().replace("-", "")


_COLLATED_COMMANDS = {collate(k): v for k, v in COMMANDS.items()}
_COLLATED_HELP = {collate(w) for w in HELP_WORDS}
_ALL_OPTIONS = VALUE_OPTIONS | FLAG_OPTIONS
_COLLATED_OPTIONS = {collate(k): k for k in _ALL_OPTIONS}


def is_keytool_syntax(argv: Sequence[str]) -> bool:
    """True when argv is keytool-style (a single-dash command somewhere)."""
    for arg in argv:
        if arg.startswith("-") and not arg.startswith("--"):
            if collate(arg[1:]) in _COLLATED_COMMANDS:
                return True
    return False


def is_help_request(argv: Sequence[str]) -> bool:
    """keytool's ``-help`` / ``-?`` / ``-h`` without a command (``--help`` and
    ``-h`` alone are typer's native help)."""
    return bool(argv) and argv[0] not in ("--help", "-h") and argv[0].startswith("-") \
        and not argv[0].startswith("--") and collate(argv[0][1:]) in _COLLATED_HELP


def is_mixed_syntax(argv: Sequence[str]) -> bool:
    """A native command name followed by keytool's single-dash options
    (``changealias -alias x -destalias y``): read as keytool syntax."""
    if not argv or argv[0] not in COMMANDS or argv[0] == "version":
        return False
    return any(len(a) > 2 and a.startswith("-") and not a.startswith("--")
               and collate(a[1:].split(":", 1)[0]) in _COLLATED_OPTIONS for a in argv[1:])


def suggestion(word: str) -> str:
    """`` (did you mean -list?)`` for a mistyped command or option, or ""."""
    import difflib

    dashes = len(word) - len(word.lstrip("-"))
    body = collate(word[dashes:].split(":", 1)[0])
    if not body:
        return ""
    names = {collate(n): n for n in (*COMMANDS, *_ALL_OPTIONS)}
    close = difflib.get_close_matches(body, names, n=1, cutoff=0.75)
    if not close:
        return ""
    prefix = "-" * dashes if dashes else ""
    return f" (did you mean {prefix}{names[close[0]]}?)"


def _command_of(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg.startswith("-") and not arg.startswith("--"):
            cmd = _COLLATED_COMMANDS.get(collate(arg[1:]))
            if cmd is not None:
                return cmd
    return None


def _declared(command: str | None) -> tuple[set[str], set[str], set[str]]:
    """(value options, flag options, repeatable options) the command's own
    declaration adds to keytool's: every option of an extra works in keytool
    syntax; a positional or list option may repeat (``-expiry -keystore a
    -keystore b``)."""
    from .commands import BY_NAME

    if command is None or command not in BY_NAME or BY_NAME[command].module is None:
        return set(), set(), set()
    from .registry import find_command, params

    func = find_command(command)
    values: set[str] = set()
    flags: set[str] = set()
    repeatable: set[str] = set()
    for p in params(func) if func is not None else []:
        for name in (n[2:] for n in p.opt.names if n.startswith("--")):
            (flags if p.kind is bool else values).add(name)
            if p.kind is list or p.opt.positional:
                repeatable.add(canonical(name))
    return values, flags, repeatable


@dataclass
class ParsedKeytool:
    command: str | None
    options: dict[str, list[str | bool]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    help: bool = False


def encode_password_source(kind: str, value: str) -> str:
    """Encode ``-x:env VAR`` / ``-x:file F`` as a NUL-prefixed option value."""
    return f"{PASSWORD_PREFIX}{kind}:{value}"


def parse(argv: Sequence[str]) -> ParsedKeytool:
    """Parse a keytool command line (without the program name)."""
    result = ParsedKeytool(command=None)
    repeated: list[tuple[str, str]] = []  # (option key, name) of each repetition
    own_values, own_flags, repeatable_here = _declared(_command_of(argv))
    flag_options = (FLAG_OPTIONS | own_flags) - own_values
    collated_options = {**_COLLATED_OPTIONS, **{collate(k): k for k in own_values | own_flags}}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-") or arg in ("-", "--"):
            raise UsageError(f"Illegal option:  {arg}")
        body = arg[2:] if arg.startswith("--") else arg[1:]
        if collate(body) in _COLLATED_HELP:
            result.help = True
            i += 1
            continue
        if body.startswith("J"):  # -J-Dprop=value: JVM options, meaningless here
            i += 1
            continue
        modifier = None
        name_part = body
        if ":" in body:
            name_part, modifier = body.split(":", 1)
        cmd = _COLLATED_COMMANDS.get(collate(name_part)) if modifier is None else None
        if cmd is not None and not arg.startswith("--"):
            if result.command is not None and result.command != cmd:
                raise UsageError(
                    f"Only one command is allowed: both -{result.command} and -{cmd} "
                    "were specified."
                )
            result.command = cmd
            i += 1
            continue
        name = collated_options.get(collate(name_part))
        if name is None:
            raise UsageError(f"Illegal option:  {arg}{suggestion(arg)}")
        if name in flag_options:
            if modifier is not None:
                raise UsageError(f"Illegal option:  {arg}")
            value: str | bool = True
            i += 1
        else:
            if i + 1 >= len(argv):
                raise UsageError(f"Command option -{name} needs an argument.")
            raw = argv[i + 1]
            if modifier is not None:
                if name not in PASSWORD_OPTIONS | SOURCE_PASSWORD_OPTIONS:
                    raise UsageError(f"Illegal option:  {arg}")
                kind = modifier.lower()
                if kind not in ("env", "file"):
                    raise UsageError(f"Unknown password type: {modifier}")
                value = encode_password_source(kind, raw)
            else:
                value = raw
            i += 2
        group = _GROUP.get(name, (name,))
        key = group[0]
        if key in result.options and key not in REPEATABLE:
            repeated.append((key, name))
        result.options.setdefault(key, []).append(value)
        if key not in result.order:
            result.order.append(key)
    # Repeated options: all but the last are ignored, with keytool's warning,
    # unless the command takes the option several times.
    for key, name in repeated:
        if key in repeatable_here:
            continue
        result.options[key] = result.options[key][-1:]
        warning = (
            f"The -{name.lower()} option is specified multiple times. "
            "All except the last one will be ignored."
        )
        if warning not in result.warnings:
            result.warnings.append(warning)
    return result


def to_native(parsed: ParsedKeytool) -> list[str]:
    """Native argv for a parsed keytool command line. Options the command
    does not declare are dropped, as keytool ignores them; a synonym becomes
    the name of its group the command declares (``-keystore`` ->
    ``--destkeystore`` for ``importkeystore``)."""
    if parsed.command is None:
        return ["--help"]
    cmd = parsed.command
    if parsed.help:  # keytool's "-x -help" shows the command's help, whatever else is given
        return [cmd, "--help"]
    from .registry import declared_options

    declared = declared_options(cmd)
    out = [cmd]
    for key in parsed.order:
        group = _GROUP.get(key, (key,))
        target = next((n for n in group if n in declared), None)
        if target is None:
            continue
        for value in parsed.options[key]:
            if value is True:
                out.append(f"--{target}")
            else:
                out.extend([f"--{target}", str(value)])
    return out


def native_password_modifiers(argv: Sequence[str]) -> list[str]:
    """In native syntax, ``--storepass:env VAR`` / ``--storepass:file F`` work too."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--") and ":" in arg and "=" not in arg:
            name, modifier = arg[2:].split(":", 1)
            takes_source = name in PASSWORD_OPTIONS or name in SOURCE_PASSWORD_OPTIONS
            if takes_source and modifier.lower() in ("env", "file"):
                if i + 1 >= len(argv):
                    raise UsageError(f"Command option --{name} needs an argument.")
                out.extend([f"--{name}", encode_password_source(modifier.lower(), argv[i + 1])])
                i += 2
                continue
            if takes_source:
                raise UsageError(f"Unknown password type: {modifier}")
        out.append(arg)
        i += 1
    return out


def native_short_options(argv: Sequence[str]) -> list[str]:
    """``--v`` is keytool's ``-v`` spelled natively; typer knows it as ``-v``
    (so its help shows ``-v``, not ``--v``)."""
    return ["-" + a[2:] if len(a) == 3 and a.startswith("--") and a[2].isalpha() else a
            for a in argv]
