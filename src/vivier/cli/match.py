"""`vivier index`, `vivier match need|buyers|suppliers`, `vivier eval` and `vivier eval needs`."""

from __future__ import annotations

import typer

from vivier.cli.app import app, console, err_console, settings_of, sub_app
from vivier.cli.ui import print_json, progress_bar
from vivier.match.engine import Match, MatchEngine
from vivier.match.text import looks_english

match_app = sub_app("match", "Mise en relation : start-up, acheteurs, appels d'offres.")
eval_app = typer.Typer(
    help="Évaluation de la mise en relation.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(eval_app, name="eval")
NOTHING = "Aucun résultat pertinent : reformulez le besoin ou retirez des filtres."


def show(results: list[Match], as_json: bool) -> None:
    if as_json:
        print_json({"results": [m.to_json() for m in results]})
        return
    if not results:
        console.print(NOTHING)
        return
    for rank, match in enumerate(results, 1):
        console.print(f"{rank:>2}. {match.name} ({match.id}) — score {match.score:.3f}")
        for reason in match.reasons:
            console.print(f"      · {reason}")


def warn_language(text: str | None) -> None:
    if text and looks_english(text):
        err_console.print(
            "Attention : la requête semble rédigée en anglais ; les descriptions sont en "
            "français, la recherche lexicale risque de ne rien trouver (la similarité "
            "sémantique, multilingue, reste utilisée).",
        )


@app.command("index")
def index_command(
    ctx: typer.Context,
    model: str = typer.Option("use", "--model", help="Embeddings : use, e5 ou none."),
    full: bool = typer.Option(
        False, "--full", help="Tout recalculer (sinon, seuls les fichiers ingérés depuis)."
    ),
) -> None:
    """Construit l'index de mise en relation sous HOME/index, ou le met à jour avec les
    seuls fichiers ingérés depuis la dernière construction."""
    settings = settings_of(ctx)
    with progress_bar("Index de mise en relation") as advance:
        engine = MatchEngine.build(settings, model_name=model, progress=advance, full=full)
    path = engine.save(settings)
    info = engine.build_info
    how = (
        f"mis à jour ({info['new_rows']} lignes d'attribution nouvelles)"
        if info.get("incremental")
        else "construit"
    )
    console.print(
        f"Index {how} : {len(engine.startups)} start-up, "
        f"{len(engine.history.suppliers)} titulaires, {len(engine.history.buyers)} acheteurs "
        f"→ {path}",
    )


@match_app.command("need")
def need_command(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Le besoin, en français."),
    cpv: list[str] = typer.Option([], "--cpv", help="Code CPV (répétable)."),
    region: str | None = typer.Option(None, "--region", help="Code ou nom de région."),
    k: int = typer.Option(10, "-k", help="Nombre de résultats."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Start-up pouvant répondre à un besoin, avec leurs raisons."""
    warn_language(text)
    engine = MatchEngine.load(settings_of(ctx))
    show(engine.need_to_startups(text, cpv=cpv, region=region, k=k), as_json)


@match_app.command("buyers")
def buyers_command(
    ctx: typer.Context,
    siren: str | None = typer.Argument(None, help="SIREN de la start-up."),
    text: str | None = typer.Option(None, "--texte", help="Ou une description de l'offre."),
    k: int = typer.Option(10, "-k", help="Nombre de résultats."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Acheteurs publics les plus susceptibles d'acheter ce qu'offre une start-up."""
    from vivier.errors import BadValueError

    if not siren and not text:
        raise BadValueError("Donnez un SIREN ou une description de l'offre (--texte).")
    warn_language(text)
    engine = MatchEngine.load(settings_of(ctx))
    show(engine.startup_to_buyers(siren=siren, text=text, k=k), as_json)


@match_app.command("suppliers")
def suppliers_command(
    ctx: typer.Context,
    text: str = typer.Argument(..., help="Le besoin ou l'objet du marché."),
    cpv: list[str] = typer.Option([], "--cpv", help="Code CPV (répétable)."),
    buyer: str | None = typer.Option(None, "--acheteur", help="SIRET de l'acheteur."),
    departement: str | None = typer.Option(
        None, "--departement", help="Lieu d'exécution : département ou code postal."
    ),
    k: int = typer.Option(10, "-k", help="Nombre de résultats."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Entreprises déjà titulaires de marchés proches (historique d'attribution)."""
    warn_language(text)
    engine = MatchEngine.load(settings_of(ctx))
    results = engine.suppliers_for(text, cpv=cpv, buyer_siret=buyer, k=k, departement=departement)
    show(results, as_json)


@eval_app.callback()
def eval_command(
    ctx: typer.Context,
    split: str | None = typer.Option(None, "--split", help="Date de découpage AAAA-MM-JJ."),
    k: int = typer.Option(10, "--k", help="Rang de coupure des mesures."),
    model: str = typer.Option("none", "--model", help="Embeddings : none, use ou e5."),
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Évaluation sur les attributions : titulaires retrouvés après la date de découpage."""
    if ctx.invoked_subcommand is not None:
        return
    from vivier.errors import BadValueError
    from vivier.match.evaluate import evaluate_split

    if not split:
        raise BadValueError("Donnez la date de découpage : vivier eval --split 2019-02-01.")
    result = evaluate_split(
        settings_of(ctx), split, k=k, model_name=None if model == "none" else model
    )
    if as_json:
        print_json(result)
        return
    console.print(
        f"Découpage au {result['split']} : {result['test_contracts']} marchés de test, "
        f"{result['warm_test_contracts']} dont un titulaire était déjà connu "
        f"(démarrage à froid : {result['cold_share']:.0%}).",
    )
    ranker = result.get("ranker")
    console.print(
        f"fusion : classement appris sur {ranker['training_contracts']} marchés des quatre mois "
        "précédant la date ; weighted : somme pondérée des signaux."
        if ranker
        else "fusion : somme pondérée des signaux (trop peu de marchés d'apprentissage avant la "
        "date pour le classement appris)."
    )
    print_metrics(result["methods"])


def print_metrics(methods: dict) -> None:
    names = list(next(iter(methods.values())))
    console.print("méthode".ljust(16) + "".join(n.rjust(12) for n in names))
    for method, values in methods.items():
        console.print(method.ljust(16) + "".join(f"{values[n]:12.3f}" for n in names))


@eval_app.command("needs")
def eval_needs_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Évaluation besoin → start-up sur le jeu de besoins jugés (nDCG@10, P@10, R@50)."""
    from vivier.match.judged import evaluate_needs

    result = evaluate_needs(MatchEngine.load(settings_of(ctx)))
    if as_json:
        print_json(result)
        return
    console.print(f"{result['needs']} besoins jugés, {result['judged']} jugements.")
    print_metrics(result["methods"])
