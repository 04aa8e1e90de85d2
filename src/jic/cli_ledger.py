"""The claims ledger on the command line: propositions, their grades, sources' records.

Registered on the main `jic` app by ``jic.cli``::

    jic claims list [--disputed|--undisputed] [--since D] [--until D] [--entity NAME] [--json]
    jic claims show ID [--json]
    jic claims grade ID GRADE [--note TEXT]     GRADE 1..6, or "none" to clear; --as an officer
    jic claims assign                           group new claims now (jic process does it too)
    jic sources track-record [--json]           suggested reliability beside the members' grade

Reads are for the ``--as`` user under the sharing policy, or the local operator.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from jic.analyse import ledger
from jic.cli_center import State, acting_user
from jic.errors import AccessError, InputError
from jic.gather.files import parse_when
from jic.store.database import Store
from jic.store.visibility import OPERATOR, Reader


def _reader(ctx: typer.Context, store: Store) -> Reader:
    user = acting_user(ctx, store)
    if user is None:
        return OPERATOR
    state = ctx.find_object(State)
    assert state is not None
    return Reader(user.viewer, publish_clear=state.settings.publish_clear)


def _grade_cell(view: ledger.PropositionView) -> str:
    grade = view.grade
    marker = "*" if view.manual is not None else ""
    return f"{grade.value}{marker} {grade.label}"


def _sub_app(app: typer.Typer, group: type, name: str, help_text: str) -> typer.Typer:
    """The sub-command group ``name`` of ``app``, made if it is not there yet."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    made = typer.Typer(cls=group, help=help_text, no_args_is_help=True)
    app.add_typer(made, name=name)
    return made


def _parse_grade(value: str) -> int | None:
    if value.strip().lower() in ("none", "clear", "-"):
        return None
    if not value.strip().isdigit():
        raise InputError(f"cannot read {value!r} as a grade", "give 1 to 6, or none to clear")
    return int(value)


def register(app: typer.Typer, group: type, store_of: Any, out: Any) -> None:
    """Add `jic claims ...` and `jic sources track-record|group` to ``app``."""
    claims_app = _sub_app(app, group, "claims", "The claims ledger: propositions and grades.")
    sources_app = _sub_app(app, group, "sources", "The sources the center gathers from.")

    @claims_app.command("list")
    def claims_list(
        ctx: typer.Context,
        disputed: Annotated[
            bool | None,
            typer.Option("--disputed/--undisputed", help="Only those both asserted and denied."),
        ] = None,
        since: Annotated[str | None, typer.Option(help="With a claim from (ISO 8601).")] = None,
        until: Annotated[str | None, typer.Option(help="With a claim before (ISO 8601).")] = None,
        entity: Annotated[
            str | None, typer.Option(help="About this entity (name or alias).")
        ] = None,
        limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
        offset: Annotated[int, typer.Option(min=0)] = 0,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    ) -> None:
        """Propositions, newest claim first, with their grades (* set by an officer)."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                views = ledger.propositions(
                    connection,
                    reader,
                    since=parse_when(since) if since else None,
                    until=parse_when(until) if until else None,
                    disputed=disputed,
                    entity=entity,
                    limit=limit,
                    offset=offset,
                )
        if as_json:
            for view in views:
                typer.echo(json.dumps(view.record()))
            return
        table = Table("id", "grade", "for", "against", "last seen", "proposition")
        for view in views:
            table.add_row(
                str(view.id),
                _grade_cell(view),
                str(view.support),
                str(view.deny),
                view.last_seen.date().isoformat(),
                escape(view.text[:100]),
            )
        out.print(table)

    @claims_app.command("show")
    def claims_show(
        ctx: typer.Context,
        proposition_id: Annotated[int, typer.Argument(metavar="ID")],
        as_json: Annotated[bool, typer.Option("--json", help="As one JSON object.")] = False,
    ) -> None:
        """One proposition: who asserts, confirms, denies or hedges it, when, and its grade."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                view = ledger.proposition(connection, reader, proposition_id)
        if as_json:
            typer.echo(json.dumps(view.record()))
            return
        out.print(f"[bold]#{view.id}[/] {escape(view.text)}")
        out.print(f"grade {view.computed.value} ({view.computed.label}), computed: "
                  f"{escape(view.computed.explanation)}")  # fmt: skip
        if view.manual is not None:
            note = f": {view.manual.note}" if view.manual.note else ""
            out.print(
                f"grade {view.manual.value} ({ledger.LABELS[view.manual.value]}), set by "
                f"{escape(view.manual.set_by)} ({escape(view.manual.member)}) on "
                f"{view.manual.set_at.date().isoformat()}{escape(note)}"
            )
        table = Table("when", "stance", "claimant", "source", "rel.", "counts as", "document")
        for claim in view.claims:
            when = claim.published.date().isoformat() if claim.published else "-"
            document = str(claim.document_id)
            if claim.copy_of is not None:
                document += f" (copy of {claim.copy_of})"
            table.add_row(
                when,
                claim.stance,
                escape(claim.claimant or "-"),
                escape(claim.source),
                claim.reliability,
                escape(claim.group),
                document,
            )
        out.print(table)

    @claims_app.command("grade")
    def claims_grade(
        ctx: typer.Context,
        proposition_id: Annotated[int, typer.Argument(metavar="ID")],
        grade: Annotated[str, typer.Argument(metavar="GRADE", help="1 to 6, or none to clear.")],
        note: Annotated[str | None, typer.Option(help="Why (shown to all who see it).")] = None,
    ) -> None:
        """Grade a proposition by hand: for officers (--as). The computed grade stays beside it."""
        value = _parse_grade(grade)
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            if user is None:
                raise AccessError(
                    "grading by hand is for officers", "act as an officer: jic --as USER ..."
                )
            with store.write() as connection:
                ledger.set_grade(connection, user, proposition_id, value, note)
        shown = "cleared" if value is None else f"{value} ({ledger.LABELS[value]})"
        out.print(f"Proposition {proposition_id}: grade {shown}")

    @claims_app.command("assign")
    def claims_assign(ctx: typer.Context) -> None:
        """Group claims that have no proposition yet (jic process does this after stories)."""
        with store_of(ctx) as store:
            done = ledger.assign_propositions(store)
        out.print(f"{done} claim(s) assigned to propositions")

    @sources_app.command("track-record")
    def sources_track_record(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    ) -> None:
        """How often each source's claims were later confirmed or denied by independent
        sources, and the reliability that suggests (never applied: members decide)."""
        with store_of(ctx) as store:
            reader = _reader(ctx, store)
            with store.read() as connection:
                records = ledger.track_records(connection, reader)
        if as_json:
            for record in records:
                typer.echo(json.dumps(record.record()))
            return
        table = Table("source", "members' grade", "suggested", "confirmed", "denied", "why")
        for r in records:
            table.add_row(
                escape(r.source),
                r.reliability,
                r.suggested,
                str(r.confirmed),
                str(r.denied),
                escape(r.explanation),
            )
        out.print(table)
