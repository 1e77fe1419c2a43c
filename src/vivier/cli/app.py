"""The Typer application, its global options and the error handling every command shares."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from vivier.config import Settings, load_settings
from vivier.errors import VivierError

console = Console()
err_console = Console(stderr=True)
log = logging.getLogger("vivier")


class VivierGroup(TyperGroup):
    """Turns every VivierError (and any unexpected error) into a French message + exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own click: help, usage
            raise
        except VivierError as error:
            err_console.print(f"[bold red]Erreur :[/] {error}", highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("Interrompu.")
            raise typer.Exit(1) from None
        except Exception as error:  # never show a traceback to a user
            if os.environ.get("VIVIER_DEBUG"):
                raise
            log.exception("unexpected error")
            err_console.print(
                f"[bold red]Erreur inattendue :[/] {type(error).__name__} : {error}. "
                "Relancez avec VIVIER_DEBUG=1 pour le détail, et signalez-la.",
                highlight=False,
            )
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=VivierGroup,
    help="vivier : la commande publique ouverte au service de « Je choisis la French Tech ».",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def sub_app(name: str, help_text: str) -> typer.Typer:
    """A command group (e.g. `vivier startups ...`) attached to the main app.

    Two topics may add commands to one group (e.g. `vivier match tenders`): the group is
    created once, by whichever module asks first."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


@app.callback()
def global_options(
    ctx: typer.Context,
    home: Path | None = typer.Option(
        None,
        "--home",
        help="Répertoire des données (par défaut ./vivier-data ou $VIVIER_HOME).",
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Journal détaillé."),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = load_settings(home=home)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings built by the global options (walks up to the root context)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = load_settings()
    return root.obj
