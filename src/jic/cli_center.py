"""The joint center on the command line: members, users, tokens, the chair.

Registered on the main `jic` app by ``jic.cli``. Chair actions (admitting a member)
need ``--as`` an officer of the member chairing at that instant; user and token
administration needs the local operator or ``--as`` an officer of that member.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from jic.center.actions import change_tlp, note_handovers, require_chair
from jic.center.rotation import NoChairError, Term
from jic.domain import TLP
from jic.errors import AccessError, NotFoundError
from jic.gather.files import parse_when
from jic.settings import Settings
from jic.store import audit
from jic.store import members as member_repo
from jic.store import users as user_repo
from jic.store.database import Store


@dataclass(slots=True)
class State:
    """What the root command parsed, for every subcommand: the settings and --as.

    It lives here, not in cli.py, so that `python -m jic.cli` (where cli.py runs as
    __main__) and the `jic` script find the same class."""

    settings: Settings
    as_user: str | None = None


def acting_user(ctx: typer.Context, store: Store) -> user_repo.User | None:
    """The --as user (checked: exists, enabled), or None for the local operator."""
    state = ctx.find_object(State)
    assert state is not None
    if state.as_user is None:
        return None
    with store.read() as connection:
        user = user_repo.get_user(connection, state.as_user)
    if user.disabled:
        raise AccessError(f"the user {user.name!r} is disabled", "ask an officer of its member")
    return user


def _officer_of(user: user_repo.User | None, member: str) -> None:
    """The operator, or an officer of ``member``, may administer its users and tokens."""
    if user is not None and not (user.role == "officer" and user.member == member):
        raise AccessError(
            f"{user.name} is not an officer of {member}",
            "ask an officer of that member, or run this as the local operator",
        )


def _administer(
    ctx: typer.Context, store: Store, name: str
) -> tuple[user_repo.User | None, user_repo.User]:
    """The acting user and the user ``name``, once it is checked that the actor may
    administer that user (the operator, or an officer of the same member)."""
    acting = acting_user(ctx, store)
    with store.read() as connection:
        target = user_repo.get_user(connection, name)
    _officer_of(acting, target.member)
    return acting, target


def register(app: typer.Typer, group: type, store_of: Any, out: Any) -> None:
    """Add the members, users, tokens and chair commands to ``app``."""
    members_app = typer.Typer(cls=group, help="Members of the center.", no_args_is_help=True)
    users_app = typer.Typer(cls=group, help="Users of members.", no_args_is_help=True)
    tokens_app = typer.Typer(cls=group, help="API tokens.", no_args_is_help=True)
    app.add_typer(members_app, name="members")
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")

    @members_app.command("list")
    def members_list(ctx: typer.Context) -> None:
        """Members in rotation order, then the others."""
        with store_of(ctx) as store, store.read() as connection:
            found = member_repo.list_members(connection)
        table = Table("member", "founding", "rotation", "default TLP")
        for m in found:
            position = "-" if m.rotation_position is None else str(m.rotation_position + 1)
            table.add_row(escape(m.name), "yes" if m.founding else "no", position, m.default_tlp)
        out.print(table)

    @members_app.command("show")
    def members_show(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
        """One member and its users."""
        with store_of(ctx) as store, store.read() as connection:
            member = member_repo.get_member(connection, name)
            people = user_repo.list_users(connection, member.id)
        out.print_json(
            json.dumps(
                {
                    "name": member.name,
                    "founding": member.founding,
                    "in_rotation": member.rotation_position is not None,
                    "default_tlp": member.default_tlp.value,
                    "users": [
                        {"name": u.name, "role": u.role, "disabled": u.disabled} for u in people
                    ],
                }
            )
        )

    @members_app.command("add")
    def members_add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument()],
        in_rotation: Annotated[
            bool, typer.Option("--in-rotation", help="Join the chair rotation (founders decide).")
        ] = False,
    ) -> None:
        """Admit a member: a chair action, for officers of the member now chairing."""
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            with store.write() as connection:
                rotation = member_repo.rotation(connection)
                at = datetime.now(UTC)
                note_handovers(connection, rotation, at)
                require_chair(rotation, user, at, "admitting a member")
                member = member_repo.add_member(
                    connection, name, in_rotation=in_rotation, actor=audit.Actor.of(user)
                )
        out.print(f"Admitted {escape(member.name)}" + (" into the rotation" if in_rotation else ""))

    @users_app.command("add")
    def users_add(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument()],
        member: Annotated[str, typer.Option(help="The member the user belongs to.")],
        role: Annotated[str, typer.Option(help="analyst, officer or admin.")] = "analyst",
    ) -> None:
        """Add a user to a member."""
        with store_of(ctx) as store:
            acting = acting_user(ctx, store)
            _officer_of(acting, member)
            with store.write() as connection:
                owner = member_repo.get_member(connection, member)
                user = user_repo.add_user(
                    connection, name, member=owner, role=role, actor=audit.Actor.of(acting)
                )
        out.print(f"Added {escape(user.name)} ({user.role}) to {escape(user.member)}")

    @users_app.command("password")
    def users_password(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument()],
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input.")
        ] = False,
    ) -> None:
        """Set a user's password for the web UI (asked twice, or read from stdin)."""
        import sys

        with store_of(ctx) as store:
            acting, target = _administer(ctx, store, name)
            if password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
            with store.write() as connection:
                user_repo.set_password(
                    connection, target.name, password, actor=audit.Actor.of(acting)
                )
        out.print(f"Set the password of {escape(name)}")

    @users_app.command("list")
    def users_list(ctx: typer.Context) -> None:
        """Every user with member, role and state."""
        with store_of(ctx) as store, store.read() as connection:
            people = user_repo.list_users(connection)
        table = Table("user", "member", "role", "state")
        for u in people:
            table.add_row(
                escape(u.name), escape(u.member), u.role, "disabled" if u.disabled else "active"
            )
        out.print(table)

    @users_app.command("disable")
    def users_disable(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
        """Disable a user: its tokens stop working at once."""
        with store_of(ctx) as store:
            acting, _target = _administer(ctx, store, name)
            with store.write() as connection:
                user_repo.disable_user(connection, name, actor=audit.Actor.of(acting))
        out.print(f"Disabled {escape(name)}")

    @tokens_app.command("create")
    def tokens_create(
        ctx: typer.Context,
        user: Annotated[str, typer.Option(help="The user the token acts for.")],
        name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
        expires: Annotated[str | None, typer.Option(help="Expiry (ISO 8601).")] = None,
    ) -> None:
        """Create a token; it is shown once and stored only as a hash."""
        with store_of(ctx) as store:
            acting, owner = _administer(ctx, store, user)
            with store.write() as connection:
                plaintext, _info = user_repo.create_token(
                    connection,
                    owner,
                    name=name,
                    expires_at=parse_when(expires) if expires else None,
                    actor=audit.Actor.of(acting),
                )
        out.print(f"Token for {escape(owner.name)} (shown once, keep it safe):")
        out.print(plaintext, highlight=False, soft_wrap=True)

    @tokens_app.command("list")
    def tokens_list(ctx: typer.Context) -> None:
        """Tokens by prefix, with user, expiry and state (never the token itself)."""
        with store_of(ctx) as store, store.read() as connection:
            found = user_repo.list_tokens(connection)
        table = Table("prefix", "user", "name", "expires", "state", "last used")
        for t in found:
            state = "revoked" if t.revoked_at else "active"
            table.add_row(
                t.prefix,
                escape(t.user),
                escape(t.name),
                t.expires_at.date().isoformat() if t.expires_at else "never",
                state,
                t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never",
            )
        out.print(table)

    @tokens_app.command("revoke")
    def tokens_revoke(ctx: typer.Context, prefix: Annotated[str, typer.Argument()]) -> None:
        """Revoke a token by its prefix (from `jic tokens list`)."""
        with store_of(ctx) as store:
            acting = acting_user(ctx, store)
            with store.read() as connection:
                owner = next(
                    (t.user for t in user_repo.list_tokens(connection) if t.prefix == prefix), None
                )
                if owner is None:
                    raise NotFoundError(
                        f"no token with the prefix {prefix!r}", "see `jic tokens list`"
                    )
                member = user_repo.get_user(connection, owner).member
            _officer_of(acting, member)
            with store.write() as connection:
                user_repo.revoke_token(connection, prefix, actor=audit.Actor.of(acting))
        out.print(f"Revoked {escape(prefix)}")

    @app.command()
    def chair(
        ctx: typer.Context,
        at: Annotated[str | None, typer.Option(help="Ask for this instant (ISO 8601).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Who chairs now (or --at a date), the next handover and the next four terms."""
        when = parse_when(at) if at else datetime.now(UTC).replace(microsecond=0)
        with store_of(ctx) as store, store.write() as connection:
            rotation = member_repo.rotation(connection)
            note_handovers(connection, rotation, datetime.now(UTC))
        current: Term[str] | None
        try:
            current = rotation.term_at(when)
        except NoChairError:
            current = None
        upcoming = rotation.upcoming(when, 4)
        record = {
            "at": when.isoformat(),
            "chair": current.chair if current else None,
            "term_start": current.start.isoformat() if current else None,
            "term_end": current.end.isoformat() if current else None,
            "next": [
                {"chair": t.chair, "start": t.start.isoformat(), "end": t.end.isoformat()}
                for t in upcoming
            ],
        }
        if as_json:
            out.print_json(json.dumps(record))
            return
        if current is None:
            first = upcoming[0].start.isoformat()
            out.print(f"Nobody chairs at {when.isoformat()}: the first term starts {first}")
        else:
            until = current.end.isoformat()
            out.print(f"[bold]{escape(current.chair)}[/] chairs until {until} (the next handover)")
        table = Table("chair", "from", "until", title="next terms", title_justify="left")
        for t in upcoming:
            table.add_row(escape(t.chair), t.start.date().isoformat(), t.end.date().isoformat())
        out.print(table)


def register_sharing(app: typer.Typer, store_of: Any, out: Any) -> None:
    """`jic share DOC --tlp LEVEL`: raise or lower how a document is shared."""

    @app.command()
    def share(
        ctx: typer.Context,
        document: Annotated[int, typer.Argument(help="Document id.")],
        tlp: Annotated[str, typer.Option(help="The new TLP level.")],
    ) -> None:
        """Change a document's TLP (with --as USER); audited.

        Raising the restriction is for the owner member's users, lowering it for the
        owner member's officers."""
        from jic.store.visibility import policy_item

        try:
            level = TLP.parse(tlp)
        except ValueError as error:
            raise AccessError(str(error), "pass a TLP 2.0 level") from None
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            if user is None:
                raise AccessError(
                    "changing how a document is shared needs a user",
                    "run it as a user of the owner member: jic --as USER share ...",
                )
            with store.write() as connection:
                item = policy_item(connection, document)
                change_tlp(connection, user, document, level, item)
        out.print(f"Document {document} is now TLP:{level.value}")


def register_watchlist(app: typer.Typer, group: type, store_of: Any, out: Any) -> None:
    """`jic watchlist list|add|remove`: what the center follows together."""
    from jic.center.actions import unwatch, watch, watched

    watch_app = typer.Typer(cls=group, help="The center's shared watchlist.", no_args_is_help=True)
    app.add_typer(watch_app, name="watchlist")

    @watch_app.command("list")
    def watch_list(ctx: typer.Context) -> None:
        """Everything on the watchlist."""
        with store_of(ctx) as store, store.read() as connection:
            found = watched(connection)
        table = Table("kind", "value", "note", "added by")
        for row in found:
            table.add_row(
                *(escape(str(row[k] or "")) for k in ("kind", "value", "note", "added_by"))
            )
        out.print(table)

    @watch_app.command("add")
    def watch_add(
        ctx: typer.Context,
        value: Annotated[str, typer.Argument()],
        kind: Annotated[str, typer.Option(help="query, entity or place.")] = "query",
        note: Annotated[str | None, typer.Option(help="Why the center follows it.")] = None,
    ) -> None:
        """Add to the watchlist: a chair action."""
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            if user is None:
                raise AccessError("changing the watchlist is a chair action", "use --as USER")
            with store.write() as connection:
                watch(connection, user, kind, value, note, datetime.now(UTC))
        out.print(f"Watching {kind} {escape(value)}")

    @watch_app.command("remove")
    def watch_remove(
        ctx: typer.Context,
        value: Annotated[str, typer.Argument()],
        kind: Annotated[str, typer.Option(help="query, entity or place.")] = "query",
    ) -> None:
        """Remove from the watchlist: a chair action."""
        with store_of(ctx) as store:
            user = acting_user(ctx, store)
            if user is None:
                raise AccessError("changing the watchlist is a chair action", "use --as USER")
            with store.write() as connection:
                unwatch(connection, user, kind, value, datetime.now(UTC))
        out.print(f"No longer watching {kind} {escape(value)}")
