"""Schema migrations (Alembic), run by ``esibook db upgrade`` / ``downgrade``: the only way the schema is made."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "esibook:migrations")
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def head_revision() -> str:
    """The newest revision the package's migrations reach."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "esibook:migrations")
    return ScriptDirectory.from_config(config).get_current_head()
