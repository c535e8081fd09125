"""The command-line interface: keytool-style argv rewriting, typer commands, prompts."""
