"""Situation reports over really processed documents: content and citations per reader,
the approval rules at the chair's handover, and the three renderings.

The world is the one of test_views.py (alpha's GREEN documents, beta's AMBER+STRICT
one that alpha's users may not see), with the claims ledger's propositions assigned.
Monthly terms from 2026-01-01: alpha chairs November 2026, beta from 1 December.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from tests.analyse.test_views import World, build_world
from tests.conftest import make_backend

from jic.analyse import ledger
from jic.analyse import sitrep as sitrep_view
from jic.domain import TLP
from jic.errors import AccessError, NotFoundError
from jic.settings import Settings
from jic.store.schema import audit_log
from jic.store.visibility import OPERATOR, Reader

pytestmark = pytest.mark.slow  # the world is processed by the real pipeline

SINCE = datetime(2026, 11, 1, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)
HANDOVER = datetime(2026, 12, 1, tzinfo=UTC)  # alpha's term ends, beta's begins


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    stage_settings: Settings,
) -> Iterator[World]:
    for backend in make_backend(request.param, tmp_path_factory.mktemp("sitrep")):
        built = build_world(backend.settings, stage_settings)
        ledger.assign_propositions(built.store)
        yield built
        built.store.close()


def _build(world: World, reader: Reader, place: str | None = None) -> sitrep_view.Sitrep:
    with world.store.read() as connection:
        return sitrep_view.build(connection, reader, since=SINCE, until=UNTIL, place=place)


def _section(report: sitrep_view.Sitrep, title: str) -> sitrep_view.Section:
    return next(s for s in report.sections if s.title == title)


def test_every_line_cites_documents_and_every_citation_is_listed(world: World) -> None:
    report = _build(world, OPERATOR)
    titles = [s.title for s in report.sections]
    assert titles == [
        "Main stories",
        "New propositions",
        "Disputed propositions",
        "Events by type and place",
        "Sources",
    ]
    cited = {c.id for c in report.citations}
    assert cited == set(world.ids.values())
    for section in report.sections:
        for line in section.lines:
            assert line.documents and set(line.documents) <= cited, line
    stories = _section(report, "Main stories").lines
    quake = next(line for line in stories if world.ids["quake"] in line.documents)
    assert set(quake.documents) == {world.ids["quake"], world.ids["copy"]}
    assert "1 of them copies" in quake.text
    assert _section(report, "New propositions").lines
    disputed = _section(report, "Disputed propositions").lines
    assert any("Mosul" in line.text and "deny" in line.text for line in disputed)
    assert "Events by type and place" in titles and _section(report, "Events by type and place")
    markdown = sitrep_view.render_markdown(report)
    for citation in report.citations:
        assert f"#{citation.id} “{citation.title}”" in markdown


def test_the_tlp_is_the_most_restrictive_of_the_documents_cited(world: World) -> None:
    assert _build(world, OPERATOR).tlp is TLP.AMBER_STRICT  # it cites beta's document
    assert _build(world, world.ann).tlp is TLP.GREEN
    assert _build(world, OPERATOR, place="no such place").tlp is TLP.CLEAR  # cites nothing


def test_a_hidden_document_never_shows_in_or_changes_a_sitrep(world: World) -> None:
    everything = _build(world, OPERATOR)
    ann = _build(world, world.ann)
    assert world.hidden not in {c.id for c in ann.citations}
    for section in ann.sections:
        for line in section.lines:
            assert world.hidden not in line.documents
            assert "Mogadishu" not in line.text and "Secret" not in line.text
    for rendering in (sitrep_view.render_markdown(ann), sitrep_view.render_html(ann)):
        assert "Secret" not in rendering and "Mogadishu" not in rendering
    gaza_all = next(
        line
        for line in _section(everything, "Main stories").lines
        if world.ids["gaza"] in line.documents
    )
    gaza_ann = next(
        line for line in _section(ann, "Main stories").lines if world.ids["gaza"] in line.documents
    )
    assert "2 document(s)" in gaza_all.text and "1 document(s)" in gaza_ann.text
    strikes = [
        line for line in _section(ann, "Events by type and place").lines if "Gaza" in line.text
    ]
    assert strikes and all("1 event(s)" in line.text for line in strikes)
    assert _build(world, world.ann, place="Mogadishu").citations == []
    at_mogadishu = _build(world, OPERATOR, place="Mogadishu")
    for title in ("Main stories", "Events by type and place"):
        lines = _section(at_mogadishu, title).lines
        assert lines and {d for line in lines for d in line.documents} == {world.hidden}


def test_a_saved_sitrep_is_read_only_by_those_who_may_see_all_it_cites(world: World) -> None:
    with world.store.write() as connection:
        secret = sitrep_view.save(connection, _build(world, OPERATOR), user=None, member="alpha")
        shared = sitrep_view.save(connection, _build(world, world.ann), user=world.users["ann"])
    with world.store.read() as connection:
        for reader in (world.ann, Reader(world.users["olga"].viewer)):
            listed = {r.id for r in sitrep_view.list_sitreps(connection, reader)}
            assert shared.id in listed and secret.id not in listed
            with pytest.raises(NotFoundError):
                sitrep_view.get(connection, reader, secret.id or 0)
        assert sitrep_view.get(connection, world.bert, secret.id or 0).tlp is TLP.AMBER_STRICT
        assert sitrep_view.get(connection, world.ann, shared.id or 0).member == "alpha"
    assert secret.created_by == sitrep_view.OPERATOR_NAME and shared.created_by == "ann"


def test_approval_is_for_the_officers_of_the_member_chairing_at_that_instant(
    world: World,
) -> None:
    users = world.users
    with world.store.write() as connection:
        report = sitrep_view.save(connection, _build(world, world.ann), user=users["ann"])
        assert report.id is not None
        with pytest.raises(sitrep_view.SitrepStateError):
            sitrep_view.approve(connection, users["olga"], report.id, at=SINCE)  # a draft
        with pytest.raises(sitrep_view.SitrepAccessError):
            sitrep_view.submit(connection, users["bea"], report.id)  # not of alpha
        sitrep_view.submit(connection, users["ann"], report.id, at=SINCE)
        just_before = HANDOVER - timedelta(seconds=1)
        refusals = [
            (users["bert"], just_before),  # beta does not chair yet
            (users["olga"], HANDOVER),  # alpha chairs no more
            (users["bea"], HANDOVER),  # beta chairs, but bea is an analyst
            (None, HANDOVER),  # the local operator is nobody's officer
        ]
        for user, at in refusals:
            with pytest.raises(AccessError):
                sitrep_view.approve(connection, user, report.id, at=at)
        approved = sitrep_view.approve(connection, users["bert"], report.id, at=HANDOVER)
        with pytest.raises(sitrep_view.SitrepStateError):
            sitrep_view.approve(connection, users["bert"], report.id, at=HANDOVER)
    assert approved.joint and approved.status == "approved"
    assert (approved.approved_by, approved.approved_member) == ("bert", "beta")
    assert approved.approved_at == HANDOVER
    with world.store.read() as connection:
        actions = [
            (row.action, row.actor_user, row.detail)
            for row in connection.execute(
                sa.select(audit_log).where(
                    audit_log.c.object_type == "sitrep", audit_log.c.object_id == str(report.id)
                )
            )
        ]
    assert [(a, u) for a, u, _ in actions] == [
        ("sitrep.create", "ann"),
        ("sitrep.submit", "ann"),
        ("sitrep.approve", "bert"),
    ]
    assert actions[-1][2]["chair"] == "beta"


def test_a_chair_officer_who_may_not_read_it_all_cannot_approve_it(world: World) -> None:
    with world.store.write() as connection:
        report = sitrep_view.save(connection, _build(world, OPERATOR), user=None, member="beta")
        assert report.id is not None
        sitrep_view.submit(connection, None, report.id)
        with pytest.raises(NotFoundError):  # alpha chairs in November; olga may not see it
            sitrep_view.approve(connection, world.users["olga"], report.id, at=SINCE)


def test_three_renderings_mark_a_joint_product_and_only_then(world: World) -> None:
    draft = _build(world, world.ann)
    joint = sitrep_view.Sitrep(
        **{
            **{f: getattr(draft, f) for f in draft.__dataclass_fields__},
            "status": "approved",
            "approved_by": "bert",
            "approved_member": "beta",
            "approved_at": HANDOVER,
        }
    )
    for report, marked in ((draft, False), (joint, True)):
        markdown = sitrep_view.render_markdown(report)
        html = sitrep_view.render_html(report)
        pdf = sitrep_view.render_pdf(report)
        assert ("JOINT PRODUCT" in markdown) is marked
        assert ("JOINT PRODUCT" in html) is marked
        assert (b"JOINT PRODUCT" in pdf) is marked
        assert markdown.startswith("**TLP:GREEN**") and "TLP:GREEN" in html
        assert pdf.startswith(b"%PDF") and b"TLP:GREEN" in pdf
        assert "<link" not in html and "<script" not in html and "src=" not in html
        assert "“Strikes in Gaza”" in markdown
    with pytest.raises(sitrep_view.SitrepFontError):
        sitrep_view.render_pdf(draft, font="/no/such/font.ttf")
