"""The `jic` command: a thin face over the library.

Each command parses its arguments, calls one library function and prints. Errors
from the library (JicError) become one line, ``error JIC-E101: what — what to do``,
and a non-zero exit; a user's mistake never shows a traceback.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from jic import __version__
from jic.analyse import search as search_view
from jic.center.founding import Founding, found_center
from jic.cli_center import State, acting_user, register_sharing, register_watchlist
from jic.cli_center import register as register_center_commands
from jic.cli_ledger import register as register_ledger_commands
from jic.cli_report import register as register_report_commands
from jic.domain import TLP, IngestOutcome, IngestStatus
from jic.errors import AccessError, InputError, JicError
from jic.gather.files import FileOptions, parse_when, read_paths
from jic.gather.ingest import IngestTarget, ingest
from jic.interop.export import FORMATS, records, write_records
from jic.settings import Settings
from jic.store import audit, processing
from jic.store import documents as document_repo
from jic.store import users as user_repo
from jic.store.database import Store, open_store, server_warnings
from jic.store.visibility import OPERATOR, Reader

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
sources_app = typer.Typer(
    cls=JicGroup, help="The sources the center gathers from.", no_args_is_help=True
)
app.add_typer(export_app, name="export")
app.add_typer(audit_app, name="audit")
app.add_typer(sources_app, name="sources")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


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
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act and read as this user, under the sharing policy (env JIC_USER). "
            "Without it the CLI is the local operator and sees everything.",
            envvar="JIC_USER",
        ),
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
    ctx.obj = State(Settings(**overrides), as_user)


def _reader(ctx: typer.Context, store: Store) -> Reader:
    """Whom reads are for: the --as user under the policy, or the local operator."""
    user = acting_user(ctx, store)
    if user is None:
        return OPERATOR
    return Reader(user.viewer, publish_clear=_settings(ctx).publish_clear)


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
        yield lambda n=1: None
        return
    columns = (SpinnerColumn(), TextColumn(label), BarColumn(), TextColumn("{task.completed}"))
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda n=1: progress.advance(task, n)


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files, folders, or http(s) URLs of pages.")],
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
    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    files = [Path(p) for p in paths if p not in urls]
    if url and (len(files) > 1 or urls or files[0].is_dir()):
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
    with _store(ctx) as store:
        user = acting_user(ctx, store)
    if user is not None:
        if member and member != user.member:
            raise AccessError(
                f"{user.name} submits for {user.member}, not {member}", "drop --member"
            )
        target.member, target.user, target.user_id = user.member, user.name, user.id
    with _store(ctx) as store, _progress("ingesting") as tick:

        def on_item(outcome: IngestOutcome) -> None:
            tick()
            _report_item(outcome)

        items = read_paths(files, options)
        if urls:
            items = itertools.chain(items, _pages(settings, urls, options))
        report = ingest(store, items, target, on_item)
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
    facets: Annotated[
        bool,
        typer.Option(
            "--facets",
            help="Counts per source, language, TLP, entity, place and event type.",
        ),
    ] = False,
    exhaustive: Annotated[
        bool,
        typer.Option(
            "--exhaustive",
            help="Count every match and rank them all (by default a search counts up to "
            "10,000 and ranks the newest 10,000 matches on SQLite, 1,000 on PostgreSQL).",
        ),
    ] = False,
) -> None:
    """Search documents, best match first, with snippets.

    Filters apply to the whole query: source:"UN News" lang:en tlp:GREEN member:NAME
    entity:Peskov place:Baghdad from:2026-11-01 to:2026-11-30. A query of filters
    alone lists newest first. Past 10,000 matches the total shows as "10,000+"; with
    more matches than it ranks (10,000 on SQLite, 1,000 on PostgreSQL) the hits are the
    best of the newest; --exhaustive counts and ranks them all."""
    with _store(ctx) as store:
        reader = _reader(ctx, store)
        result = search_view.search(
            store,
            query,
            limit=limit,
            offset=offset,
            reader=reader,
            facets=facets,
            exhaustive=exhaustive,
        )
    if as_json:
        out.print_json(json.dumps(search_view.result_record(result), ensure_ascii=False))
        return
    shown = f"{offset + 1}-{offset + len(result.hits)} of " if result.hits else ""
    total = search_view.total_text(result)
    out.print(f"{shown}{total} document(s) match [bold]{escape(query)}[/]")
    if result.ranked_within:
        out.print(
            f"[dim]best of the newest {result.ranked_within:,} matches; "
            "--exhaustive ranks them all[/]"
        )
    for hit in result.hits:
        meta = " · ".join(x for x in (hit.source, hit.language, _day(hit)) if x)
        out.print(
            f"\n[bold]#{hit.document_id}[/] {escape(hit.title or '(untitled)')}  [dim]{meta}[/]"
        )
        out.print(_snippet_text(hit.snippet))
    for name, values in result.facets.items():
        shown = ", ".join(f"{escape(value)} {count}" for value, count in values)
        out.print(f"\n[bold]{name}[/]: {shown or '-'}")


def _snippet_text(snippet: str) -> Text:
    """The snippet with its matches in bold, built as styled spans (never as markup, so
    no text from a document can be read as rich markup)."""
    line = Text("  ")
    bold = False
    for part in re.split("([\x02\x03])", snippet.replace("\n", " ")):
        if part in ("\x02", "\x03"):
            bold = part == "\x02"
        elif part:
            line.append(part, style="bold yellow" if bold else None)
    return line


def _day(hit: Any) -> str:
    return hit.published.date().isoformat() if hit.published else ""


def _export(
    ctx: typer.Context,
    fmt: str,
    out_file: Path | None,
    what: str,
    write: Callable[[Store, Reader, TextIO], int],
) -> None:
    """Check, write to stdout or ``out_file``, and audit one export."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    if out_file is not None and not out_file.parent.is_dir():
        raise InputError(
            f"no folder {out_file.parent} to write {out_file.name} into", "create it first"
        )
    with _store(ctx) as store:
        reader = _reader(ctx, store)
        if out_file is None:
            count = write(store, reader, sys.stdout)
        else:
            with out_file.open("w", encoding="utf-8", newline="") as handle:
                count = write(store, reader, handle)
        state = ctx.find_object(State)
        with store.write() as connection:
            audit.append(
                connection,
                audit.Actor(user=state.as_user if state is not None else None),
                f"export.{what}",
                object_type="export",
                detail={"format": fmt, what: count, "to": str(out_file) if out_file else "stdout"},
            )
    err.print(f"Exported {count} {what}" + (f" to {out_file}" if out_file else ""))


