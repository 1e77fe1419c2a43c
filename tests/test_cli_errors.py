"""Usage errors are bad input too: a French message and exit code 1, never a traceback."""

import subprocess
import sys

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


def _vivier(home, *args) -> list[str]:
    return [sys.executable, "-m", "vivier", "--home", str(home), *map(str, args)]


def test_a_warehouse_held_by_another_process_is_a_french_error(cli, home, samples):
    sample = samples / "decp-2019/decp_test_2019.json"
    assert cli("ingest", sample).exit_code == 0
    holder = subprocess.Popen(  # another process writing the warehouse, as an ingest does
        [sys.executable, "-c", HOLD_WAREHOUSE, str(home / "warehouse.duckdb")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ouvert"
        for args in (("ingest", samples / "decp-2019/e-marchespublics.json"), ("quality",)):
            result = cli(*args)
            assert result.exit_code == 1, args
            assert "est déjà ouvert par le processus" in result.stderr, result.output
            assert "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()
    assert cli("quality").exit_code == 0  # released: everything works again


HOLD_WAREHOUSE = """import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("ouvert", flush=True)
time.sleep(60)
"""


def test_a_reader_that_goes_away_gets_no_traceback(home, samples):
    sample = samples / "decp-2019/decp_test_2019.json"
    assert subprocess.run(_vivier(home, "ingest", sample), capture_output=True).returncode == 0
    command = _vivier(home, "quality")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.close()  # like `| head -c 0`: the first write breaks the pipe
    stderr = child.stderr.read()
    assert child.wait() == 1
    assert "Traceback" not in stderr and "Erreur inattendue" not in stderr, stderr


def test_a_folder_that_cannot_be_written_is_a_french_error(cli, samples, tmp_path):
    assert cli("ingest", samples / "decp-2019/decp_test_2019.json").exit_code == 0
    not_a_folder = tmp_path / "fichier"
    not_a_folder.write_text("x")
    for args in (
        ("export", "--format", "parquet", not_a_folder / "export"),
        ("barometer", "--year", "2019", "--out", not_a_folder / "rapport"),
    ):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "n'est pas un dossier" in result.stderr, result.output
        assert "Traceback" not in result.output and "inattendue" not in result.output
