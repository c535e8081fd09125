"""Which module defines each command, without importing any of them.

The keytool-syntax fast path imports only the module of the command it runs;
the typer application imports them all.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from .options import Opt

#: command name -> module that defines it (each module has ``COMMANDS``:
#: a dict name -> function, and may be absent in a partial install).
COMMAND_MODULES: dict[str, str] = {
    "list": "keystoretool.cli.cmd_core",
    "changealias": "keystoretool.cli.cmd_core",
    "delete": "keystoretool.cli.cmd_core",
    "importkeystore": "keystoretool.cli.cmd_core",
    **{
        name: "keystoretool.cli.cmd_certs"
        for name in ("genkeypair", "certreq", "importcert", "exportcert", "printcert",
                     "printcertreq", "storepasswd", "keypasswd")
    },
    **{
        name: "keystoretool.cli.cmd_extra"
        for name in ("chain", "exportpem", "importpem", "probe", "check")
    },
    "expiry": "keystoretool.cli.cmd_report",
    "diff": "keystoretool.cli.cmd_report",
    "schema": "keystoretool.cli.cmd_report",
    "batch": "keystoretool.cli.cmd_batch",
    **{
        name: "keystoretool.cli.cmd_keytool"
        for name in ("genseckey", "importpass", "gencert", "gencrl", "printcrl", "showinfo")
    },
}
#: Modules whose commands are discovered when the typer app is built.
ALL_MODULES = (
    "keystoretool.cli.cmd_core",
    "keystoretool.cli.cmd_certs",
    "keystoretool.cli.cmd_extra",
    "keystoretool.cli.cmd_report",
    "keystoretool.cli.cmd_batch",
    "keystoretool.cli.cmd_keytool",
)


def import_optional(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def find_command(name: str) -> Callable[..., Any] | None:
    """The function of command ``name`` (importing as little as possible)."""
    modules = [COMMAND_MODULES[name]] if name in COMMAND_MODULES else list(ALL_MODULES)
    for module_name in modules:
        module = import_optional(module_name)
        if module is not None and name in getattr(module, "COMMANDS", {}):
            return module.COMMANDS[name]  # type: ignore[no-any-return]
    return None


@dataclass(frozen=True)
class Param:
    name: str  # Python parameter name
    opt: Opt
    kind: type  # str, bool, int, float or list
    default: Any


def params(func: Callable[..., Any]) -> list[Param]:
    """The options of a command function, from its ``Annotated[..., Opt]`` hints."""
    hints = typing.get_type_hints(func, include_extras=True)
    out = []
    for name, p in inspect.signature(func).parameters.items():
        hint = hints.get(name)
        meta = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Opt)]
        if not meta:
            continue
        out.append(Param(name, meta[0], _base_kind(hint.__origin__), p.default))  # type: ignore[union-attr]
    return out


def _base_kind(tp: Any) -> type:
    args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
    base = args[0]
    origin = typing.get_origin(base)
    if origin is list:
        return list
    if base in (str, bool, int, float):
        return base  # type: ignore[no-any-return]
    return str


def call_with_options(func: Callable[..., Any], values: dict[str, list[str | bool]]) -> Any:
    """Call a command with keytool-style option values keyed by option name
    (without dashes); options the command does not declare are ignored."""
    from .keytool_argv import canonical

    kwargs: dict[str, Any] = {}
    for p in params(func):
        long_names = [n[2:] for n in p.opt.names if n.startswith("--")]
        got = next((values[canonical(n)] for n in long_names if canonical(n) in values), None)
        if got is None:
            continue
        if p.kind is bool:
            kwargs[p.name] = True
        elif p.kind is list:
            kwargs[p.name] = [str(v) for v in got]
        else:
            raw = str(got[-1])
            try:
                kwargs[p.name] = p.kind(raw)
            except ValueError as exc:
                raise UsageError(f"Invalid value for -{long_names[0]}: {raw}") from exc
    return func(**kwargs)
