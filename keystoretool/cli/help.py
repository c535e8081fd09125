"""keytool's help, in keytool 17's layout: ``-help`` / ``-?`` lists the
commands, ``-help -COMMAND`` / ``-COMMAND -help`` a command's options. As
keytool does, it goes to stderr with exit status 0.

Built from the command table (:mod:`.commands`) and each command's ``Opt``
declarations, so the extras read like keytool's own commands. (Native
``--help`` is typer's.)
"""

from __future__ import annotations

from .commands import BY_NAME, TABLE

PROG = "keystoretool"

#: keytool's placeholder of an option's value, by option name.
_METAVARS = {
    "alias": "alias", "destalias": "alias", "srcalias": "alias", "signer": "alias",
    "keystore": "keystore", "srckeystore": "keystore", "destkeystore": "keystore",
    "storetype": "type", "srcstoretype": "type", "deststoretype": "type",
    "other-storetype": "type",
    "file": "file", "infile": "file", "outfile": "file", "jarfile": "file", "out": "file",
    "certout": "file", "keyout": "file", "cafile": "file", "key": "file", "cert": "file",
    "dname": "name", "groupname": "name", "ext": "value", "keyalg": "alg", "sigalg": "alg",
    "keysize": "size", "startdate": "date", "validity": "days",
}
_FOOTER = f'Use "{PROG} -?, -h, or --help" for this help message\n'


def metavar(name: str, secret: bool) -> str:
    if secret or name.endswith("pass") or name == "new":
        return "<arg>"
    return f"<{_METAVARS.get(name, 'value')}>"


def _column(rows: list[tuple[str, str]]) -> str:
    width = max(len(left) for left, _ in rows) + 2
    return "".join(f" {left:<{width}}{text}".rstrip() + "\n" for left, text in rows)


def command_list() -> str:
    """``keytool -help``: keytool's commands, then ours, one line each."""
    ours = [c for c in TABLE if c.module is not None and not c.hidden]
    keytools = [(f"-{c.name}", c.summary) for c in ours if c.keytool]
    extras = [(f"-{c.name}", c.summary) for c in ours if not c.keytool]
    width = max(len(left) for left, _ in keytools + extras) + 2
    width = max(width, 20)  # keytool's column

    def lines(rows: list[tuple[str, str]]) -> str:
        return "".join(f" {left:<{width}}{text}\n" for left, text in rows)

    return (
        "Key and Certificate Management Tool\n\nCommands:\n\n" + lines(keytools)
        + "\nCommands beyond keytool:\n\n" + lines(extras) + "\n" + _FOOTER
        + f'Use "{PROG} -command_name --help" for usage of command_name.\n'
    )


def command_help(name: str) -> str:
    """``keytool -COMMAND -help``: usage, summary, the command's options."""
    from .registry import find_command, params

    command = BY_NAME[name]
    func = find_command(name)
    assert func is not None
    rows: list[tuple[str, str]] = []
    for p in params(func):
        long_name = next((n[2:] for n in p.opt.names if n.startswith("--")), p.opt.names[0][1:])
        left = f"-{long_name}"
        if p.kind is not bool:
            left += f" {metavar(long_name, p.opt.secret is not None)}"
        text = p.opt.help.split(";")[0] if p.opt.secret else p.opt.help
        rows.append((left, text))
    body = _column(rows) if rows else ""
    return (f"{PROG} -{name} [OPTION]...\n\n{command.summary}\n\nOptions:\n\n{body}\n"
            + _FOOTER)


def keytool_help(name: str | None) -> str:
    return command_help(name) if name is not None and name in BY_NAME \
        and BY_NAME[name].module is not None else command_list()
