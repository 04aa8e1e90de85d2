"""One Settings object for the whole of jic.

Every setting is declared here once, with its default and help text. Settings are
read from the environment (``JIC_*``) and from command-line options, then passed
explicitly to what needs them: nothing deeper in the code reads the environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file under the data home."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            return url
        return f"sqlite:///{self.sqlite_path()}"

    def sqlite_path(self) -> Path:
        return self.home / "jic.sqlite3"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")
