"""Situation reports, timelines, map data and the entity graph on the command line.

Registered on the main `jic` app by ``jic.cli``. Every read is for the ``--as`` user
under the sharing policy (the local operator without it). Approving a sitrep is a
chair action: ``jic --as OFFICER report approve ID``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from jic.analyse import sitrep as sitrep_view
from jic.analyse.geo import places_geojson
from jic.analyse.graph import entity_graph
from jic.analyse.timeline import timeline
from jic.cli_center import State, acting_user
from jic.errors import InputError
from jic.gather.files import parse_when
from jic.store import members as member_repo
from jic.store.database import Store
from jic.store.visibility import OPERATOR, Reader

FORMATS = ("md", "html", "pdf")


def _state(ctx: typer.Context) -> State:
    state = ctx.find_object(State)
    assert state is not None
    return state


def _reader(ctx: typer.Context, store: Store) -> Reader:
    user = acting_user(ctx, store)
    if user is None:
        return OPERATOR
    return Reader(user.viewer, publish_clear=_state(ctx).settings.publish_clear)


def _when(value: str | None) -> datetime | None:
    return parse_when(value) if value else None


def _operator_member(ctx: typer.Context, store: Store) -> str:
    """The member the local operator acts for: the configured one, else the first."""
    with store.read() as connection:
        names = [m.name for m in member_repo.list_members(connection)]
    wanted = _state(ctx).settings.default_member
    return wanted if wanted in names else names[0]


def _write(out: Any, data: str | bytes, output: Path | None) -> None:
    if output is not None:
        if not output.parent.is_dir():
            raise InputError(f"no folder {output.parent} to write {output.name} into", "create it")
        if isinstance(data, bytes):
            output.write_bytes(data)
        else:
            output.write_text(data, encoding="utf-8")
        return
    if isinstance(data, bytes):
        typer.get_binary_stream("stdout").write(data)
    else:
        typer.echo(data, nl=False)


def _render(report: sitrep_view.Sitrep, fmt: str, font: str | None) -> str | bytes:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    if fmt == "pdf":
        return sitrep_view.render_pdf(report, font=font)
    return sitrep_view.RENDERERS[fmt](report)


def register(app: typer.Typer, group: type, store_of: Any, out: Any) -> None:
    """Add `jic report ...`, `jic timeline`, `jic map` and `jic graph` to ``app``."""
    report_app = typer.Typer(cls=group, help="Situation reports.", no_args_is_help=True)
    app.add_typer(report_app, name="report")
    _register_reports(report_app, store_of, out)
    _register_views(app, store_of, out)


Format = Annotated[str, typer.Option("--format", help="md, html or pdf.")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]
Font = Annotated[
    str | None, typer.Option("--font", help="A Unicode .ttf font for PDF (default: DejaVu Sans).")
]


def _register_reports(report_app: typer.Typer, store_of: Any, out: Any) -> None:
    @report_app.command("sitrep")
    def report_sitrep(
        ctx: typer.Context,
        since: Annotated[str, typer.Option(help="Start of the period (ISO 8601).")],
        until: Annotated[str | None, typer.Option(help="End of the period (default now).")] = None,
        place: Annotated[str | None, typer.Option(help="Only this place (name or key).")] = None,
        fmt: Format = "md",
        output: Output = None,
        save: Annotated[bool, typer.Option("--save", help="Save it as a draft.")] = False,
        title: Annotated[str | None, typer.Option(help="A title of your own.")] = None,
        font: Font = None,
    ) -> None:
        """Build a situation report for a period; every line cites its documents."""
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            reader = _reader(ctx, store)
            with store.read() as connection:
                report = sitrep_view.build(
                    connection,
                    reader,
                    since=parse_when(since),
                    until=_when(until),
                    place=place,
                    title=title,
                )
            rendered = _render(report, fmt, font)  # before saving: a bad font saves nothing
            if save:
                member = None if user else _operator_member(ctx, store)
                with store.write() as connection:
                    report = sitrep_view.save(connection, report, user=user, member=member)
                rendered = _render(report, fmt, font)
        _write(out, rendered, output)
        if save:
            typer.echo(f"Saved sitrep {report.id} as a draft (TLP:{report.tlp.value})", err=True)

    @report_app.command("show")
    def report_show(
        ctx: typer.Context,
        sitrep_id: Annotated[int, typer.Argument(metavar="ID")],
        fmt: Format = "md",
        output: Output = None,
        font: Font = None,
    ) -> None:
        """A saved sitrep, rendered."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                report = sitrep_view.get(connection, reader, sitrep_id)
        _write(out, _render(report, fmt, font), output)

    @report_app.command("list")
    def report_list(
        ctx: typer.Context,
        status: Annotated[str | None, typer.Option(help="draft, submitted or approved.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Saved sitreps you may read, newest first."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                found = sitrep_view.list_sitreps(connection, reader, status=status)
        if as_json:
            keys = ("id", "title", "since", "until", "place", "tlp", "status", "joint_product")
            rows = [{k: r.record()[k] for k in keys} for r in found]
            out.print_json(json.dumps(rows, ensure_ascii=False))
            return
        table = Table("id", "status", "TLP", "period", "title", "by")
        for r in found:
            status_text = "approved (joint)" if r.joint else r.status
            period = f"{r.since:%Y-%m-%d} – {r.until:%Y-%m-%d}"
            by = f"{r.created_by} ({r.member})"
            table.add_row(str(r.id), status_text, r.tlp.value, period, escape(r.title), escape(by))
        out.print(table)

    @report_app.command("submit")
    def report_submit(ctx: typer.Context, sitrep_id: Annotated[int, typer.Argument()]) -> None:
        """Submit a draft for the chair's approval."""
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            with store.write() as connection:
                report = sitrep_view.submit(connection, user, sitrep_id)
        out.print(f"Submitted sitrep {report.id}: the chair's officers may approve it")

    @report_app.command("approve")
    def report_approve(ctx: typer.Context, sitrep_id: Annotated[int, typer.Argument()]) -> None:
        """Approve a submitted sitrep as a joint product: for officers of the member
        chairing now (jic --as OFFICER report approve ID)."""
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            with store.write() as connection:
                report = sitrep_view.approve(connection, user, sitrep_id)
        out.print(f"Approved sitrep {report.id}: {escape(sitrep_view.status_line(report))}")


Since = Annotated[str | None, typer.Option(help="From (ISO 8601), inclusive.")]
Until = Annotated[str | None, typer.Option(help="Until (ISO 8601), exclusive.")]
Story = Annotated[int | None, typer.Option(help="Only this story.")]


def _register_views(app: typer.Typer, store_of: Any, out: Any) -> None:
    @app.command("timeline")
    def timeline_command(
        ctx: typer.Context,
        story: Story = None,
        entity: Annotated[str | None, typer.Option(help="An entity: key, name or alias.")] = None,
        place: Annotated[str | None, typer.Option(help="A place: key, GeoNames id, name.")] = None,
        query: Annotated[str | None, typer.Option(help="A search query.")] = None,
        since: Since = None,
        until: Until = None,
        bucket: Annotated[str, typer.Option(help="hour, day, week or month.")] = "day",
        limit: Annotated[int, typer.Option(min=1, max=10_000, help="Items listed.")] = 500,
    ) -> None:
        """Events, claims and documents over time, as JSON."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                found = timeline(
                    connection,
                    reader,
                    story=story,
                    entity=entity,
                    place=place,
                    query=query,
                    since=_when(since),
                    until=_when(until),
                    bucket=bucket,
                    limit=limit,
                )
        typer.echo(json.dumps(found.record(), ensure_ascii=False))

    @app.command("map")
    def map_command(
        ctx: typer.Context,
        since: Since = None,
        until: Until = None,
        story: Story = None,
        query: Annotated[str | None, typer.Option(help="A search query.")] = None,
        limit: Annotated[int, typer.Option(min=1, max=10_000, help="Places listed.")] = 500,
    ) -> None:
        """Places with their document counts and events, as GeoJSON."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                found = places_geojson(
                    connection,
                    reader,
                    since=_when(since),
                    until=_when(until),
                    story=story,
                    query=query,
                    limit=limit,
                )
        typer.echo(json.dumps(found, ensure_ascii=False))

    @app.command("graph")
    def graph_command(
        ctx: typer.Context,
        story: Story = None,
        entity: Annotated[str | None, typer.Option(help="Around this entity.")] = None,
        since: Since = None,
        until: Until = None,
        limit: Annotated[int, typer.Option(min=1, max=1000, help="Entities shown.")] = 50,
    ) -> None:
        """Entities and the edges between them, with evidence, as JSON."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                found = entity_graph(
                    connection,
                    reader,
                    story=story,
                    entity=entity,
                    since=_when(since),
                    until=_when(until),
                    limit=limit,
                )
        typer.echo(json.dumps(found.record(), ensure_ascii=False))
