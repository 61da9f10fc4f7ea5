"""Settings, read from ``ESIBOOK_*`` environment variables (operators and scripts rely on these names)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One object, built once and passed to ``create_app()`` and to every command."""

    model_config = SettingsConfigDict(env_prefix="ESIBOOK_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    base_url: str = "http://127.0.0.1:8000"
    default_language: Literal["vi", "en"] = "vi"

    def resolved_database_url(self) -> str:
        """The database to use: ``ESIBOOK_DATABASE_URL``, else an SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'esibook.db').resolve()}"


def load_settings(**overrides) -> Settings:
    return Settings(**overrides)
