"""Who is asking: signed session cookies (HttpOnly, SameSite=Lax), CSRF tokens for forms
and cookie-authenticated API calls, API tokens (`Authorization: Bearer`) for scripts;
and the census's app-database session for a request."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from vivier.appdb import session_scope
from vivier.appdb.census import User
from vivier.errors import Forbidden, VivierError
from vivier.needs import accounts
from vivier.needs.store import ready_engine

SESSION_COOKIE = "vivier_session"
LOGIN_CSRF_COOKIE = "vivier_csrf"
SESSION_SECONDS = 8 * 3600
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_lock = threading.Lock()


class LoginRequired(VivierError):
    http_status = 401

    def __init__(self) -> None:
        super().__init__("Authentification requise : connectez-vous ou fournissez un jeton.")


def engine_of(request: Request):
    """The app database of this application, migrated once on first use."""
    state = request.app.state
    if getattr(state, "census_engine", None) is None:
        with _lock:
            if getattr(state, "census_engine", None) is None:
                state.census_engine = ready_engine(state.settings)
    return state.census_engine


@contextmanager
def db(request: Request) -> Iterator[Session]:
    with session_scope(engine_of(request)) as session:
        yield session


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt="vivier-session")


def session_data(request: Request) -> dict | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=SESSION_SECONDS)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def viewer(request: Request, session: Session) -> User | None:
    """The account behind this request (API token first, then session cookie), or None."""
    token = _bearer(request)
    if token is not None:
        return accounts.user_for_token(session, token)
    data = session_data(request)
    if data is None or not isinstance(data.get("uid"), int):
        return None
    return accounts.get_user(session, data["uid"])


def api_user(request: Request, session: Session) -> User:
    """The API's caller; cookie-authenticated changes must carry the X-CSRF-Token header."""
    user = viewer(request, session)
    if user is None:
        raise LoginRequired()
    if _bearer(request) is None and request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user


def csrf_token(request: Request) -> str:
    data = session_data(request) or {}
    return str(data.get("csrf", ""))


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = csrf_token(request)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise Forbidden("Jeton anti-falsification (CSRF) absent ou invalide : rechargez la page.")


def login_csrf(request: Request) -> str:
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(16)


def check_login_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise Forbidden("Jeton anti-falsification (CSRF) absent ou invalide : rechargez la page.")


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    secure = request.app.state.settings.secure_cookies
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", path="/", secure=secure
    )


def set_login_csrf(request: Request, response: Response, token: str) -> None:
    _cookie(request, response, LOGIN_CSRF_COOKIE, token, 3600)


def open_session(request: Request, response: Response, user: User) -> str:
    """Sign the user in: a fresh session cookie with its own CSRF token."""
    token = secrets.token_urlsafe(24)
    value = _serializer(request).dumps({"uid": user.id, "csrf": token})
    _cookie(request, response, SESSION_COOKIE, value, SESSION_SECONDS)
    return token


def close_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/connexion?suivant={quote(target)}", status_code=303)
