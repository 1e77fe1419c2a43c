"""Typed settings: one object, read from the environment (prefix VIVIER_), passed around.

No I/O happens at import time; call `load_settings()` to build the object.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIVIER_", extra="ignore")

    home: Path = Field(default=Path("vivier-data"), description="Data directory")
    database_url: str | None = Field(
        default=None, description="App database URL; SQLite under home when unset"
    )
    absurd_amount: float = Field(
        default=1_000_000_000.0, description="Amounts at or above this bound are flagged absurd"
    )
    ingest_memory_limit: str = Field(
        default="400MB", description="DuckDB memory limit while ingesting (spills beyond)"
    )
    ingest_workers: int = Field(
        default=2, description="Worker processes reading a large award file (1: in-process)"
    )
    web_workers: int = Field(
        default=1, description="Worker processes of `vivier serve` (each loads the data)"
    )
    match_embeddings: str = Field(
        default="none", description="Embeddings of the matching index: none, use or e5"
    )
    target_share: float = Field(default=0.04, description="State target: start-up share")
    target_year: int = Field(default=2027, description="Year of the State target")
    target_perimeter: str = Field(default="etat", description="Perimeter of the State target")
    default_definition: str = Field(default="registry", description="Default start-up definition")
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "vivier@localhost"
    secret_key: str = Field(default="change-me-in-production", description="Cookie signing key")
    secure_cookies: bool = Field(
        default=False, description="Send session cookies over HTTPS only (production)"
    )
    ted_url: str = "https://ted.europa.eu/packages/daily/"
    boamp_url: str = "https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/exports/json"
    decp_url: str = "https://www.data.gouv.fr/fr/datasets/r/16962018-5c31-4296-9454-5998585496d2"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def app_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'app.sqlite').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


def load_settings(**overrides) -> Settings:
    """Build the settings from the environment, with explicit overrides (e.g. --home)."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**clean)