@export_app.command("documents")
def export_documents(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
) -> None:
    """Export documents as JSON Lines or CSV."""

    def write(store: Store, reader: Reader, out: TextIO) -> int:
        with store.read() as connection:
            return write_records(records(connection, reader=reader), out, fmt)

    _export(ctx, fmt, out_file, "documents", write)


@export_app.command("stories")
def export_stories(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
) -> None:
    """Export stories: id, title, start, end, places, entities, documents in order."""
    from jic.analyse.story_run import stories
    from jic.interop.export import write_stories

    def write(store: Store, reader: Reader, out: TextIO) -> int:
        return write_stories(stories(store, reader), out, fmt)

    _export(ctx, fmt, out_file, "stories", write)


def _export_facts(ctx: typer.Context, what: str, fmt: str, out_file: Path | None) -> None:
    from jic.interop.export import fact_rows, write_facts

    def write(store: Store, reader: Reader, out: TextIO) -> int:
        with store.read() as connection:
            return write_facts(fact_rows(connection, what, reader=reader), out, fmt, what)

    _export(ctx, fmt, out_file, what, write)


@export_app.command("claims")
def export_claims(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
) -> None:
    """Export claims, one row each: document, claimant, cue, stance, content, channel, time."""
    _export_facts(ctx, "claims", fmt, out_file)


