"""`vivier buyers`: public buyers with their perimeter, ministry and evidence."""

from __future__ import annotations

import typer

from vivier.buyers import PERIMETERS
from vivier.cli.app import app, console, settings_of
from vivier.cli.ui import print_json
from vivier.errors import BadValueError
from vivier.warehouse import open_warehouse
from vivier.warehouse.buyers import list_buyers, refresh_buyers


@app.command("buyers")
def buyers_command(
    ctx: typer.Context,
    perimeter: str | None = typer.Option(
        None, "--perimeter", help=f"Périmètre : {', '.join(PERIMETERS)}."
    ),
    refresh: bool = typer.Option(
        False, "--refresh", help="Recalculer d'abord les acheteurs à partir des contrats."
    ),
    limit: int = typer.Option(50, "--limit", help="Nombre de lignes affichées (texte)."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON (tous les acheteurs)."),
) -> None:
    """Liste les acheteurs publics : périmètre, ministère et indices de classement."""
    if perimeter is not None and perimeter not in PERIMETERS:
        raise BadValueError(
            f"Périmètre inconnu : « {perimeter} » (possibles : {', '.join(PERIMETERS)})."
        )
    settings = settings_of(ctx)
    if refresh:
        with open_warehouse(settings) as connection:
            refresh_buyers(connection)
    with open_warehouse(settings, read_only=True) as connection:
        buyers = list_buyers(connection, perimeter)
    if as_json:
        print_json({"buyers": buyers})
        return
    console.print(f"{len(buyers)} acheteur(s)")
    for buyer in buyers[:limit]:
        ministry = f" – {buyer['ministry']}" if buyer["ministry"] else ""
        console.print(
            f"{buyer['siret']}  {buyer['name'] or '?'}  [{PERIMETERS[buyer['perimeter']]}"
            f"{ministry}]  {buyer['contracts']} contrat(s)\n    indices : {buyer['evidence']}",
            markup=False,
        )
