"""The `jic` command: a thin face over the library.

Each command parses its arguments, calls one library function and prints. Errors
from the library (JicError) become one line, ``error JIC-E101: what — what to do``,
and a non-zero exit; a user's mistake never shows a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from jic import __version__
from jic.analyse import search as search_view
from jic.center.founding import Founding, found_center
from jic.domain import TLP, IngestOutcome, IngestStatus
from jic.errors import InputError, JicError
from jic.gather.files import FileOptions, parse_when, read_paths
from jic.gather.ingest import IngestTarget, ingest
from jic.interop.export import FORMATS, write_documents
from jic.settings import Settings
from jic.store import audit
from jic.store import documents as document_repo
from jic.store.database import Store, open_store

EXIT_ERROR = 2
EXIT_ITEMS_FAILED = 1


class JicGroup(TyperGroup):
    """Turns a JicError raised anywhere below into one line and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except JicError as error:
            typer.echo(error.one_line(), err=True)
            raise typer.Exit(EXIT_ERROR) from None


app = typer.Typer(
    cls=JicGroup,
    help="jic: a joint information center. Gather, process and analyse information together.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(cls=JicGroup, help="Export what the center holds.", no_args_is_help=True)
audit_app = typer.Typer(cls=JicGroup, help="Read and check the audit log.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(audit_app, name="audit")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass(slots=True)
class State:
    settings: Settings


def _settings(ctx: typer.Context) -> Settings:
    state = ctx.find_object(State)
    assert state is not None
    return state.settings


@contextmanager
def _store(ctx: typer.Context) -> Iterator[Store]:
    store = open_store(_settings(ctx))
    try:
        yield store
    finally:
        store.close()


def _version(value: bool) -> None:
    if value:
        out.print(f"jic {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option("--home", help="Data home (env JIC_HOME; default ./jic-data).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL, e.g. postgresql://... (env JIC_DATABASE_URL)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    overrides: dict[str, Any] = {}
    if home is not None:
        overrides["home"] = home
    if db is not None:
        overrides["database_url"] = db
    ctx.obj = State(Settings(**overrides))


@app.command()
def init(
    ctx: typer.Context,
    member: Annotated[
        list[str] | None,
        typer.Option("--member", help="A founding member, in rotation order; repeat for each."),
    ] = None,
    first_chair: Annotated[
        str | None, typer.Option(help="Founding member that chairs the first term.")
    ] = None,
    term_months: Annotated[int, typer.Option(help="Length of a chair's term in months.")] = 3,
    start: Annotated[
        str | None, typer.Option(help="Start of the first term (ISO 8601; default now).")
    ] = None,
    name: Annotated[str, typer.Option(help="The center's name.")] = "jic",
) -> None:
    """Create a center in the data home (or the --db database)."""
    settings = _settings(ctx)
    founding = Founding(
        founders=member or [],
        first_chair=first_chair,
        term_months=term_months,
        start=parse_when(start) if start else None,
        name=name,
    )
    store, info = found_center(settings, founding)
    store.close()
    where = settings.home if settings.is_sqlite else "the --db database"
    out.print(f"Created center [bold]{escape(info.name)}[/] in {where}.")
    out.print(
        f"Founding members: {escape(', '.join(founding.founders or [settings.default_member]))}"
    )
    out.print(f"First chair: {escape(info.first_chair)}, terms of {info.term_months} month(s)")


_STATUS_STYLE = {
    IngestStatus.FAILED: "red",
    IngestStatus.DUPLICATE: "dim",
    IngestStatus.NEW_VERSION: "cyan",
    IngestStatus.SKIPPED: "yellow",
    IngestStatus.STORED: "yellow",  # shown only when it carries a warning
}


def _report_item(outcome: IngestOutcome) -> None:
    if outcome.status is IngestStatus.UNCHANGED:
        return
    if outcome.status is IngestStatus.STORED and not outcome.message:
        return
    word = "warning" if outcome.status is IngestStatus.STORED else outcome.status.value
    style = _STATUS_STYLE[outcome.status]
    message = f" — {outcome.message}" if outcome.message else ""
    err.print(f"[{style}]{word}[/] {escape(outcome.label)}{escape(message)}")


@contextmanager
def _progress(label: str) -> Iterator[Any]:
    """A progress display on a terminal; silent when output is piped or in tests."""
    if not err.is_terminal:
        yield lambda: None
        return
    columns = (SpinnerColumn(), TextColumn(label), BarColumn(), TextColumn("{task.completed}"))
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda: progress.advance(task)


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to ingest.")],
    source: Annotated[str | None, typer.Option(help="Name of the source they come from.")] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication time for items that carry none (ISO 8601).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="The URL of a single ingested file.")] = None,
    tlp: Annotated[
        str | None, typer.Option(help="TLP level: CLEAR, GREEN, AMBER, AMBER+STRICT, RED.")
    ] = None,
    member: Annotated[str | None, typer.Option(help="Member that submits them.")] = None,
) -> None:
    """Store documents from files and folders (.txt .md .html .htm .json .jsonl)."""
    settings = _settings(ctx)
    if url and (len(paths) > 1 or paths[0].is_dir()):
        raise InputError("--url names one file", "ingest a single file when giving --url")
    try:
        level = TLP.parse(tlp) if tlp else None
    except ValueError as error:
        raise InputError(str(error), "pass a TLP 2.0 level") from None
    options = FileOptions(
        max_bytes=settings.max_file_bytes,
        published=parse_when(published) if published else None,
        url=url,
        tlp=level,
    )
    target = IngestTarget(
        member=member or _default_member(ctx),
        source=source,
        batch_size=settings.ingest_batch_size,
    )
    with _store(ctx) as store, _progress("ingesting") as tick:

        def on_item(outcome: IngestOutcome) -> None:
            tick()
            _report_item(outcome)

        report = ingest(store, read_paths(paths, options), target, on_item)
    counts = report.counts
    parts = [f"{counts[status]} {status.value}" for status in IngestStatus if counts[status]]
    out.print("Ingest: " + (", ".join(parts) or "nothing to ingest"))
    if not report.ok:
        raise typer.Exit(EXIT_ITEMS_FAILED)