@export_app.command("events")
def export_events(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
) -> None:
    """Export PLOVER events, one row each: document, type, actors, place, date, trigger."""
    _export_facts(ctx, "events", fmt, out_file)


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts per source, language, TLP and processing state."""
    with _store(ctx) as store, store.read() as connection:
        reader = _reader(ctx, store)
        counts = document_repo.status(connection, reader)
        failed = processing.failures(connection) if reader.is_operator else []
        warnings = server_warnings(connection) if reader.is_operator else []
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
                    "recent_failures": [
                        {"document": d, "stage": st, "reason": r} for d, st, r in failed
                    ],
                    "warnings": warnings,
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
    for doc_id, stage, reason in failed:
        out.print(f"[red]failed[/] document {doc_id} at {stage}: {escape(reason)}")
    for warning in warnings:
        out.print(f"[yellow]warning[/] {escape(warning)}")


@app.command()
def maintain(
    ctx: typer.Context,
    vacuum: Annotated[
        bool,
        typer.Option(
            "--vacuum",
            help="Also give disk space back (SQLite VACUUM, PostgreSQL VACUUM FULL): "
            "blocks writers, and on SQLite readers, while it runs.",
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Also check the database, the search index and the audit chain."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Housekeeping: fold the document counts, merge the search index (SQLite) or refresh
    the statistics (PostgreSQL); for the local operator."""
    from jic.store.maintenance import Step
    from jic.store.maintenance import maintain as run_maintenance

    state = ctx.find_object(State)
    if state is not None and state.as_user is not None:
        raise AccessError("maintenance is for the local operator", "run jic maintain without --as")

    def say(step: Step) -> None:
        if not as_json:
            mark = "[green]ok[/]" if step.ok else "[red]FAILED[/]"
            out.print(f"{mark} {step.name}: {escape(step.detail)} ({step.seconds:.1f} s)")

    with _store(ctx) as store:
        report = run_maintenance(store, vacuum=vacuum, check=check, say=say)
        with store.write() as connection:
            audit.append(
                connection,
                audit.Actor(),
                "center.maintain",
                object_type="center",
                detail={
                    "vacuum": vacuum,
                    "check": check,
                    "steps": {step.name: step.detail for step in report.steps},
                    "ok": report.ok,
                },
            )
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "ok": report.ok,
                    "size_before": report.size_before,
                    "size_after": report.size_after,
                    "steps": [
                        {
                            "name": s.name,
                            "detail": s.detail,
                            "seconds": round(s.seconds, 3),
                            "ok": s.ok,
                        }
                        for s in report.steps
                    ],
                }
            )
        )
    else:
        out.print(f"database: {_megabytes(report.size_before)} -> {_megabytes(report.size_after)}")
    if not report.ok:
        raise typer.Exit(EXIT_ITEMS_FAILED)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


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


@app.command("process")
def process_command(
    ctx: typer.Context,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes on this machine.")] = 1,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Run only this stage (repeatable).")
    ] = None,
    redo: Annotated[
        str | None, typer.Option(help="Run this stage and what rests on it again, for all.")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=5000, help="Documents per batch.")] = 50,
) -> None:
    """Process pending documents through the registered stages; safe to stop and resume."""
    from jic.process import pipeline as runner

    settings = _settings(ctx)
    options = runner.ProcessOptions(batch_size=batch_size, only=only)
    with _store(ctx) as store:
        pipeline = runner.Pipeline(store, settings, stages=only)
        if redo:
            out.print("Will run again: " + ", ".join(runner.redo(store, redo)))
        pending = pipeline.pending()
        out.print(
            f"{pending} document(s) to process through {', '.join(s.name for s in pipeline.plan)}"
        )
        if workers > 1:
            report = runner.run_workers(settings, workers, options)
        else:
            with _progress("processing") as tick:
                report = pipeline.run(options, progress=tick)
        if not only:
            from jic.analyse.ledger import assign_propositions
            from jic.analyse.story_run import assign_stories

            placed = assign_stories(store)
            if placed:
                out.print(f"stories: {placed} document(s) placed")
            grouped = assign_propositions(store)
            if grouped:
                out.print(f"claims ledger: {grouped} claim(s) grouped into propositions")
    for stage, count in report.done.items():
        failed = report.failed.get(stage, 0)
        out.print(f"{stage}: {count} done" + (f", {failed} failed" if failed else ""))
    for doc_id, stage, reason in report.errors[:20]:
        err.print(f"[red]failed[/] document {doc_id} at {stage}: {escape(reason)}")
    if report.errors:
        raise typer.Exit(EXIT_ITEMS_FAILED)


