"""`vivier tenders list` and `vivier match tenders SIREN`: open calls for tenders."""

from __future__ import annotations

from datetime import date

import typer

from vivier.cli.app import console, settings_of, sub_app
from vivier.cli.ui import print_json
from vivier.errors import BadValueError, NotFound
from vivier.warehouse import open_warehouse
from vivier.warehouse import tenders as tender_queries

tenders_app = sub_app("tenders", "Appels d'offres (TED, BOAMP) chargés dans l'entrepôt.")
match_app = sub_app("match", "Mise en relation : start-up, acheteurs, appels d'offres.")
STATUS_LABELS = {"open": "ouvert", "closed": "clos", "unknown": "date limite inconnue"}
SHOWN_FIELDS = [
    ("avis", "notice_type_raw"),
    ("format", "format"),
    ("procédure", "procedure"),
    ("CPV", "cpv"),
    ("CPV brut", "cpv_raw"),
    ("CPV additionnels", "cpv_additional"),
    ("lieu (NUTS)", "nuts"),
    ("région", "region"),
    ("valeur estimée", "estimated_value"),
    ("valeur brute", "value_raw"),
    ("date limite brute", "deadline_raw"),
    ("adresse", "url"),
    ("description", "description"),
]
COUNT_LABELS = {"open": "ouverts", "closed": "clos", "unknown": "sans date limite connue"}


def parse_day(raw: str | None, option: str) -> date:
    """A date given as YYYY-MM-DD (today when absent); a French error otherwise."""
    if raw is None:
        return date.today()
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadValueError(
            f"Date invalide pour {option} : « {raw} » (format attendu AAAA-MM-JJ)."
        ) from None


def lot_line(lot: dict) -> str:
    deadline = f"{lot['deadline']:%d/%m/%Y}" if lot["deadline"] else "—"
    status = STATUS_LABELS.get(lot.get("status", ""), "")
    title = (lot["title"] or "(sans titre)")[:90]
    buyer = lot["buyer_name"] or "acheteur inconnu"
    return f"[{lot['uid']}] {title} — {buyer} — limite {deadline} ({status})"


def lot_json(lot: dict) -> dict:
    return {
        **lot,
        "deadline": lot["deadline"].isoformat() if lot["deadline"] else None,
        "publication_date": lot["publication_date"].isoformat()
        if lot["publication_date"]
        else None,
    }


@tenders_app.command("list")
def list_command(
    ctx: typer.Context,
    open_on: str | None = typer.Option(
        None, "--open-on", help="Date de référence du statut (AAAA-MM-JJ, défaut : aujourd'hui)."
    ),
    status: str | None = typer.Option(
        None, "--status", help="Filtrer sur un statut : open, closed ou unknown."
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="Nombre maximal de lots affichés."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Liste les lots des avis chargés, avec leur statut à la date de référence."""
    if status and status not in STATUS_LABELS:
        raise BadValueError(f"Statut inconnu : « {status} » (open, closed ou unknown).")
    reference = parse_day(open_on, "--open-on")
    with open_warehouse(settings_of(ctx), read_only=True) as connection:
        counts = tender_queries.tender_counts(connection, reference)
        lots = tender_queries.list_tenders(connection, reference, status=status, limit=limit)
    if as_json:
        print_json(
            {
                "reference": reference.isoformat(),
                "counts": counts,
                "lots": [lot_json(lot) for lot in lots],
            }
        )
        return
    summary = ", ".join(f"{counts.get(k, 0)} {label}" for k, label in COUNT_LABELS.items())
    console.print(f"Lots au {reference:%d/%m/%Y} : {summary}.")
    for lot in lots:
        console.print(lot_line(lot), markup=False)


@tenders_app.command("show")
def show_command(
    ctx: typer.Context,
    uid: str = typer.Argument(..., help="Identifiant du lot, ex. boamp:16-186394|1."),
    open_on: str | None = typer.Option(
        None, "--open-on", help="Date de référence du statut (AAAA-MM-JJ, défaut : aujourd'hui)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Un lot : ses champs, sa valeur brute et ses signalements de qualité."""
    reference = parse_day(open_on, "--open-on")
    with open_warehouse(settings_of(ctx), read_only=True) as connection:
        lot = tender_queries.lot_detail(connection, uid, reference)
        flags = tender_queries.lot_flags(connection, uid) if lot else []
    if lot is None:
        raise NotFound(f"Aucun lot « {uid} » (voir vivier tenders list).")
    if as_json:
        print_json({**lot_json(lot), "flags": flags})
        return
    console.print(lot_line(lot), markup=False)
    for label, key in SHOWN_FIELDS:
        if lot.get(key) not in (None, ""):
            console.print(f"  {label} : {lot[key]}", markup=False)
    for flag in flags:
        raw = f" (valeur brute : {flag['raw_value']})" if flag["raw_value"] else ""
        console.print(
            f"  signalement : {flag['field']} — {flag['reason']}{raw}",
            markup=False,
        )


@match_app.command("tenders")
def match_tenders(
    ctx: typer.Context,
    siren: str = typer.Argument(..., help="SIREN de la start-up (9 chiffres)."),
    open_on: str | None = typer.Option(
        None, "--open-on", help="Lots ouverts à cette date (AAAA-MM-JJ, défaut : aujourd'hui)."
    ),
    limit: int = typer.Option(10, "--limit", min=1, help="Nombre de lots proposés."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Les appels d'offres ouverts qui conviennent à une start-up, classés et expliqués."""
    from vivier.match.tenders import rank_tenders  # the matching engine loads on demand

    ranking = rank_tenders(settings_of(ctx), siren, parse_day(open_on, "--open-on"), limit)
    if as_json:
        print_json(ranking_json(ranking))
    else:
        render_ranking(ranking)


def ranking_json(ranking) -> dict:
    return {
        "siren": ranking.siren,
        "name": ranking.name,
        "open_on": ranking.open_on.isoformat(),
        "candidates": ranking.candidates,
        "matches": [
            {"lot": lot_json(m.lot), "score": m.score, "signals": m.signals, "reasons": m.reasons}
            for m in ranking.matches
        ],
    }


def render_ranking(ranking) -> None:
    who = f"{ranking.name} ({ranking.siren})" if ranking.name else ranking.siren
    console.print(
        f"Appels d'offres ouverts au {ranking.open_on:%d/%m/%Y} pour {who} : "
        f"{len(ranking.matches)} proposés sur {ranking.candidates} lots ouverts.",
        markup=False,
    )
    for rank, match in enumerate(ranking.matches, start=1):
        console.print(
            f"{rank}. {lot_line(match.lot)} — score {match.score:.2f}",
            markup=False,
        )
        for reason in match.reasons:
            console.print(f"     • {reason}", markup=False)
