"""Accounts and roles: organisations, users, argon2 password hashes, API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vivier.appdb.census import ApiToken, Organisation, User, utcnow
from vivier.codes import check_siren, check_siret
from vivier.errors import BadValueError, Forbidden, NotFound
from vivier.needs import ROLES
from vivier.needs.audit import record

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "viv_"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not _EMAIL.match(email):
        raise BadValueError(f"Adresse e-mail invalide : « {raw} ».")
    return email


def use_hasher(hasher: PasswordHasher) -> None:
    """Change the argon2 parameters of new hashes (verification reads them from the hash)."""
    global _hasher
    _hasher = hasher


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise BadValueError(f"Mot de passe trop court : au moins {MIN_PASSWORD_LENGTH} caractères.")
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def ensure_organisation(
    session: Session, siret: str, name: str = "", ministry: str = ""
) -> Organisation:
    """The organisation of this SIRET, created when new; name and ministry filled if given."""
    checked = check_siret(siret)
    if not checked.ok:
        raise BadValueError(f"SIRET invalide : « {siret} » ({checked.problem}).")
    organisation = session.scalar(select(Organisation).where(Organisation.siret == checked.value))
    if organisation is None:
        organisation = Organisation(siret=checked.value, name=name, ministry=ministry)
        session.add(organisation)
        session.flush()
    else:
        organisation.name = name or organisation.name
        organisation.ministry = ministry or organisation.ministry
    return organisation


def add_user(
    session: Session,
    email: str,
    role: str,
    password: str | None = None,
    organisation: str | None = None,
    siren: str | None = None,
    ministry: str = "",
    organisation_name: str = "",
    actor: User | None = None,
) -> User:
    """Create an account. A buyer needs its organisation's SIRET; a start-up may claim a SIREN."""
    email = normalise_email(email)
    if role not in ROLES:
        raise BadValueError(f"Rôle inconnu : « {role} » (attendu : {', '.join(ROLES)}).")
    if find_user(session, email) is not None:
        raise BadValueError(f"Un compte existe déjà pour {email}.")
    if role == "buyer" and not organisation:
        raise BadValueError(
            "Un compte acheteur doit appartenir à une organisation (--organisation SIRET)."
        )
    user = User(
        email=email,
        role=role,
        password_hash=hash_password(password) if password else None,
        siren=_checked_siren(siren) if siren else None,
    )
    if organisation:
        user.organisation_id = ensure_organisation(
            session, organisation, organisation_name, ministry
        ).id
    session.add(user)
    session.flush()
    record(session, actor, "create", "user", user.id, email=email, role=role)
    return user


def _checked_siren(raw: str) -> str:
    checked = check_siren(raw)
    if not checked.ok:
        raise BadValueError(f"SIREN invalide : « {raw} » ({checked.problem}).")
    return checked.value


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def get_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    return user if user is not None and user.deleted_at is None else None


def authenticate(session: Session, email: str, password: str) -> User:
    """The account for these credentials; the same message whatever was wrong."""
    user = find_user(session, email or "")
    if (
        user is None
        or user.deleted_at is not None
        or not password_matches(user.password_hash, password or "")
    ):
        raise Forbidden("Adresse e-mail ou mot de passe incorrect.")
    return user


def set_password(session: Session, email: str, password: str, actor: User | None = None) -> User:
    user = find_user(session, email)
    if user is None:
        raise NotFound(f"Aucun compte pour {email}.")
    user.password_hash = hash_password(password)
    record(session, actor, "set_password", "user", user.id)
    return user


def deactivate(session: Session, email: str, actor: User | None = None) -> User:
    """Soft deletion of an account: it can no longer sign in nor use its tokens."""
    user = find_user(session, email)
    if user is None or user.deleted_at is not None:
        raise NotFound(f"Aucun compte actif pour {email}.")
    user.deleted_at = utcnow()
    record(session, actor, "delete", "user", user.id, email=user.email)
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, label: str = "") -> str:
    """A new API token for `user`; the clear value is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token), label=label))
    session.flush()
    record(session, user, "create", "api_token", user.id, label=label or None)
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    return get_user(session, row.user_id)


def revoke_tokens(session: Session, user: User) -> int:
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
    record(session, user, "revoke", "api_token", user.id, count=len(rows))
    return len(rows)


def organisation_of(session: Session, user: User) -> Organisation | None:
    return session.get(Organisation, user.organisation_id) if user.organisation_id else None


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.id)))