@audit_app.command("show")
def audit_show(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="From this time on (ISO 8601).")] = None,
    actor: Annotated[str | None, typer.Option(help="A user or member name.")] = None,
    object_id: Annotated[str | None, typer.Option("--object", help="An object id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Lines.")] = False,
) -> None:
    """Read the audit log, newest first: officers see their member's entries, the
    chair's officers and the local operator see all."""
    from datetime import UTC, datetime

    from jic.store import members as member_repo

    with _store(ctx) as store:
        state = ctx.find_object(State)
        member = None
        if state is not None and state.as_user is not None:
            with store.read() as connection:
                user = user_repo.get_user(connection, state.as_user)
                chair = member_repo.rotation(connection).term_at(datetime.now(UTC)).chair
            if user.role != "officer":
                raise AccessError("the audit log is for officers", "ask an officer of your member")
            member = None if user.member == chair else user.member
        with store.read() as connection:
            found = audit.entries(
                connection,
                since=parse_when(since) if since else None,
                actor=actor,
                object_id=object_id,
                member=member,
                limit=limit,
            )
    if as_json:
        for entry in found:
            typer.echo(json.dumps(entry, ensure_ascii=False))
        return
    table = Table("id", "at", "who", "action", "object")
    for entry in found:
        who = "/".join(x for x in (entry["member"], entry["user"]) if x) or "jic"
        table.add_row(
            str(entry["id"]),
            entry["at"],
            escape(who),
            entry["action"],
            escape(entry["object"] or ""),
        )
    out.print(table)


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


def _pages(settings: Settings, urls: list[str], options: FileOptions) -> Iterator[Any]:
    """Fetch each page URL safely and offer it for ingest; failures are per-item outcomes."""
    from jic.gather.http import HTML_TYPES, Fetcher
    from jic.gather.poll import fetch_options, page_document
    from jic.store.documents import Offer

    with Fetcher(fetch_options(settings)) as fetcher:
        for page in urls:
            try:
                item = page_document(fetcher.fetch(page, accept=HTML_TYPES), page)
            except JicError as error:
                yield IngestOutcome(page, IngestStatus.FAILED, message=error.message)
                continue
            item.tlp = options.tlp
            item.published = options.published or item.published
            yield Offer(page, item)


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Feed, page or sitemap URL.")],
    name: Annotated[str | None, typer.Option(help="Name shown everywhere (default: URL).")] = None,
    kind: Annotated[
        str | None, typer.Option(help="feed, page or sitemap; without it jic fetches and looks.")
    ] = None,
    every: Annotated[str | None, typer.Option(help="Polling interval: 15m, 2h, 1d.")] = None,
    tlp: Annotated[str | None, typer.Option(help="TLP of what it brings in.")] = None,
    reliability: Annotated[
        str | None, typer.Option(help="Admiralty grade A-F (default F).")
    ] = None,
    member: Annotated[str | None, typer.Option(help="Owner member (default: yours).")] = None,
) -> None:
    """Add a source; without --kind, fetch it to tell a feed from a page (feed discovery)."""
    from jic.gather.http import Fetcher
    from jic.gather.poll import fetch_options
    from jic.gather.sources import classify, new_source
    from jic.store import members as member_repo
    from jic.store import sources as source_repo

    settings = _settings(ctx)
    note = ""
    if kind is None:
        with Fetcher(fetch_options(settings)) as fetcher:
            found = classify(fetcher, url)
        kind, url, note = found.kind, found.url, found.note
        name = name or found.title
    new = new_source(url, kind=kind, name=name, every=every, tlp=tlp, reliability=reliability)
    owner_name = member or _default_member(ctx)
    with _store(ctx) as store, store.write() as connection:
        owner = member_repo.get_member(connection, owner_name)
        source = source_repo.add(connection, new, owner=owner, actor=audit.Actor(member=owner.name))
    if note:
        out.print(escape(note))
    out.print(f"Added {source.kind} source [bold]{escape(source.name)}[/] ({escape(url)})")


