"""Situation reports: a period's picture, every line citing the documents it rests on.

``build`` gathers, for one reader, a period (and optionally a place): the main
stories, the new and the disputed propositions with their grades, the events by
type and place, and the sources; every line carries the ids of the documents it rests
on, and the report keeps a citation (title, source, reliability, TLP) for each. Only
documents the reader may see are read, so a report never rests on a hidden one.

The TLP of a report is the most restrictive TLP among the documents it cites (a
report is as sensitive as the most sensitive thing it repeats); CLEAR if it cites
none. A saved report is readable only by those who may see every document it cites
(store/sitreps.py).

A saved report is a ``draft``; a user of its member (or the local operator) submits
it; an officer of the member chairing at that instant approves it
(``center.actions.require_chair``), which makes it a joint product of the center and
marks it so in every rendering. Each step is audited.

Renderings: Markdown, self-contained HTML (no external assets) and PDF (fpdf2, with
a Unicode TrueType font found on the machine or given by path).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from jic.center.actions import note_handovers, require_chair
from jic.domain import TLP
from jic.errors import AccessError, InputError
from jic.store import audit
from jic.store import members as member_repo
from jic.store import sitreps as repo
from jic.store import views as view_repo
from jic.store.times import iso
from jic.store.users import User
from jic.store.visibility import OPERATOR, Reader

STORIES = 8  # main stories listed
PROPOSITIONS = 15  # new and disputed propositions listed, each
OPERATOR_NAME = "local operator"


class SitrepStateError(InputError):
    """A sitrep was asked to move in a way its status does not allow."""

    code = "JIC-E251"
    http_status = 409


class SitrepAccessError(AccessError):
    """Someone may not move this sitrep on (not of its member; cannot read it all)."""

    code = "JIC-E620"


@dataclass(slots=True)
class Line:
    text: str
    documents: list[int]

    def record(self) -> dict[str, Any]:
        return {"text": self.text, "documents": self.documents}


@dataclass(slots=True)
class Section:
    title: str
    lines: list[Line]
    empty: str = "Nothing in this period."

    def record(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "lines": [line.record() for line in self.lines],
            "empty": self.empty,
        }


@dataclass(slots=True)
class Citation:
    id: int
    title: str
    source: str | None
    reliability: str | None
    tlp: str
    at: datetime | None
    url: str | None
    member: str | None

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "reliability": self.reliability,
            "tlp": self.tlp,
            "at": iso(self.at) if self.at else None,
            "url": self.url,
            "member": self.member,
        }


@dataclass(slots=True)
class Sitrep:
    title: str
    since: datetime
    until: datetime
    place: str | None
    tlp: TLP
    sections: list[Section]
    citations: list[Citation]
    status: str = "draft"
    id: int | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    member: str | None = None
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    approved_member: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def joint(self) -> bool:
        """Approved by the chair: a joint product of the center."""
        return self.status == "approved"

    @property
    def documents(self) -> list[int]:
        return [c.id for c in self.citations]

    def body(self) -> dict[str, Any]:
        return {
            "sections": [s.record() for s in self.sections],
            "citations": [c.record() for c in self.citations],
            "documents": self.documents,
            "notes": self.notes,
        }

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "since": iso(self.since),
            "until": iso(self.until),
            "place": self.place,
            "tlp": self.tlp.value,
            "status": self.status,
            "joint_product": self.joint,
            "created_at": iso(self.created_at) if self.created_at else None,
            "created_by": self.created_by,
            "member": self.member,
            "submitted_at": iso(self.submitted_at) if self.submitted_at else None,
            "approved_at": iso(self.approved_at) if self.approved_at else None,
            "approved_by": self.approved_by,
            "approved_member": self.approved_member,
            **self.body(),
        }


def most_restrictive(levels: list[str]) -> TLP:
    """The most restrictive of these TLP levels; CLEAR for none."""
    return max((TLP(level) for level in levels), key=lambda t: t.rank, default=TLP.CLEAR)


# Building ---------------------------------------------------------------------


def build(
    connection: Connection,
    reader: Reader,
    *,
    since: datetime,
    until: datetime | None = None,
    place: str | None = None,
    title: str | None = None,
) -> Sitrep:
    """The situation report for ``[since, until)`` (and ``place``) from what ``reader``
    may see; not saved."""
    until = until or datetime.now(UTC)
    view_repo.check_period(since, until)
    scope = view_repo.Scope(place=place)
    where = view_repo.clauses(connection, reader, scope)
    sections = [
        _stories(connection, where, since, until),
        *_propositions(connection, reader, where, since, until, place),
        _events(connection, reader, since, until, place),
    ]
    cited = sorted({d for s in sections for line in s.lines for d in line.documents})
    citations = [_citation(row) for row in view_repo.cited_documents(connection, reader, cited)]
    sections.append(_sources(citations))
    name = title or _title(since, until, place)
    return Sitrep(
        title=name,
        since=since,
        until=until,
        place=place,
        tlp=most_restrictive([c.tlp for c in citations]),
        sections=sections,
        citations=citations,
    )


def _title(since: datetime, until: datetime, place: str | None) -> str:
    where = f" — {place}" if place else ""
    return f"Situation report {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} UTC{where}"


def _citation(row: dict[str, Any]) -> Citation:
    return Citation(
        id=row["id"],
        title=row["title"] or f"document {row['id']}",
        source=row["source"],
        reliability=row["reliability"] if row["source"] else None,
        tlp=row["tlp"],
        at=row["at"],
        url=row["url"],
        member=row["member"],
    )


def _stories(connection: Connection, where: list[Any], since: datetime, until: datetime) -> Section:
    lines = []
    for story in view_repo.period_stories(connection, where, since, until, STORIES):
        docs = story["documents"]
        copies = sum(1 for d in docs if d["copy"])
        first, last = docs[0]["at"], docs[-1]["at"]
        title = next((d["title"] for d in docs if d["title"]), f"story {story['story']}")
        span = f"{first:%d %b %H:%M}" if first == last else f"{first:%d %b} to {last:%d %b}"
        extra = f", {copies} of them copies" if copies else ""
        lines.append(
            Line(
                f"{title} (story {story['story']}): {len(docs)} document(s){extra}, {span}",
                [d["id"] for d in docs],
            )
        )
    return Section("Main stories", lines)


def _propositions(
    connection: Connection,
    reader: Reader,
    where: list[Any],
    since: datetime,
    until: datetime,
    place: str | None,
) -> list[Section]:
    """Propositions first seen in the period, and those disputed with a claim in it,
    each with its grade (an officer's, beside the computed one) and why."""
    from jic.analyse import ledger

    ids = None
    if place:  # only claims in documents that mention the place
        ids = view_repo.scoped_document_ids(connection, where, since, until)
    found = (
        []
        if ids == []
        else ledger.propositions(
            connection, reader, since=since, until=until, document_ids=ids, limit=200
        )
    )
    disputed = (
        []
        if ids == []
        else ledger.propositions(
            connection,
            reader,
            since=since,
            until=until,
            disputed=True,
            document_ids=ids,
            limit=PROPOSITIONS,
        )
    )
    new = [p for p in found if since <= p.first_seen < until][:PROPOSITIONS]
    return [
        Section("New propositions", [_proposition_line(p) for p in new]),
        Section("Disputed propositions", [_proposition_line(p) for p in disputed]),
    ]


def _proposition_line(view: Any) -> Line:
    grade = view.grade
    computed = ""
    if view.manual is not None:
        computed = f" (computed: {view.computed.value}, {view.computed.label})"
    sides = f"{view.support} independent source(s) assert, {view.deny} deny"
    if view.hedge:
        sides += f", {view.hedge} hedge"
    return Line(
        f"“{view.text}”: grade {grade.value} ({grade.label}){computed}; {sides}. "
        f"{grade.explanation}",
        sorted({claim.document_id for claim in view.claims}),
    )


def _events(
    connection: Connection,
    reader: Reader,
    since: datetime,
    until: datetime,
    place: str | None,
) -> Section:
    where = view_repo.clauses(connection, reader, view_repo.Scope())
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in view_repo.period_events(connection, where, since, until, place):
        grouped[(row["type"], row["place_name"] or "")].append(row)
    ordered = sorted(grouped.items(), key=lambda item: (-len(item[1]), item[0]))
    lines = []
    for (kind, where_name), rows in ordered:
        triggers = sorted({r["trigger"].lower() for r in rows})[:4]
        at = f" at {where_name}" if where_name else " (no place given)"
        quoted = ", ".join(f"“{t}”" for t in triggers)
        lines.append(
            Line(
                f"{kind}{at}: {len(rows)} event(s) ({quoted})",
                sorted({r["document_id"] for r in rows}),
            )
        )
    return Section("Events by type and place", lines)


def _sources(citations: list[Citation]) -> Section:
    by_source: dict[str, list[Citation]] = defaultdict(list)
    for citation in citations:
        name = citation.source or f"submitted by {citation.member}"
        by_source[name].append(citation)
    lines = []
    for name, cited in sorted(by_source.items(), key=lambda item: (-len(item[1]), item[0])):
        reliability = cited[0].reliability
        rated = f" (reliability {reliability})" if reliability else ""
        lines.append(Line(f"{name}{rated}: {len(cited)} document(s)", [c.id for c in cited]))
    return Section("Sources", lines, empty="No documents cited.")


# Saving and moving on -----------------------------------------------------------


def _from_row(row: repo.SitrepRow) -> Sitrep:
    body = row.body
    return Sitrep(
        id=row.id,
        title=row.title,
        since=row.since,
        until=row.until,
        place=row.place,
        tlp=TLP(row.tlp),
        sections=[
            Section(
                s["title"],
                [Line(line["text"], list(line["documents"])) for line in s["lines"]],
                s.get("empty", "Nothing in this period."),
            )
            for s in body.get("sections", [])
        ],
        citations=[
            Citation(
                id=c["id"],
                title=c["title"],
                source=c.get("source"),
                reliability=c.get("reliability"),
                tlp=c["tlp"],
                at=datetime.fromisoformat(c["at"]) if c.get("at") else None,
                url=c.get("url"),
                member=c.get("member"),
            )
            for c in body.get("citations", [])
        ],
        status=row.status,
        created_at=row.created_at,
        created_by=row.created_by,
        member=row.member,
        submitted_at=row.submitted_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
        approved_member=row.approved_member,
        notes=list(body.get("notes", [])),
    )


def _reader_of(user: User | None) -> Reader:
    return OPERATOR if user is None else Reader(user.viewer)


def save(
    connection: Connection,
    report: Sitrep,
    *,
    user: User | None,
    member: str | None = None,
    at: datetime | None = None,
) -> Sitrep:
    """Store ``report`` as a draft of ``user``'s member (the local operator names the
    ``member`` it acts for); audited. Returns the stored report."""
    owner = member_repo.get_member(connection, user.member if user else (member or ""))
    when = (at or datetime.now(UTC)).replace(microsecond=0)
    sitrep_id = repo.insert(
        connection,
        {
            "title": report.title,
            "since": report.since,
            "until": report.until,
            "place": report.place,
            "body": report.body(),
            "tlp": report.tlp.value,
            "status": "draft",
            "created_at": when,
            "created_by": user.name if user else OPERATOR_NAME,
            "member_id": owner.id,
        },
    )
    audit.append(
        connection,
        audit.Actor.of(user),
        "sitrep.create",
        object_type="sitrep",
        object_id=sitrep_id,
        detail={"title": report.title, "tlp": report.tlp.value, "documents": report.documents},
    )
    return get(connection, _reader_of(user), sitrep_id)


def get(connection: Connection, reader: Reader, sitrep_id: int) -> Sitrep:
    """A saved report ``reader`` may read (NotFoundError otherwise)."""
    return _from_row(repo.get(connection, reader, sitrep_id))


def list_sitreps(
    connection: Connection, reader: Reader, *, status: str | None = None, limit: int = 100
) -> list[Sitrep]:
    """Saved reports ``reader`` may read, newest first."""
    if status is not None and status not in repo.STATUSES:
        raise view_repo.ViewInputError(
            f"unknown status {status!r}", f"use one of {', '.join(repo.STATUSES)}"
        )
    return [
        _from_row(row) for row in repo.list_rows(connection, reader, status=status, limit=limit)
    ]


def submit(
    connection: Connection, user: User | None, sitrep_id: int, *, at: datetime | None = None
) -> Sitrep:
    """Submit a draft for the chair's approval: a user of its member, or the operator."""
    row = repo.get(connection, _reader_of(user), sitrep_id)
    if user is not None and user.member_id != row.member_id:
        raise SitrepAccessError(
            f"sitrep {sitrep_id} belongs to {row.member}; {user.name} is of {user.member}",
            f"ask a user of {row.member} to submit it",
        )
    if row.status != "draft":
        raise SitrepStateError(
            f"sitrep {sitrep_id} is {row.status}; only a draft can be submitted",
            "see `jic report list`",
        )
    when = (at or datetime.now(UTC)).replace(microsecond=0)
    repo.update(connection, sitrep_id, {"status": "submitted", "submitted_at": when})
    audit.append(
        connection, audit.Actor.of(user), "sitrep.submit", object_type="sitrep", object_id=sitrep_id
    )
    return get(connection, _reader_of(user), sitrep_id)


def approve(
    connection: Connection, user: User | None, sitrep_id: int, *, at: datetime | None = None
) -> Sitrep:
    """Approve a submitted report as a joint product: a chair action, for an officer of
    the member chairing at ``at`` (now), who may read everything it cites; audited."""
    when = (at or datetime.now(UTC)).replace(microsecond=0)
    rotation = member_repo.rotation(connection)
    note_handovers(connection, rotation, when)
    chair = require_chair(rotation, user, when, "approving a sitrep as a joint product")
    assert user is not None  # require_chair refuses the local operator
    # An approver must be able to read all it approves; one who may not is told the
    # report is not found, as any reader would be.
    row = repo.get(connection, _reader_of(user), sitrep_id)
    if row.status != "submitted":
        raise SitrepStateError(
            f"sitrep {sitrep_id} is {row.status}; only a submitted sitrep can be approved",
            f"submit it first: jic report submit {sitrep_id}"
            if row.status == "draft"
            else "it is approved already",
        )
    repo.update(
        connection,
        sitrep_id,
        {
            "status": "approved",
            "approved_at": when,
            "approved_by": user.name,
            "approved_member_id": user.member_id,
        },
    )
    audit.append(
        connection,
        audit.Actor.of(user),
        "sitrep.approve",
        object_type="sitrep",
        object_id=sitrep_id,
        detail={"chair": chair, "at": iso(when), "tlp": row.tlp},
    )
    return get(connection, _reader_of(user), sitrep_id)


# Rendering ----------------------------------------------------------------------

JOINT_MARK = "JOINT PRODUCT"
_TLP_COLOURS = {  # TLP 2.0 colours: text on a black label
    TLP.CLEAR: "#FFFFFF",
    TLP.GREEN: "#33FF00",
    TLP.AMBER: "#FFC000",
    TLP.AMBER_STRICT: "#FFC000",
    TLP.RED: "#FF2B2B",
}
FONT_PATHS = (  # a Unicode TrueType font, where common systems keep one
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


class SitrepFontError(InputError):
    """No Unicode TrueType font for the PDF rendering."""

    code = "JIC-E252"


def status_line(report: Sitrep) -> str:
    """What a reader must know first: is this a joint product?"""
    if report.joint:
        when = f"{report.approved_at:%Y-%m-%d %H:%M} UTC" if report.approved_at else ""
        return (
            f"{JOINT_MARK} of the center: approved by {report.approved_by} "
            f"({report.approved_member}, chairing) on {when}"
        )
    if report.status == "submitted":
        return "Submitted: awaiting the chair's approval; not a joint product yet"
    return "Draft: not a joint product"


def _meta_line(report: Sitrep) -> str:
    parts = [
        f"Period: {report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} UTC",
    ]
    if report.place:
        parts.append(f"Place: {report.place}")
    if report.id is not None:
        parts.append(f"Report {report.id}")
    if report.created_by:
        parts.append(f"by {report.created_by} ({report.member})")
    return " · ".join(parts)


def _cites(line: Line, titles: dict[int, str]) -> str:
    return "; ".join(f"#{d} “{_short(titles.get(d, ''))}”" for d in line.documents)


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_markdown(report: Sitrep) -> str:
    """The report as Markdown; every line ends with the documents it cites."""
    titles = {c.id: c.title for c in report.citations}
    out = [
        f"**TLP:{report.tlp.value}**",
        "",
        f"# {_md(report.title)}",
        "",
        f"> **{_md(status_line(report))}**",
        "",
        _md(_meta_line(report)),
        "",
    ]
    for section in report.sections:
        out += [f"## {_md(section.title)}", ""]
        if not section.lines:
            out.append(f"_{_md(section.empty)}_")
        for line in section.lines:
            out.append(f"- {_md(line.text)} — cites {_md(_cites(line, titles))}")
        out.append("")
    out += ["## Documents cited", ""]
    out += ["| # | title | source | reliability | TLP | time |", "|---|---|---|---|---|---|"]
    for c in report.citations:
        when = f"{c.at:%Y-%m-%d %H:%M}" if c.at else ""
        source = c.source or f"submitted by {c.member}"
        cells = [str(c.id), _short(c.title, 90), source, c.reliability or "", c.tlp, when]
        out.append("| " + " | ".join(_md(cell).replace("|", "\\|") for cell in cells) + " |")
    out += ["", f"**TLP:{report.tlp.value}** · {_md(status_line(report))}", ""]
    return "\n".join(out)


def _md(text: str) -> str:
    """Text with Markdown's active characters escaped."""
    for char in "\\`*_[]<>":
        text = text.replace(char, "\\" + char)
    return text


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#111}
.tlp{display:inline-block;background:#000;font-weight:bold;padding:.15rem .5rem;
font-family:monospace}
.status{border:2px solid #555;padding:.5rem .75rem;margin:1rem 0;font-weight:bold}
.status.joint{border-color:#0a5;background:#eafff2}
.meta{color:#444}.cites{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25rem .4rem;
text-align:left;vertical-align:top}
"""


def render_html(report: Sitrep) -> str:
    """The report as one self-contained HTML page (inline style, no external assets)."""
    from html import escape

    titles = {c.id: c.title for c in report.citations}
    colour = _TLP_COLOURS[report.tlp]
    label = f'<span class="tlp" style="color:{colour}">TLP:{escape(report.tlp.value)}</span>'
    joint = " joint" if report.joint else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title>",
        f'<meta name="tlp" content="{escape(report.tlp.value)}">',
        f"<style>{_CSS}</style></head><body>",
        f"<header>{label}</header>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="status{joint}">{escape(status_line(report))}</p>',
        f'<p class="meta">{escape(_meta_line(report))}</p>',
    ]
    for section in report.sections:
        parts.append(f"<h2>{escape(section.title)}</h2>")
        if not section.lines:
            parts.append(f"<p><em>{escape(section.empty)}</em></p>")
            continue
        parts.append("<ul>")
        for line in section.lines:
            cites = ", ".join(
                f'<a href="#doc-{d}">#{d}</a> “{escape(_short(titles.get(d, "")))}”'
                for d in line.documents
            )
            parts.append(f'<li>{escape(line.text)} <span class="cites">— cites {cites}</span></li>')
        parts.append("</ul>")
    parts.append("<h2>Documents cited</h2><table><thead><tr>")
    parts.append("<th>#</th><th>title</th><th>source</th><th>reliability</th>")
    parts.append("<th>TLP</th><th>time</th></tr></thead><tbody>")
    for c in report.citations:
        when = f"{c.at:%Y-%m-%d %H:%M}" if c.at else ""
        source = c.source or f"submitted by {c.member}"
        parts.append(
            f'<tr id="doc-{c.id}"><td>{c.id}</td><td>{escape(c.title)}</td>'
            f"<td>{escape(source)}</td><td>{escape(c.reliability or '')}</td>"
            f"<td>{escape(c.tlp)}</td><td>{when}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(f"<footer><p>{label} · {escape(status_line(report))}</p></footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def find_font(font: str | None = None) -> str:
    """A Unicode TrueType font for the PDF: ``font`` if given, else a common one."""
    from pathlib import Path

    candidates = [font] if font else list(FONT_PATHS)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    where = font or ", ".join(FONT_PATHS[:3])
    raise SitrepFontError(
        f"no Unicode TrueType font for the PDF at {where}",
        "install one (Debian: apt-get install fonts-dejavu-core) or give its path "
        "with --font FILE.ttf",
    )


def render_pdf(report: Sitrep, *, font: str | None = None) -> bytes:
    """The report as a PDF; the TLP and the joint-product status head every page and
    are in the document's metadata (subject and keywords)."""
    from fpdf import FPDF

    regular = find_font(font)
    bold = regular.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
    titles = {c.id: c.title for c in report.citations}
    banner = f"TLP:{report.tlp.value} · {status_line(report)}"

    class _Pdf(FPDF):
        def header(self) -> None:
            self.set_font("body", "B", 8)
            self.multi_cell(0, 4, banner, new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("body", "", 8)
            self.cell(0, 5, f"TLP:{report.tlp.value} · page {self.page_no()}", align="C")

    pdf = _Pdf(format="A4")
    pdf.add_font("body", "", regular)
    pdf.add_font("body", "B", bold if bold != regular and _exists(bold) else regular)
    pdf.set_title(report.title)
    pdf.set_subject(status_line(report))
    pdf.set_keywords(f"TLP:{report.tlp.value} {report.status}")
    pdf.set_creator("jic")
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    _pdf_text(pdf, report.title, 15, bold=True)
    _pdf_text(pdf, status_line(report), 10, bold=True)
    _pdf_text(pdf, _meta_line(report), 9)
    for section in report.sections:
        pdf.ln(2)
        _pdf_text(pdf, section.title, 12, bold=True)
        if not section.lines:
            _pdf_text(pdf, section.empty, 9)
        for line in section.lines:
            _pdf_text(pdf, f"• {line.text}", 10)
            _pdf_text(pdf, f"   cites {_cites(line, titles)}", 8)
    pdf.ln(2)
    _pdf_text(pdf, "Documents cited", 12, bold=True)
    for c in report.citations:
        when = f"{c.at:%Y-%m-%d %H:%M}" if c.at else ""
        source = c.source or f"submitted by {c.member}"
        rated = f", reliability {c.reliability}" if c.reliability else ""
        _pdf_text(pdf, f"#{c.id} {c.title} — {source}{rated}, TLP:{c.tlp}, {when}", 8)
    return bytes(pdf.output())


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).is_file()


def _pdf_text(pdf: Any, text: str, size: int, *, bold: bool = False) -> None:
    pdf.set_font("body", "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")


RENDERERS = {"md": render_markdown, "html": render_html}
