"""Demo step: bundled company answers, the i-Lab list and the Next40/120 lists."""

from __future__ import annotations

import re
from collections.abc import Iterator

from vivier.config import Settings
from vivier.pipeline.companies import import_companies
from vivier.pipeline.demo import demo_data_dir
from vivier.pipeline.startups import import_list
from vivier.warehouse import open_warehouse
from vivier.warehouse.buyers import list_buyers

ILAB_FILE = "fr-esr-laureats-concours-national-i-lab_sans-donnees-personnelles.csv"


def startups_step(settings: Settings) -> Iterator[str]:
    data = demo_data_dir()
    companies = sorted((data / "sirene" / "recherche-entreprises").glob("*.json"))
    next40 = sorted((data / "startups" / "french-tech-next40-120").glob("*.csv"))
    with open_warehouse(settings) as connection:
        loaded = rejected = 0
        for path in companies:
            report = import_companies(connection, path, settings.home / "rejets")
            loaded, rejected = loaded + report.loaded, rejected + report.rejected
        yield (
            f"Entreprises : {loaded} fiches recherche-entreprises importées "
            f"({len(companies)} fichiers, {rejected} rejet(s) : SIREN invalide)."
        )
        ilab = import_list(
            connection, data / "startups" / "i-lab" / ILAB_FILE, "ilab", settings.home
        )
        yield (
            f"Start-up i-Lab : {ilab.read} lauréats lus, {ilab.loaded} start-up (SIREN) "
            f"enregistrées, {len(ilab.rejects)} lignes sans SIREN valide "
            f"(voir {ilab.rejects_file})."
        )
        for path in next40:
            year = re.search(r"(20\d\d)", path.name).group(1)
            report = import_list(connection, path, f"next40-120-{year}", settings.home)
            yield (
                f"French Tech Next40/120 {year} : {report.read} noms, {report.resolved} "
                f"rattachés à un SIREN, {report.to_review} à vérifier ({report.review_file})."
            )
        buyers = list_buyers(connection)
    by_perimeter: dict[str, int] = {}
    for buyer in buyers:
        by_perimeter[buyer["perimeter"]] = by_perimeter.get(buyer["perimeter"], 0) + 1
    detail = ", ".join(f"{name} {count}" for name, count in sorted(by_perimeter.items()))
    yield f"Acheteurs classés par périmètre : {len(buyers)} ({detail or 'aucun contrat chargé'})."
