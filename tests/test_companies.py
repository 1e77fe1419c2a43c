"""Company imports (SIRENE stock CSV, recherche-entreprises JSON) and `companies show`."""

from __future__ import annotations

import json
import random

import pyarrow as pa

from vivier.codes import check_siren
from vivier.errors import SourceError
from vivier.sources.sirene_stock import valid_sirens
from vivier.warehouse import companies as company_store
from vivier.warehouse import open_warehouse

STOCK_HEADER = (
    "siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,"
    "sigleUniteLegale,sexeUniteLegale,prenomUsuelUniteLegale,trancheEffectifsUniteLegale,"
    "categorieEntreprise,etatAdministratifUniteLegale,nomUniteLegale,denominationUniteLegale,"
    "categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,"
    "nomenclatureActivitePrincipaleUniteLegale"
)
STOCK_ROWS = [
    "908595879,O,,2022-01-01,,,,01,PME,A,,SEVERNAYA,5710,70.21Z,NAFRev2",
    "552032534,O,,1955-01-01,,,,42,GE,A,,DANONE,5599,70.10Z,NAFRev2",
    "12345678,O,,2020-01-01,,,,01,PME,A,,TROP COURT,5710,62.01Z,NAFRev2",
    "883010316,O,,2018-05-06,,M,RAPHAEL,NN,,C,DUBIGNY,,1000,70.22Z,NAFRev2",
    "123456789,O,,2020-01-01,,,,01,PME,A,,MAUVAISE CLE,5710,62.01Z,NAFRev2",
]


def flat(text: str) -> str:
    """Terminal output without the line wrapping."""
    return " ".join(text.split())


def _write_stock(path, rows, encoding="utf-8", header=STOCK_HEADER):
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def test_stock_import_reports_bad_lines(cli, tmp_path, settings):
    stock = _write_stock(tmp_path / "StockUniteLegale_utf8.csv", STOCK_ROWS)
    result = cli("companies", "import", stock)
    assert result.exit_code == 0, result.output
    assert "5 lues, 3 chargées, 2 rejetées" in flat(result.stdout)
    assert "ligne 4 : SIREN de longueur incorrecte" in flat(result.stdout)
    assert "ligne 6 : SIREN invalide (clé de contrôle fausse)" in flat(result.stdout)
    rejects = (settings.home / "rejets" / "StockUniteLegale_utf8-rejets.csv").read_text()
    assert "12345678" in rejects and "123456789" in rejects
    with open_warehouse(settings, read_only=True) as connection:
        rows = connection.execute(
            "SELECT siren, name, size_category, active, created_on FROM companies ORDER BY siren"
        ).fetchall()
    assert [row[:4] for row in rows] == [
        ("552032534", "DANONE", "GE", True),
        ("883010316", "RAPHAEL DUBIGNY", None, False),
        ("908595879", "SEVERNAYA", "PME", True),
    ]
    assert str(rows[2][4]) == "2022-01-01"


def test_stock_reimport_replaces_and_reads_latin1(cli, tmp_path, settings):
    cli("companies", "import", _write_stock(tmp_path / "StockUniteLegale_a.csv", STOCK_ROWS))
    renamed = [STOCK_ROWS[0].replace("SEVERNAYA", "SÉVERNAYA ÉTUDES")]
    stock = _write_stock(tmp_path / "StockUniteLegale_b.csv", renamed, encoding="latin-1")
    result = cli("companies", "import", stock)
    assert result.exit_code == 0, result.output
    with open_warehouse(settings, read_only=True) as connection:
        names = connection.execute("SELECT siren, name FROM companies ORDER BY siren").fetchall()
    assert ("908595879", "SÉVERNAYA ÉTUDES") in names and len(names) == 3


def test_stock_without_siren_column(cli, tmp_path):
    bad = _write_stock(
        tmp_path / "StockUniteLegale_bad.csv",
        ["908595879;2022-01-01"],
        header="numero;dateCreationUniteLegale",
    )
    result = cli("companies", "import", bad)
    assert result.exit_code == 1
    assert "ligne 1" in flat(result.stderr) and "siren" in flat(result.stderr)
    assert "Traceback" not in result.output


