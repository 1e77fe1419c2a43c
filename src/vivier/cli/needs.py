"""`vivier needs ...`: the needs census from the terminal (import, list, census, export,
audit). Each command acts as one account (`--as EMAIL`), under the same rules as the web."""

from __future__ import annotations

from pathlib import Path

import typer

from vivier.appdb import session_scope
from vivier.appdb.census import Organisation
from vivier.cli.app import console, settings_of, sub_app
from vivier.cli.ui import print_json
from vivier.errors import NotFound, SourceError
from vivier.needs import accounts, audit, census, curation, importer, workflow
from vivier.needs.export import list_csv, list_pdf
from vivier.needs.store import ready_engine

needs_app = sub_app("needs", "Recensement des besoins : import, liste, recensement, export.")
AS_OPTION = typer.Option(..., "--as", help="Adresse e-mail du compte qui agit.")


def _actor(session, email: str):
    user = accounts.find_user(session, email)
    if user is None or user.deleted_at is not None:
        raise NotFound(f"Aucun compte pour {email}.")
    return user


@needs_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Tableur CSV ou XLSX, une ligne par besoin."),
    actor: str = AS_OPTION,
) -> None:
    """Importe les besoins d'un tableur ; affiche le sort de chaque ligne."""
    if not file.is_file():
        raise SourceError("fichier introuvable", path=str(file))
    with session_scope(ready_engine(settings_of(ctx))) as session:
        report = importer.import_needs(
            session, _actor(session, actor), file.name, file.read_bytes()
        )
    for row in report.rows:
        if row.status == "imported":
            console.print(f"ligne {row.row} : importée (besoin n° {row.need_id})")
        else:
            label = "refusée" if row.status == "refused" else "ignorée"
            console.print(f"ligne {row.row} : {label} — {row.reason}")
    console.print(
        f"{report.count('imported')} besoin(s) importé(s), {report.count('refused')} refusé(s), "
        f"{report.count('empty')} ligne(s) vide(s).",
    )


@needs_app.command("list")
def list_command(
    ctx: typer.Context,
    actor: str = AS_OPTION,
    status: str | None = typer.Option(None, "--status", help="Filtrer sur un état."),
) -> None:
    """Les besoins que ce compte peut voir (JSON)."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        user = _actor(session, actor)
        needs = workflow.visible_needs(session, user, status)
        print_json([workflow.need_as_dict(session, need) for need in needs])


@needs_app.command("census")
def census_command(ctx: typer.Context, actor: str = AS_OPTION) -> None:
    """Le recensement : besoins par ministère, état et domaine (JSON)."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        print_json(census.census(session, _actor(session, actor)))


@needs_app.command("export")
def export_command(
    ctx: typer.Context,
    need_id: int = typer.Argument(..., help="Numéro du besoin."),
    output: Path = typer.Option(..., "--output", "-o", help="Fichier .csv ou .pdf à écrire."),
    actor: str = AS_OPTION,
) -> None:
    """Exporte la liste de start-up pertinentes d'un besoin (CSV ou PDF, selon l'extension)."""
    kind = output.suffix.lower().lstrip(".")
    if kind not in ("csv", "pdf"):
        raise SourceError("extension attendue : .csv ou .pdf", path=str(output))
    with session_scope(ready_engine(settings_of(ctx))) as session:
        need, entries = curation.list_for(session, _actor(session, actor), need_id)
        if kind == "csv":
            output.write_text(list_csv(entries), encoding="utf-8")
        else:
            organisation = session.get(Organisation, need.organisation_id)
            output.write_bytes(list_pdf(need, organisation, entries))
    console.print(f"Liste du besoin n° {need_id} écrite dans {output}.")


@needs_app.command("audit")
def audit_command(
    ctx: typer.Context,
    need_id: int | None = typer.Option(None, "--need", help="Seulement ce besoin."),
) -> None:
    """Le journal des changements : qui, quand, quoi (JSON)."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        rows = audit.need_history(session, need_id) if need_id else audit.entries(session)
        print_json(
            [
                {
                    "at": row.at.isoformat(),
                    "actor": row.actor_email,
                    "action": row.action,
                    "entity": row.entity,
                    "entity_id": row.entity_id,
                    "details": row.details,
                }
                for row in rows
            ]
        )
