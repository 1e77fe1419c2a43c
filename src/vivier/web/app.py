"""The application factory: routers from a list, static files, French error pages.

A feature plugs in by adding its module to `ROUTER_MODULES`: the module exposes
`router` (a FastAPI `APIRouter`) and its templates extend `base.html`. Modules listed
but not yet present are skipped, so features can land in any order.
"""

from __future__ import annotations

import gc
import importlib
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from vivier.config import Settings, load_settings
from vivier.errors import VivierError
from vivier.web.deps import close_warehouse, cursor_pool
from vivier.web.rendering import make_templates, package_dir, render
from vivier.web.validation import validation_details

log = logging.getLogger(__name__)

ROUTER_MODULES = [
    "vivier.web.home",
    "vivier.web.barometer",
    "vivier.web.finder",
    "vivier.web.offers",
    "vivier.web.records",
    "vivier.web.search",
    "vivier.web.census",
]

STATUS_MESSAGES = {
    404: "Page introuvable : l'adresse demandée n'existe pas.",
    405: "Méthode non autorisée pour cette adresse.",
    422: "Paramètres invalides.",
    500: "Erreur interne du service. Elle a été journalisée ; réessayez plus tard.",
}


def load_modules() -> list:
    """The router modules present. Each has `router` and may have `NAV = [(href, label)]`."""
    modules = []
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        modules.append(module)
    return modules


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def error_response(request: Request, status: int, message: str, details=None):
    if wants_json(request):
        body = {"erreur": message, "statut": status}
        if details:
            body["details"] = details
        return JSONResponse(body, status_code=status)
    data = {"status": status, "message": message, "details": details or []}
    return render(request, "error.html", data, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VivierError)
    async def vivier_error(request: Request, error: VivierError):
        return error_response(request, error.http_status, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        message = STATUS_MESSAGES.get(error.status_code) or str(error.detail)
        if error.status_code not in STATUS_MESSAGES and isinstance(error.detail, str):
            message = error.detail
        return error_response(request, error.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        return error_response(request, 422, STATUS_MESSAGES[422], validation_details(error))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, STATUS_MESSAGES[500])


def warm_up(app: FastAPI) -> None:
    """Open the warehouse (building the per-buyer sheets) and load the matching engine now
    rather than on the first requests. An index that is missing or does not load only
    logs: the rest of the site is served, and the matching pages say what is wrong."""
    from vivier.web.services import match_engine

    cursor_pool(app)
    try:
        match_engine(app)
    except VivierError as error:
        log.warning("matching engine not loaded: %s", error)
    except Exception:  # an index left by another version: logged, the site still serves
        log.exception("matching engine not loaded")
    gc.collect()
    gc.freeze()  # the data loaded above lives as long as the app: no GC pass walks it again


def create_app(settings: Settings, warm: bool = False) -> FastAPI:
    """The web application over the warehouse of `settings.home` (opened read-only).
    `warm`: prepare the warehouse and the matching engine before serving (`warm_up`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            await run_in_threadpool(warm_up, app)
        yield
        close_warehouse(app)

    app = FastAPI(
        title="vivier — API",
        description=(
            "API JSON de vivier : baromètre de la part des start-up dans la commande "
            "publique, mise en relation acheteurs / start-up, fiches et recherche. "
            "Chaque page HTML du site a son équivalent JSON sous /api."
        ),
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = make_templates()
    app.state.warehouse = None
    app.mount("/static", StaticFiles(directory=str(package_dir("static"))), name="static")
    install_error_handlers(app)
    nav = []
    for module in load_modules():
        app.include_router(module.router)
        nav.extend(getattr(module, "NAV", []))
    app.state.templates.env.globals["nav"] = nav
    return app


def app_from_environment() -> FastAPI:
    """The warmed-up app for the settings in the environment: what each worker process of
    `vivier serve --workers N` runs (`VIVIER_HOME` is set by `vivier serve`)."""
    return create_app(load_settings(), warm=True)
