"""Command functions and their options, found through the command table
(:mod:`.commands`) without importing more than the command that runs.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import KeystoreToolError, UsageError
from .commands import BY_NAME, TABLE
from .options import Opt


def find_command(name: str) -> Callable[..., Any] | None:
    """The function of command ``name`` (importing only its module); None for
    a name the table does not know."""
    command = BY_NAME.get(name)
    if command is None:
        return None
    if command.module is None:
        raise KeystoreToolError(f"-{name} is not supported by keystoretool")
    module = importlib.import_module(command.module)
    return module.COMMANDS[name]  # type: ignore[no-any-return]


def all_commands() -> Iterator[tuple[str, Callable[..., Any]]]:
    """(name, function) of every implemented command, in table order."""
    for command in TABLE:
        if command.module is not None:
            yield command.name, importlib.import_module(command.module).COMMANDS[command.name]


def declared_options(name: str) -> set[str]:
    """The long option names (without dashes) command ``name`` declares."""
    func = find_command(name)
    if func is None:
        return set()
    return {n[2:] for p in params(func) for n in p.opt.names if n.startswith("--")}


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


def call_with_options(func: Callable[..., Any], values: dict[str, list[str | bool]],
                      command: str | None = None) -> Any:
    """Call a command with keytool-style option values keyed by option name
    (without dashes); options the command does not declare are ignored."""
    from .keytool_argv import canonical

    kwargs: dict[str, Any] = {}
    for p in params(func):
        long_names = [n[2:] for n in p.opt.names if n.startswith("--")]
        got = next((values[canonical(n)] for n in long_names if canonical(n) in values), None)
        if got is None:
            if p.default is inspect.Parameter.empty:
                shown = f"-{command} " if command else ""
                raise UsageError(f"{shown}needs -{long_names[0]}")
            continue
        kwargs[p.name] = _convert(p, got, f"-{long_names[0]}")
    return func(**kwargs)


def _convert(p: Param, got: list[str | bool], shown: str) -> Any:
    if p.kind is bool:
        return True
    if p.kind is list:
        return [str(v) for v in got]
    raw = str(got[-1])
    try:
        return p.kind(raw)
    except ValueError as exc:
        raise UsageError(f"Invalid value for {shown}: {raw}") from exc


def parse_native(func: Callable[..., Any], args: list[str]) -> dict[str, Any] | None:
    """A native command line's keyword arguments for ``func``, read without
    typer; None for anything but plain options and positional values (help,
    mistakes), which typer then handles and explains."""
    by_name = {n: p for p in params(func) for n in p.opt.names}
    positional = next((p for p in params(func) if p.opt.positional), None)
    got: dict[str, tuple[Param, list[str | bool]]] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        p = by_name.get(name) if arg.startswith("-") and arg != "-" else None
        if p is None:
            if positional is None or (arg.startswith("-") and arg != "-"):
                return None
            if positional.kind is not list and positional.name in got:
                return None
            got.setdefault(positional.name, (positional, []))[1].append(arg)
        elif p.kind is bool:
            if eq:
                return None
            got.setdefault(p.name, (p, []))[1].append(True)
        else:
            if not eq:
                if i + 1 >= len(args):
                    return None
                i += 1
                value = args[i]
            got.setdefault(p.name, (p, []))[1].append(value)
        i += 1
    try:
        return {name: _convert(p, values, p.opt.names[0]) for name, (p, values) in got.items()}
    except UsageError:
        return None
