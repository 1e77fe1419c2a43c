"""Templates, French formatting filters, and `twin`: one data function served twice,
as an HTML page at PATH and as JSON at /api/PATH (the habit of datasette)."""

from __future__ import annotations

import functools
import inspect
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from vivier.sources.vocabulary import PROCEDURE_LABELS
from vivier.web.charts import hbar_chart, vbar_chart

NBSP = "\u202f"


def package_dir(name: str) -> Path:
    return Path(str(resources.files("vivier.web").joinpath(name)))


def format_number(value: Any, digits: int = 0) -> str:
    """1234567.8 → '1 234 568' (French grouping, narrow no-break spaces)."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",")


def format_euros(value: Any) -> str:
    if value is None:
        return "—"
    amount = float(value)
    if abs(amount) >= 1e9:
        return f"{format_number(amount / 1e9, 2)}{NBSP}Md€"
    if abs(amount) >= 1e6:
        return f"{format_number(amount / 1e6, 1)}{NBSP}M€"
    return f"{format_number(amount)}{NBSP}€"


def format_percent(value: Any, digits: int = 1) -> str:
    """A share in [0, 1] → '2,4 %'."""
    if value is None:
        return "—"
    return f"{format_number(float(value) * 100, digits)}{NBSP}%"


def format_date(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    return text


def series(rows: list[dict], label_key: str, value_key: str, label_suffix: str = ""):
    """[(label, value)] from a list of dicts, for the chart helpers."""
    return [
        (f"{row.get(label_key) or '?'}{label_suffix}", row.get(value_key)) for row in rows or []
    ]


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(package_dir("templates")))
    env = templates.env
    env.auto_reload = False  # the package's templates do not change while served (no stat)
    env.filters.update(
        nombre=format_number, euros=format_euros, pourcent=format_percent, date_fr=format_date
    )
    env.globals.update(
        hbar=hbar_chart,
        vbar=vbar_chart,
        series=series,
        fmt_euros=format_euros,
        fmt_nombre=format_number,
        fmt_pourcent=format_percent,
        procedure_labels=PROCEDURE_LABELS,
    )
    return templates


def render(request: Request, template: str, data: dict, status_code: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    api_path = "/api" + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context = {"data": data, "api_path": api_path, **data}
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def twin(
    router: APIRouter, path: str, template: str, summary: str, page_cache: int = 0, **api_options
):
    """Register `func` as GET /api{path} (JSON) and GET {path} (HTML rendering `template`).

    `func` takes FastAPI parameters (query, path, dependencies) and returns a dict; it may
    be a coroutine function (then the page is one too). `page_cache` > 0 keeps that many
    rendered pages by address, for data that cannot change while the app serves."""

    def decorate(func):
        router.add_api_route("/api" + path, func, methods=["GET"], summary=summary, **api_options)
        signature = inspect.signature(func, eval_str=True)
        request_param = inspect.Parameter(
            "request", inspect.Parameter.KEYWORD_ONLY, annotation=Request
        )
        has_request = "request" in signature.parameters
        pages = PageCache(page_cache)

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def page(request: Request, **kwargs):
                cached = pages.get(request)
                if cached is not None:
                    return cached
                if has_request:
                    kwargs["request"] = request
                return pages.keep(request, render(request, template, await func(**kwargs)))

        else:

            @functools.wraps(func)
            def page(request: Request, **kwargs):
                cached = pages.get(request)
                if cached is not None:
                    return cached
                if has_request:
                    kwargs["request"] = request
                return pages.keep(request, render(request, template, func(**kwargs)))

        params = [
            param.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for param in signature.parameters.values()
        ]
        if not has_request:
            params.insert(0, request_param)
        page.__signature__ = signature.replace(parameters=params, return_annotation=HTMLResponse)
        router.add_api_route(
            path, page, methods=["GET"], include_in_schema=False, response_class=HTMLResponse
        )
        return func

    return decorate


class PageCache:
    """Rendered pages by address (path and query), at most `size`; none when size is 0."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: dict[str, tuple[bytes, int]] = {}

    @staticmethod
    def key(request: Request) -> str:
        return request.url.path + "?" + request.url.query

    def get(self, request: Request) -> HTMLResponse | None:
        found = self.pages.get(self.key(request)) if self.size else None
        return HTMLResponse(found[0], status_code=found[1]) if found else None

    def keep(self, request: Request, response: HTMLResponse) -> HTMLResponse:
        if self.size:
            if len(self.pages) >= self.size:
                self.pages.clear()
            self.pages[self.key(request)] = (bytes(response.body), response.status_code)
        return response