@sources_app.command("list")
def sources_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every source with its kind, reliability, TLP and last gather status."""
    from jic.store import sources as source_repo

    with _store(ctx) as store, store.read() as connection:
        rows = source_repo.list_all(connection)
    if as_json:
        out.print_json(json.dumps([_source_record(s) for s in rows]))
        return
    table = Table("name", "kind", "rel.", "TLP", "every", "last poll", "status")
    for source in rows:
        table.add_row(
            escape(source.name),
            source.kind,
            source.reliability.value,
            source.tlp.value if source.tlp else "-",
            f"{source.every_seconds // 60}m" if source.every_seconds else "default",
            source.last_polled_at.strftime("%Y-%m-%d %H:%M") if source.last_polled_at else "never",
            escape(source.last_status or "-"),
        )
    out.print(table)


def _source_record(source: Any) -> dict[str, Any]:
    return {
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "reliability": source.reliability.value,
        "tlp": source.tlp.value if source.tlp else None,
        "every_seconds": source.every_seconds,
        "last_polled": source.last_polled_at.isoformat() if source.last_polled_at else None,
        "last_status": source.last_status,
        "last_error": source.last_error,
        "ownership_group": source.ownership_group,
    }


@sources_app.command("show")
def sources_show(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """One source: settings, last poll, entries per state and recent failures."""
    from jic.store import feed_items
    from jic.store import sources as source_repo

    with _store(ctx) as store, store.read() as connection:
        source = source_repo.get(connection, name)
        states = feed_items.counts(connection, source.id)
        failures = feed_items.failures(connection, source.id)
    record = _source_record(source)
    record["entries"] = states
    record["recent_failures"] = [
        {**f, "last_tried": f["last_tried"].isoformat() if f["last_tried"] else None}
        for f in failures
    ]
    out.print_json(json.dumps(record))


@sources_app.command("remove")
def sources_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Stop gathering from a source; what it brought in stays."""
    from jic.store import sources as source_repo

    actor = audit.Actor(member=_default_member(ctx))
    with _store(ctx) as store, store.write() as connection:
        source_repo.remove(connection, name, actor=actor)
    out.print(f"Removed {escape(name)}; its documents stay in the center.")


@sources_app.command("set")
def sources_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    reliability: Annotated[
        str | None, typer.Option(help="Admiralty source reliability A-F.")
    ] = None,
    group: Annotated[
        str | None,
        typer.Option(help="Ownership group: sources in one group count once as support."),
    ] = None,
    no_group: Annotated[bool, typer.Option("--no-group", help="Leave its group.")] = False,
) -> None:
    """Grade a source or put it in an ownership group (officers of its owner member)."""
    from jic.store import sources as source_repo

    if group is not None and no_group:
        raise InputError("--group and --no-group contradict each other", "give one of them")
    change: str | None = None if no_group else (group if group is not None else source_repo.KEEP)
    with _store(ctx) as store:
        user = acting_user(ctx, store)
        actor = audit.Actor.of(user)
        with store.write() as connection:
            source = source_repo.update(
                connection, name, actor=actor, user=user, reliability=reliability, group=change
            )
    out.print_json(json.dumps(_source_record(source)))


@app.command()
def gather(
    ctx: typer.Context,
    watch: Annotated[bool, typer.Option("--watch", help="Keep polling on schedule.")] = False,
    source: Annotated[str | None, typer.Option(help="Poll this source now, due or not.")] = None,
) -> None:
    """Poll every source that is due, once (or keep going with --watch; Ctrl-C stops)."""
    import threading

    from jic.gather.http import Fetcher
    from jic.gather.poll import Gatherer, GatherOptions, SourceReport, fetch_options

    settings = _settings(ctx)

    def say(report: SourceReport) -> None:
        style = "red" if report.status == "failed" else ""
        out.print(escape(report.line()), style=style)

    with _store(ctx) as store, Fetcher(fetch_options(settings)) as fetcher:
        gatherer = Gatherer(store, fetcher, GatherOptions.from_settings(settings))
        if not watch:
            reports = gatherer.gather_due(only=source)
            for report in reports:
                say(report)
            if not reports:
                out.print("No source is due.")
            return
        stop = threading.Event()
        out.print("Gathering on schedule; Ctrl-C stops.")
        try:
            gatherer.watch(stop, say)
        except KeyboardInterrupt:
            stop.set()
            out.print("Stopped.")


register_center_commands(app, JicGroup, _store, out)
register_sharing(app, _store, out)
register_watchlist(app, JicGroup, _store, out)
register_ledger_commands(app, JicGroup, _store, out)
register_report_commands(app, JicGroup, _store, out)


if __name__ == "__main__":
    main()
