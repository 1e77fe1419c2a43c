"""`vivier users ...`: accounts, roles, argon2 password hashes, API tokens."""

from __future__ import annotations

import pytest
from census_support import PASSWORD, SIRET_A

from vivier.appdb import session_scope
from vivier.errors import Forbidden
from vivier.needs import accounts
from vivier.needs.store import ready_engine


def test_add_a_buyer_with_its_organisation(cli, settings):
    result = cli(
        "users", "add", "Acheteur@Exemple.fr", "--role", "buyer", "--password", PASSWORD,
        "--organisation", SIRET_A, "--ministry", "Ministère de l'Intérieur",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = cli("users", "list").stdout
    assert '"email": "acheteur@exemple.fr"' in listed
    assert "Ministère de l'Intérieur" in listed
    with session_scope(ready_engine(settings)) as session:
        user = accounts.find_user(session, "acheteur@exemple.fr")
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert accounts.authenticate(session, "ACHETEUR@exemple.fr", PASSWORD).id == user.id
        with pytest.raises(Forbidden):
            accounts.authenticate(session, "acheteur@exemple.fr", "mauvais-mot-de-passe")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@exemple.fr", "--role", "buyer"], "organisation"),
        (["x@exemple.fr", "--role", "chef"], "Rôle inconnu"),
        (["pas-une-adresse", "--role", "mission"], "Adresse e-mail invalide"),
        (["x@exemple.fr", "--role", "buyer", "--organisation", "12345678901234"], "SIRET"),
        (["x@exemple.fr", "--role", "startup", "--siren", "123"], "SIREN invalide"),
        (["x@exemple.fr", "--role", "mission", "--password", "court"], "trop court"),
    ],
)
def test_bad_accounts_are_refused_in_french(cli, args, message):
    result = cli("users", "add", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_the_same_email_twice_is_refused(cli):
    assert cli("users", "add", "m@exemple.fr", "--role", "mission").exit_code == 0
    result = cli("users", "add", "M@exemple.fr", "--role", "admin")
    assert result.exit_code == 1 and "existe déjà" in result.stderr


def test_tokens_identify_their_account_until_revoked(cli, settings):
    cli("users", "add", "s@exemple.fr", "--role", "startup", "--siren", "812345676")
    token = cli("users", "token", "s@exemple.fr", "--label", "script").stdout.strip()
    assert token.startswith("viv_")
    with session_scope(ready_engine(settings)) as session:
        user = accounts.user_for_token(session, token)
        assert user is not None and user.email == "s@exemple.fr"
        assert accounts.user_for_token(session, token + "x") is None
        accounts.revoke_tokens(session, user)
        assert accounts.user_for_token(session, token) is None
    assert cli("users", "token", "inconnu@exemple.fr").exit_code == 1


def test_password_command_changes_the_password(cli, settings):
    cli("users", "add", "m@exemple.fr", "--role", "mission")
    assert cli("users", "password", "m@exemple.fr", "--password", PASSWORD).exit_code == 0
    with session_scope(ready_engine(settings)) as session:
        assert accounts.authenticate(session, "m@exemple.fr", PASSWORD).role == "mission"


def test_a_removed_account_stays_in_the_database_but_cannot_sign_in(cli, settings):
    cli("users", "add", "m@exemple.fr", "--role", "mission", "--password", PASSWORD)
    token = cli("users", "token", "m@exemple.fr").stdout.strip()
    assert cli("users", "remove", "m@exemple.fr").exit_code == 0
    assert cli("users", "remove", "m@exemple.fr").exit_code == 1
    assert "m@exemple.fr" not in cli("users", "list").stdout
    with session_scope(ready_engine(settings)) as session:
        assert accounts.find_user(session, "m@exemple.fr").deleted_at is not None
        assert accounts.user_for_token(session, token) is None
        with pytest.raises(Forbidden):
            accounts.authenticate(session, "m@exemple.fr", PASSWORD)
