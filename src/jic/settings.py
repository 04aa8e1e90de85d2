"""One Settings object for the whole of jic.

Every setting is declared here once, with its default and help text. Settings are
read from the environment (``JIC_*``) and from command-line options, then passed
explicitly to what needs them: nothing deeper in the code reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from jic.errors import ConfigError

# URL schemes that mean PostgreSQL through psycopg 3, the driver we ship: plain
# postgresql:// would ask SQLAlchemy for psycopg2, and postgres:// (Heroku, libpq docs)
# for a dialect SQLAlchemy does not have.
_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_URL_HINT = "use postgresql://USER@HOST:PORT/DB, or leave --db / JIC_DATABASE_URL unset for SQLite"


class Settings(BaseSettings):
    """Configuration of one jic installation."""

    model_config = SettingsConfigDict(env_prefix="JIC_", extra="ignore")

    home: Path = Field(
        default=Path("jic-data"),
        description="Data home: holds the embedded SQLite database and caches.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database. Unset means the embedded SQLite file "
            "<home>/jic.sqlite3; postgresql://... selects PostgreSQL."
        ),
    )
    max_file_bytes: int = Field(
        default=20 * 1024 * 1024,
        description="Largest file or response jic will read, in bytes.",
    )
    ingest_batch_size: int = Field(
        default=200,
        description="Documents stored per transaction during ingest.",
    )
    default_member: str = Field(
        default="local",
        description="Member that owns what the local CLI stores when no member is named.",
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging).")
    contact_url: str = Field(
        default="https://example.invalid/jic-operator",
        description="Where site owners can reach the operator; sent in the User-Agent.",
    )
    fetch_allow: list[str] = Field(
        default_factory=list,
        description=(
            "Addresses gathering may reach although they are loopback or private: "
            "'127.0.0.1:8080', '10.2.0.0/16', 'intranet.lan'. Empty: public addresses only."
        ),
    )
    per_host_rate: float = Field(default=1.0, description="Requests per second to one host.")
    respect_robots: bool = Field(default=True, description="Obey robots.txt when gathering.")
    request_timeout: float = Field(default=30.0, description="Wall-clock limit per request (s).")
    default_every: str = Field(default="15m", description="Polling interval of a new source.")
    sources_file: Path | None = Field(
        default=None,
        description="Sources `jic up` keeps in step with (TOML); default <home>/sources.toml.",
    )
    gather_entry_attempts: int = Field(
        default=3, description="Tries per feed entry before it is left as failed."
    )

    publish_clear: bool = Field(
        default=False,
        description="Let readers without an account see TLP:CLEAR items through the API.",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Built indexes (the gazetteer); default <home>/cache. Safe to delete.",
    )
    api_writes_per_minute: float = Field(
        default=60.0, gt=0, description="API writes per token per minute, after the burst."
    )
    api_write_burst: int = Field(
        default=20, ge=1, description="API writes a token may make at once."
    )

    def resolved_sources_file(self) -> Path:
        return self.sources_file or self.home / "sources.toml"

    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or self.home / "cache"

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file under the data home.

        Raises ConfigError for a URL SQLAlchemy cannot read or a database jic does
        not support, so that a typo in --db is one line, not a traceback.
        """
        if not self.database_url:
            return f"sqlite:///{self.sqlite_path()}"
        url = self.database_url.strip()
        for scheme in _POSTGRES_SCHEMES:
            if url.startswith(scheme):
                url = "postgresql+psycopg://" + url.removeprefix(scheme)
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            # The value is not echoed: it may hold a password.
            raise ConfigError("--db / JIC_DATABASE_URL is not a database URL", _URL_HINT) from None
        if backend not in ("sqlite", "postgresql"):
            raise ConfigError(f"jic does not support {backend!r} databases", _URL_HINT)
        return url

    def sqlite_path(self) -> Path:
        return self.home / "jic.sqlite3"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
