"""Usage errors are bad input too: a French message and exit code 1, never a traceback."""

import pytest


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--bogus"], "Option inconnue"),
        (["nosuch"], "Commande inconnue"),
        (["startups", "show"], "Argument manquant"),
        (["tenders", "list", "--limit", "abc"], "Valeur invalide pour '--limit'"),
    ],
)
def test_usage_errors_are_french_with_exit_code_1(cli, args, expected):
    result = cli(*args)
    assert result.exit_code == 1
    assert expected in result.stderr
    assert "Traceback" not in result.output


def test_help_still_works(cli):
    result = cli("startups", "--help")
    assert result.exit_code == 0
    assert "start-up" in result.stdout
