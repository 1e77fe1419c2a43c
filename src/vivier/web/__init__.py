"""The web app: HTML pages (Jinja2 + htmx) and their JSON twins under /api."""

from vivier.web.app import ROUTER_MODULES, create_app

__all__ = ["ROUTER_MODULES", "create_app"]
