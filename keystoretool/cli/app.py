"""The typer application: every command, registered from its module.

Command modules keep their heavy imports inside the command functions, so
building the app stays cheap.
"""

from __future__ import annotations

import importlib

import typer

#: Modules that define commands (each has ``register(app)``). A module that
#: is not there (yet) is skipped.
COMMAND_MODULES = (
    "keystoretool.cli.cmd_core",
    "keystoretool.cli.cmd_certs",
    "keystoretool.cli.cmd_extra",
    "keystoretool.cli.cmd_batch",
)


def build_app() -> typer.Typer:
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
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)
    return app
