"""The typer application, built from the command functions.

Command functions declare options as ``Annotated[type, Opt(...)]`` (see
``cli/options.py``) and do not import typer; here each becomes a typer
command with the same parameters, so native syntax, ``--help`` and shell
completion come from typer while the keytool-syntax fast path skips it.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer

from .help import metavar
from .registry import all_commands, params


def shown_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """An option's names for typer: ``--v`` (keytool's ``-v`` spelled natively)
    is left to :func:`keytool_argv.native_short_options`, so help shows ``-v``."""
    return tuple(n for n in names
                 if not (len(n) == 3 and n.startswith("--") and f"-{n[2]}" in names))


def typer_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """A wrapper of ``func`` whose signature carries typer.Option metadata."""
    sig = inspect.signature(func)
    by_name = {p.name: p for p in params(func)}
    new_params = []
    annotations: dict[str, Any] = {}
    import typing

    hints = typing.get_type_hints(func, include_extras=True)
    for name, param in sig.parameters.items():
        spec = by_name.get(name)
        if spec is None:
            new_params.append(param)
            continue
        base = hints[name].__origin__
        long_name = spec.opt.names[0][2:]
        info = (
            typer.Argument(help=spec.opt.help, metavar=long_name.upper(), show_default=False)
            if spec.opt.positional
            else typer.Option(*shown_names(spec.opt.names), help=spec.opt.help,
                              metavar="" if spec.kind is bool else metavar(long_name,
                                                                          bool(spec.opt.secret)))
        )
        annotation = Annotated[base, info]  # type: ignore[valid-type]
        annotations[name] = annotation
        new_params.append(param.replace(annotation=annotation))

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        return func(**kwargs)

    wrapper.__signature__ = sig.replace(parameters=new_params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = annotations
    return wrapper


def colours_allowed(platform: str | None = None,
                    environ: Mapping[str, str] | None = None) -> bool:
    """Whether help may be coloured on a terminal: never with NO_COLOR
    (https://no-color.org) or ``TERM=dumb``; on Windows only in a console
    that understands VT escape sequences (Windows Terminal, ANSICON, a
    ``TERM`` set by a POSIX-like shell, or a console where VT processing can
    be switched on), never raw escapes in an old console."""
    platform = sys.platform if platform is None else platform
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    if platform != "win32":
        return True
    if env.get("WT_SESSION") or env.get("ANSICON") or env.get("TERM"):
        return True
    return _enable_vt_mode()


def _enable_vt_mode() -> bool:
    """Switch on ENABLE_VIRTUAL_TERMINAL_PROCESSING for stdout (Windows 10+)."""
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))
    except Exception:  # noqa: BLE001 - no console, no ctypes: no colours
        return False


def _no_color() -> None:
    """Help without ANSI styling where :func:`colours_allowed` says no.
    (Without a terminal, rich writes plain text already.)"""
    if not colours_allowed():
        try:
            from typer import rich_utils
        except ImportError:  # typer without rich: help is plain already
            return
        rich_utils.COLOR_SYSTEM = None


def _root_options(
    version: Annotated[bool, typer.Option(
        "--version", help="Print keystoretool's version and exit (also -version).")] = False,
) -> None:
    """Listed in --help; cli/main.py answers --version before typer runs."""


def build_app() -> typer.Typer:
    _no_color()
    app = typer.Typer(
        name="keystoretool",
        help="Java keytool's keystore commands without a JVM. Takes keytool's own command "
        "line (keystoretool -list -keystore ks.jks ...) or native commands "
        "(keystoretool list --keystore ks.jks ...).",
        no_args_is_help=True,
        add_completion=True,
        context_settings={"help_option_names": ["--help", "-h"]},
        pretty_exceptions_enable=False,
    )
    app.callback()(_root_options)
    for name, func in all_commands():
        app.command(name)(typer_command(func))
    return app


def without_type_noise(group: Any) -> Any:
    """The click group of the app, its help without typer's type column
    (``<bool>``, ``<str>``, ``<list[str]>``): options show the placeholder
    ``-help`` uses (``<alias>``), flags and positional arguments nothing."""
    for command in [group, *group.commands.values()]:
        for param in command.params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
            elif param.param_type_name == "argument":
                param.display_type_rich = lambda ctx: None
        original = command.get_help_option

        def help_option(ctx: Any, original: Any = original) -> Any:
            option = original(ctx)
            if option is not None:
                option.metavar = ""
            return option

        command.get_help_option = help_option
    return group
