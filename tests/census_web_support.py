"""HTTP clients for the census tests: API clients with tokens, page clients signed in
through the real sign-in form."""

from __future__ import annotations

import re

from census_support import PASSWORD, World, build_world
from fastapi.testclient import TestClient

from vivier.appdb import session_scope
from vivier.needs import accounts
from vivier.web.app import create_app

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Site:
    def __init__(self, settings, world: World | None = None) -> None:
        self.world: World = world or build_world(settings)
        self.app = create_app(settings)

    def api(self, name: str) -> TestClient:
        with session_scope(self.world.engine) as session:
            token = accounts.create_token(session, self.world.user(session, name), "tests")
        return TestClient(self.app, headers={"Authorization": f"Bearer {token}"})

    def browser(self, name: str) -> PageClient:
        client = PageClient(self.app)
        client.sign_in(f"{name}@exemple.fr")
        return client


class PageClient(TestClient):
    csrf = ""

    def sign_in(self, email: str, password: str = PASSWORD):
        token = CSRF.search(self.get("/connexion").text).group(1)
        response = self.post(
            "/connexion",
            data={"email": email, "password": password, "csrf": token, "suivant": "/besoins"},
            follow_redirects=False,
        )
        page = self.get("/besoins")
        found = CSRF.search(page.text)
        self.csrf = found.group(1) if found else ""
        return response

    def submit(self, path: str, **fields):
        """Post a form as the page would (with the session's CSRF token)."""
        return self.post(path, data={"csrf": self.csrf, **fields}, follow_redirects=False)
