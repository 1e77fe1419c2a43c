"""`vivier appdb ...`: migrations, dump and restore of the app database."""

from __future__ import annotations

from pathlib import Path

import typer

from vivier.appdb import downgrade, make_engine, upgrade
from vivier.appdb import dump as appdb_dump
from vivier.cli.app import console, settings_of, sub_app

appdb_app = sub_app("appdb", "Base applicative (besoins, comptes) : migrations et sauvegardes.")


def _engine(ctx: typer.Context):
    return make_engine(settings_of(ctx))


def _revision(engine) -> str:
    with engine.connect() as connection:
        return appdb_dump.current_revision(connection) or "(aucune)"


@appdb_app.command("upgrade")
def upgrade_command(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Révision visée (par défaut la dernière)."),
) -> None:
    """Met le schéma de la base applicative à jour (la crée si besoin)."""
    engine = _engine(ctx)
    upgrade(engine, revision)
    console.print(f"Base applicative à la révision {_revision(engine)}.")


@appdb_app.command("downgrade")
def downgrade_command(
    ctx: typer.Context,
    revision: str = typer.Argument("-1", help="Révision visée : « -1 », « 0001 », « base »…"),
) -> None:
    """Revient à une révision antérieure du schéma (les tables retirées sont perdues)."""
    engine = _engine(ctx)
    downgrade(engine, revision)
    console.print(f"Base applicative à la révision {_revision(engine)}.")


@appdb_app.command("current")
def current_command(ctx: typer.Context) -> None:
    """Affiche la révision actuelle du schéma."""
    console.print(_revision(_engine(ctx)))


@appdb_app.command("dump")
def dump_command(
    ctx: typer.Context, file: Path = typer.Argument(..., help="Fichier JSON à écrire.")
) -> None:
    """Sauvegarde toute la base applicative dans un fichier JSON."""
    counts = appdb_dump.dump(_engine(ctx), file)
    console.print(
        f"Sauvegarde écrite dans {file} : {sum(counts.values())} lignes, {len(counts)} tables.",
    )


@appdb_app.command("restore")
def restore_command(
    ctx: typer.Context, file: Path = typer.Argument(..., help="Sauvegarde JSON à charger.")
) -> None:
    """Restaure une sauvegarde dans une base applicative vide."""
    counts = appdb_dump.restore(_engine(ctx), file)
    console.print(
        f"Restauration terminée : {sum(counts.values())} lignes, {len(counts)} tables.",
    )
