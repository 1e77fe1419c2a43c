"""`vivier users ...`: accounts of the needs census (buyers, Mission, start-ups, admins)."""

from __future__ import annotations

import typer

from vivier.appdb import session_scope
from vivier.cli.app import console, settings_of, sub_app
from vivier.cli.ui import print_json
from vivier.errors import NotFound
from vivier.needs import ROLES, accounts
from vivier.needs.store import ready_engine

users_app = sub_app("users", "Comptes : acheteurs, Mission French Tech, start-up, administrateurs.")


@users_app.command("add")
def add_command(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="Adresse e-mail du compte."),
    role: str = typer.Option(..., "--role", help=f"Rôle : {'|'.join(ROLES)}."),
    password: str | None = typer.Option(None, "--password", help="Mot de passe (8 car. min.)."),
    organisation: str | None = typer.Option(
        None, "--organisation", help="SIRET de l'organisation (obligatoire pour un acheteur)."
    ),
    ministry: str = typer.Option("", "--ministry", help="Ministère de l'organisation."),
    organisation_name: str = typer.Option("", "--organisation-name", help="Nom de l'acheteur."),
    siren: str | None = typer.Option(None, "--siren", help="SIREN revendiqué (start-up)."),
) -> None:
    """Crée un compte."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        user = accounts.add_user(
            session,
            email,
            role,
            password=password,
            organisation=organisation,
            siren=siren,
            ministry=ministry,
            organisation_name=organisation_name,
        )
        console.print(f"Compte créé : {user.email} ({user.role}).")
    if not password:
        console.print(
            "Sans mot de passe, ce compte ne se connecte pas au site : "
            "`vivier users password` ou `vivier users token`.",
        )


@users_app.command("list")
def list_command(ctx: typer.Context) -> None:
    """Liste les comptes (JSON)."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        rows = []
        for user in accounts.list_users(session):
            organisation = accounts.organisation_of(session, user)
            rows.append(
                {
                    "email": user.email,
                    "role": user.role,
                    "organisation": organisation.siret if organisation else None,
                    "ministry": organisation.ministry if organisation else None,
                    "siren": user.siren,
                }
            )
    print_json(rows)


@users_app.command("password")
def password_command(
    ctx: typer.Context,
    email: str = typer.Argument(...),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True),
) -> None:
    """Change le mot de passe d'un compte."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        accounts.set_password(session, email, password)
    console.print("Mot de passe changé.")


@users_app.command("remove")
def remove_command(ctx: typer.Context, email: str = typer.Argument(...)) -> None:
    """Désactive un compte (suppression logique : il reste dans la base et le journal)."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        accounts.deactivate(session, email)
    console.print(f"Compte désactivé : {email}.")


@users_app.command("token")
def token_command(
    ctx: typer.Context,
    email: str = typer.Argument(...),
    label: str = typer.Option("", "--label", help="À quoi servira ce jeton."),
) -> None:
    """Crée un jeton d'API (Authorization: Bearer) ; il n'est affiché qu'une fois."""
    with session_scope(ready_engine(settings_of(ctx))) as session:
        user = accounts.find_user(session, email)
        if user is None or user.deleted_at is not None:
            raise NotFound(f"Aucun compte pour {email}.")
        token = accounts.create_token(session, user, label)
    console.print(token)