def test_malformed_line_rejected(cli, tmp_path, settings):
    cli("companies", "import", _write_stock(tmp_path / "StockUniteLegale_a.csv", STOCK_ROWS))
    broken = [STOCK_ROWS[0].replace("SEVERNAYA", "AUTRE"), STOCK_ROWS[1] + ",en trop"]
    result = cli("companies", "import", _write_stock(tmp_path / "StockUniteLegale_c.csv", broken))
    assert result.exit_code == 0, result.output
    assert "2 lues, 1 chargées, 1 rejetées" in flat(result.stdout)
    assert "ligne 3 : 16 champs au lieu de 15" in flat(result.stdout)
    with open_warehouse(settings, read_only=True) as connection:
        names = dict(connection.execute("SELECT siren, name FROM companies").fetchall())
    assert names["908595879"] == "AUTRE" and names["552032534"] == "DANONE"


def test_failed_import_rolls_back(cli, tmp_path, settings, monkeypatch):
    cli("companies", "import", _write_stock(tmp_path / "StockUniteLegale_a.csv", STOCK_ROWS))

    def broken_merge(connection):
        connection.execute("DELETE FROM companies")
        raise SourceError("disque plein (simulé)")

    monkeypatch.setattr(company_store, "merge_staging", broken_merge)
    renamed = [STOCK_ROWS[0].replace("SEVERNAYA", "AUTRE")]
    result = cli("companies", "import", _write_stock(tmp_path / "StockUniteLegale_d.csv", renamed))
    assert result.exit_code == 1 and "disque plein" in flat(result.stderr)
    with open_warehouse(settings, read_only=True) as connection:
        names = dict(connection.execute("SELECT siren, name FROM companies").fetchall())
        tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
    assert names["908595879"] == "SEVERNAYA" and len(names) == 3
    assert "_company_stage" not in tables


def test_vectorised_siren_check_matches_codes():
    rng = random.Random(3)
    values = [str(rng.randrange(10**8, 10**9)) for _ in range(3000)]
    values += ["", "12345678", "1234567890", "12345678A", " 90859587"]
    mask = valid_sirens(pa.array(values + [None]))
    expected = [check_siren(value).ok for value in values] + [False]
    assert mask.tolist() == expected
    assert any(expected) and not all(expected)


def test_recherche_entreprises_import_and_show(cli, samples):
    folder = samples / "sirene" / "recherche-entreprises"
    result = cli("companies", "import", folder / "search-130025265.json")
    assert result.exit_code == 0, result.output
    assert "1 lues, 1 chargées, 0 rejetées" in flat(result.stdout)
    shown = cli("companies", "show", "130025265")
    assert shown.exit_code == 0, shown.output
    assert "DIRECTION INTERMINISTERIELLE DU NUMERIQUE" in flat(shown.stdout)
    assert "7120 – Service central d'un ministère" in flat(shown.stdout)
    assert "Île-de-France" in flat(shown.stdout)
    as_json = json.loads(cli("companies", "show", "130025265", "--json").stdout)
    assert as_json["company"]["legal_category"] == "7120"
    assert as_json["company"]["size_category"] == "ETI"


def test_recherche_entreprises_bad_siren_reported(cli, samples):
    folder = samples / "sirene" / "recherche-entreprises"
    result = cli("companies", "import", folder / "search-123456789.json")
    assert result.exit_code == 0
    assert "0 chargées, 1 rejetées" in flat(result.stdout)
    assert "clé de contrôle" in flat(result.stdout)


def test_show_errors(cli, samples):
    cli("companies", "import", samples / "sirene" / "recherche-entreprises" / "search-aga.json")
    bad = cli("companies", "show", "12345")
    assert bad.exit_code == 1 and "longueur incorrecte" in flat(bad.stderr)
    unknown = cli("companies", "show", "130025265")
    assert unknown.exit_code == 1 and "inconnu" in flat(unknown.stderr)


def test_broken_json_and_missing_file(cli, tmp_path):
    broken = tmp_path / "reponse.json"
    broken.write_text('{"results": [', encoding="utf-8")
    result = cli("companies", "import", broken)
    assert result.exit_code == 1 and "JSON illisible" in flat(result.stderr)
    missing = cli("companies", "import", tmp_path / "absent.csv")
    assert missing.exit_code == 1 and "introuvable" in flat(missing.stderr)
