"""keytool's command-line rules, as the rewriter applies them."""

from __future__ import annotations

import pytest

from keystoretool.cli import keytool_argv as ka
from keystoretool.errors import UsageError


def native(argv: list[str]) -> list[str]:
    return ka.to_native(ka.parse(argv))


def test_seed_changealias_rewrites_to_native() -> None:
    argv = ("-changealias -alias sourceAlias -destalias ma_2_cert_oct_6_2021 -keypass Snaplogic123 "
            "-keystore snaplogic_SF.jks -storepass Snaplogic123 -storetype JKS -v").split()
    assert native(argv) == [
        "changealias", "--alias", "sourceAlias", "--destalias", "ma_2_cert_oct_6_2021",
        "--keypass", "Snaplogic123", "--keystore", "snaplogic_SF.jks",
        "--storepass", "Snaplogic123", "--storetype", "JKS", "--v",
    ]


def test_options_in_any_order_and_case_accent_hyphen_insensitive() -> None:
    out = native(["-KeyStore", "k.jks", "-LÍST", "-st-orepass", "pw"])
    assert out == ["list", "--keystore", "k.jks", "--storepass", "pw"]


def test_synonyms_map_to_the_name_the_command_declares() -> None:
    out = native(["-importkeystore", "-srckeystore", "a", "-keystore", "b", "-alias", "x",
                  "-storepass", "pw"])
    assert out == ["importkeystore", "--srckeystore", "a", "--destkeystore", "b",
                   "--srcalias", "x", "--deststorepass", "pw"]


def test_unused_known_options_are_ignored_like_keytool() -> None:
    assert native(["-list", "-keystore", "k", "-noprompt", "-destalias", "q"]) == [
        "list", "--keystore", "k"]


def test_repeated_option_last_wins_with_warning() -> None:
    parsed = ka.parse(["-list", "-alias", "a", "-alias", "b"])
    assert parsed.options["alias"] == ["b"]
    assert parsed.warnings == [
        "The -alias option is specified multiple times. All except the last one will be ignored."
    ]


def test_password_modifiers_are_encoded() -> None:
    out = native(["-list", "-storepass:env", "PW"])
    assert out == ["list", "--storepass", "\0env:PW"]
    out = native(["-list", "-storepass:FILE", "/p"])
    assert out == ["list", "--storepass", "\0file:/p"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-list", "foo"], "Illegal option:  foo"),
        (["-list", "-foo"], "Illegal option:  -foo"),
        (["-list", "-alias"], "Command option -alias needs an argument."),
        (["-list", "-delete"], "Only one command is allowed: both -list and -delete were specified."),
        (["-list", "-storepass:foo", "x"], "Unknown password type: foo"),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError) as exc:
        ka.parse(argv)
    assert str(exc.value) == message


def test_old_command_names() -> None:
    assert ka.parse(["-genkey"]).command == "genkeypair"
    assert ka.parse(["-export"]).command == "exportcert"
    assert ka.parse(["-import"]).command == "importcert"


def test_detects_keytool_syntax() -> None:
    assert ka.is_keytool_syntax(["-keystore", "x", "-list"])
    assert not ka.is_keytool_syntax(["list", "--keystore", "x"])


def test_native_password_modifiers() -> None:
    assert ka.native_password_modifiers(["list", "--storepass:env", "PW"]) == [
        "list", "--storepass", "\0env:PW"]