def _default_member(ctx: typer.Context) -> str:
    """The member the local CLI acts for: the configured one, or the first founder."""
    from jic.store import members as member_repo

    settings = _settings(ctx)
    with _store(ctx) as store, store.read() as connection:
        names = [m.name for m in member_repo.list_members(connection)]
    if settings.default_member in names:
        return settings.default_member
    return names[0]


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, "phrases", OR, NOT / -word, (groups).')],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many hits to show.")] = 10,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many hits first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search documents, best match first, with snippets."""
    with _store(ctx) as store:
        result = search_view.search(store, query, limit=limit, offset=offset)
    if as_json:
        out.print_json(json.dumps(search_view.result_record(result), ensure_ascii=False))
        return
    shown = f"{offset + 1}-{offset + len(result.hits)} of " if result.hits else ""
    out.print(f"{shown}{result.total} document(s) match [bold]{escape(query)}[/]")
    for hit in result.hits:
        meta = " · ".join(x for x in (hit.source, hit.language, _day(hit)) if x)
        out.print(
            f"\n[bold]#{hit.document_id}[/] {escape(hit.title or '(untitled)')}  [dim]{meta}[/]"
        )
        snippet = escape(search_view.snippet_plain(hit.snippet, "\x02", "\x03"))
        out.print("  " + snippet.replace("\x02", "[bold yellow]").replace("\x03", "[/]"))


def _day(hit: Any) -> str:
    return hit.published.date().isoformat() if hit.published else ""


@export_app.command("documents")
def export_documents(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
) -> None:
    """Export documents as JSON Lines or CSV."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    with _store(ctx) as store, store.read() as connection:
        documents = document_repo.iterate(connection)
        if out_file is None:
            count = write_documents(documents, sys.stdout, fmt)
        else:
            with out_file.open("w", encoding="utf-8", newline="") as handle:
                count = write_documents(documents, handle, fmt)
    err.print(f"Exported {count} document(s)" + (f" to {out_file}" if out_file else ""))


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts per source, language, TLP and processing state."""
    with _store(ctx) as store, store.read() as connection:
        counts = document_repo.status(connection)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "documents": counts.documents,
                    "sightings": counts.sightings,
                    "versions": counts.versions,
                    "lossy": counts.lossy,
                    "sources": dict(counts.by_source),
                    "languages": dict(counts.by_language),
                    "tlp": dict(counts.by_tlp),
                    "stages": [
                        {"stage": s, "state": st, "count": n} for s, st, n in counts.by_stage
                    ],
                }
            )
        )
        return
    out.print(
        f"[bold]{counts.documents}[/] documents ({counts.versions} later versions, "
        f"{counts.sightings} extra sightings of the same bytes, {counts.lossy} decoded lossily)"
    )
    for title, rows in (
        ("source", counts.by_source),
        ("language", counts.by_language),
        ("TLP", counts.by_tlp),
    ):
        table = Table(title=f"by {title}", title_justify="left", show_header=False)
        for name, number in rows:
            table.add_row(escape(name), str(number))
        out.print(table)
    stages = Table(title="processing", title_justify="left")
    for column in ("stage", "state", "documents"):
        stages.add_column(column)
    for stage, state, number in counts.by_stage:
        stages.add_row(stage, state, str(number))
    if not counts.by_stage:
        stages.add_row("(none run yet)", "unprocessed", str(counts.documents))
    out.print(stages)


@audit_app.command("verify")
def audit_verify(ctx: typer.Context) -> None:
    """Check the audit log's hash chain from the first entry to the last."""
    with _store(ctx) as store, store.read() as connection:
        result = audit.verify(connection)
    if result.ok:
        out.print(f"audit log intact: {result.entries} entries")
        return
    err.print(f"[red]audit log broken at entry {result.first_bad_id}[/]: {result.reason}")
    raise typer.Exit(EXIT_ITEMS_FAILED)


@app.command()
def up(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Run the center: create it if absent, gather, process, and serve on http://HOST:PORT."""
    from jic.service import UpOptions, run_up

    run_up(_settings(ctx), UpOptions(host=host, port=port), say=out.print)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Serve the API and web UI for an existing center."""
    from jic.service import serve as serve_center

    serve_center(_settings(ctx), host=host, port=port, say=out.print)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
