"""The Typer application, its global options and the error handling every command shares."""

from __future__ import annotations

import errno
import logging
import os
import re
import sys
from pathlib import Path

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from vivier.config import Settings, load_settings
from vivier.errors import VivierError

# Plain output for both: long lines are not cut mid-sentence, numbers are not recoloured.
console = Console(soft_wrap=True, highlight=False)
err_console = Console(stderr=True, soft_wrap=True, highlight=False)
log = logging.getLogger("vivier")


try:  # recent Typer versions vendor their own copy of click
    from typer import _click as typer_click
except ImportError:  # pragma: no cover - older Typer uses click itself
    typer_click = click


def _exception_classes(name: str) -> tuple[type[BaseException], ...]:
    """The class called `name` in click and in Typer's copy of it, wherever it lives."""
    found = []
    for module in (click, typer_click, typer):
        for namespace in (module, getattr(module, "exceptions", None)):
            candidate = getattr(namespace, name, None)
            if isinstance(candidate, type) and candidate not in found:
                found.append(candidate)
    return tuple(found)


USAGE_ERRORS = _exception_classes("UsageError")
FRAMEWORK_EXITS = (
    _exception_classes("Exit") + _exception_classes("Abort") + _exception_classes("ClickException")
)
_USAGE_IN_FRENCH = [
    (
        r"Invalid value for (.+?): (.+?) is not a valid integer",
        r"Valeur invalide pour \1 : \2 n'est pas un nombre entier",
    ),
    (
        r"Invalid value for (.+?): (.+?) is not a valid float",
        r"Valeur invalide pour \1 : \2 n'est pas un nombre",
    ),
    (
        r"Invalid value for (.+?): (.+?) is not one of (.+)",
        r"Valeur invalide pour \1 : \2 ne fait pas partie de \3",
    ),
    (
        r"Invalid value for (.+?): (.+?) does not exist\.?",
        r"Valeur invalide pour \1 : \2 n'existe pas.",
    ),
    (r"Invalid value for (.+?): (.+)", r"Valeur invalide pour \1 : \2"),
    (r"Missing argument (.+?)\.?$", r"Argument manquant : \1."),
    (r"Missing option (.+?)\.?$", r"Option manquante : \1."),
    (r"No such option: (\S+)(?: Did you mean (\S+)\?)?", r"Option inconnue : \1."),
    (r"No such command (.+?)\.?$", r"Commande inconnue : \1."),
    (r"Got unexpected extra arguments? \((.+)\)", r"Argument(s) en trop : \1."),
    (r"Option (.+?) requires an argument\.?", r"L'option \1 attend une valeur."),
]


_PHRASES_IN_FRENCH = [
    (r"Input should be a valid integer.*", "un nombre entier est attendu."),
    (r"Input should be a valid number.*", "un nombre est attendu."),
    (r"Input should be a valid date.*", "une date AAAA-MM-JJ est attendue."),
    (r"\(Possible options: (.+?)\)", r"(options possibles : \1)"),
]


def usage_in_french(error: Exception) -> str:
    """A French version of a command-line usage error, with where to find help."""
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    for pattern, replacement in _USAGE_IN_FRENCH:
        translated, count = re.subn(pattern, replacement, message)
        if count:
            message = translated
            break
    for english, french in _PHRASES_IN_FRENCH:
        message = re.sub(english, french, message)
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "vivier"
    return f"{message} Voir « {command} --help »."


def report_usage_error(error: Exception) -> typer.Exit:
    err_console.print(f"[bold red]Erreur :[/] {usage_in_french(error)}")
    return typer.Exit(1)


_FILE_ERRORS = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EEXIST: "existe déjà",
}


def file_error_in_french(error: OSError) -> str:
    """A file system error (writing a report to a missing folder, a full disk…) in French."""
    reason = _FILE_ERRORS.get(error.errno, error.strerror or type(error).__name__)
    return f"impossible d'utiliser « {error.filename} » : {reason}."


def silence_stdout() -> None:
    """Point stdout at /dev/null: Python flushes it at exit and must not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class VivierGroup(TyperGroup):
    """Turns usage errors, every VivierError and any unexpected error into a French
    message on stderr and exit code 1 — never a traceback."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except USAGE_ERRORS as error:
            raise report_usage_error(error) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except USAGE_ERRORS as error:
            raise report_usage_error(error) from None
        except FRAMEWORK_EXITS:  # help, --version, explicit exits
            raise
        except VivierError as error:
            err_console.print(f"[bold red]Erreur :[/] {error}")
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("Interrompu.")
            raise typer.Exit(1) from None
        except BrokenPipeError:  # the reader went away (`vivier … --json | head`)
            silence_stdout()
            raise typer.Exit(1) from None
        except Exception as error:  # never show a traceback to a user
            if isinstance(error, OSError) and error.filename is not None:
                err_console.print(f"[bold red]Erreur :[/] {file_error_in_french(error)}")
                raise typer.Exit(1) from None
            if os.environ.get("VIVIER_DEBUG"):
                raise
            log.debug("unexpected error", exc_info=True)  # a traceback only in a debug log
            err_console.print(
                f"[bold red]Erreur inattendue :[/] {type(error).__name__} : {error}. "
                "Relancez avec VIVIER_DEBUG=1 pour le détail, et signalez-la.",
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
