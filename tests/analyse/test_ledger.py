"""The claims ledger over stored claims: grouping into propositions, independence,
per-reader views and grades, manual grades, track records.

Claims are written as fact rows the way the pipeline writes them (``facts.rewrite``),
from small texts we write, so these tests need no language model.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from jic.analyse import ledger
from jic.analyse.ledger import assign_propositions, proposition, propositions, set_grade
from jic.domain import TLP, DocumentIn, Reliability
from jic.errors import AccessError, InputError, NotFoundError
from jic.settings import Settings
from jic.store import audit, facts, processing
from jic.store import documents as document_repo
from jic.store import members as member_repo
from jic.store import sources as source_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.documents import BatchContext, Offer
from jic.store.schema import audit_log, doc_claims, members, sources
from jic.store.visibility import OPERATOR, Reader

BASE = "Russia is building a naval base in Latakia"
DENIAL = "Russia was building a naval base in Latakia"
START = datetime(2026, 3, 1, 9, tzinfo=UTC)
_counter = itertools.count()


@dataclass
class Said:
    """One claim to write: who, with which stance, what, and what it answers."""

    claimant: str
    stance: str
    content: str
    refers_to: int | None = None
    cue: str = "said"
    entity: str | None = None


@dataclass
class Center:
    """A center with sources and documents carrying claims, built for one test."""

    store: Store
    clock: datetime = START
    mentions: dict[str, str] = field(default_factory=dict)  # word in content -> entity key

    def member(self, name: str) -> int:
        with self.store.write() as connection:
            found = connection.execute(sa.select(members.c.id).where(members.c.name == name))
            if found.first() is None:
                connection.execute(
                    members.insert().values(
                        name=name, founding=False, default_tlp="AMBER", admitted_at=sa.func.now()
                    )
                )
            return member_repo.get_member(connection, name).id

    def source(self, name: str, reliability: str = "F", group: str | None = None) -> int:
        with self.store.write() as connection:
            owner = member_repo.get_member(connection, "local")
            made = source_repo.get_or_create(connection, name, owner=owner, actor=audit.Actor())
            connection.execute(
                sources.update()
                .where(sources.c.id == made.id)
                .values(reliability=reliability, ownership_group=group)
            )
            return made.id

    def _source_id(self, name: str) -> int:
        with self.store.write() as connection:
            owner = member_repo.get_member(connection, "local")
            return source_repo.get_or_create(connection, name, owner=owner, actor=audit.Actor()).id

    def user(self, name: str, member: str = "local", role: str = "analyst") -> user_repo.User:
        self.member(member)
        with self.store.write() as connection:
            owner = member_repo.get_member(connection, member)
            return user_repo.add_user(
                connection, name, member=owner, role=role, actor=audit.Actor()
            )

    def doc(
        self,
        *said: Said,
        source: str | None = None,
        member: str = "local",
        tlp: TLP = TLP.GREEN,
        copy_of: int | None = None,
        hours: float = 1,
    ) -> int:
        """A document whose text is its claims' sentences, published ``hours`` after
        the previous one."""
        self.clock += timedelta(hours=hours)
        sentences = [f"{s.claimant} {s.cue} that {s.content}." for s in said]
        text = " ".join(sentences) + f" (#{next(_counter)})"
        source_id = self._source_id(source) if source else None
        with self.store.write() as connection:
            owner = member_repo.get_member(connection, member)
            item = DocumentIn(
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                location=f"file:///{hashlib.md5(text.encode()).hexdigest()}",
                title=sentences[0][:60] if sentences else "empty",
                tlp=tlp,
                published=self.clock,
            )
            context = BatchContext(owner, audit.Actor(), source_id=source_id)
            (outcome,) = document_repo.store_batch(connection, [Offer("t", item)], context)
            document_id = outcome.document_id
            assert document_id is not None
            claims, mentions = self._claims(text, said)
            fields: dict[str, Any] = {"claims": claims, "duplicate_of": copy_of}
            facts.rewrite(connection, {document_id: fields})
            output = {"entities": [], "entity_mentions": mentions}
            processing.save(connection, [(document_id, "entities", 1, "done", None, output)],
                            worker="test")  # fmt: skip
        return document_id

    def _claims(self, text: str, said: tuple[Said, ...]) -> tuple[list[Any], list[Any]]:
        claims, mentions = [], []
        at = 0
        for s in said:
            sentence = f"{s.claimant} {s.cue} that {s.content}."
            start = text.index(sentence, at)
            content_start = start + len(sentence) - len(s.content) - 1
            cue_start = start + len(s.claimant) + 1
            claims.append(
                {
                    "claimant": {"text": s.claimant, "kind": "organisation", "entity_id": s.entity},
                    "cue": {"text": s.cue, "lemma": s.cue, "start": cue_start},
                    "stance": s.stance,
                    "content": {
                        "text": s.content,
                        "start": content_start,
                        "end": content_start + len(s.content),
                    },
                    "sentence": {"start": start, "end": start + len(sentence)},
                    "refers_to": s.refers_to,
                }
            )
            for word, key in self.mentions.items():
                found = s.content.find(word)
                if found >= 0:
                    begin = content_start + found
                    mentions.append([begin, begin + len(word), key, "GPE"])
            at = start + len(sentence)
        return claims, mentions

    def assign(self) -> int:
        return assign_propositions(self.store)

    def proposition_of(self, document_id: int, position: int = 0) -> int | None:
        with self.store.read() as connection:
            return connection.execute(
                sa.select(doc_claims.c.proposition_id).where(
                    doc_claims.c.document_id == document_id, doc_claims.c.position == position
                )
            ).scalar()

    def views(self, reader: Reader = OPERATOR, **filters: Any) -> list[ledger.PropositionView]:
        with self.store.read() as connection:
            return propositions(connection, reader, **filters)

    def view(self, proposition_id: int, reader: Reader = OPERATOR) -> ledger.PropositionView:
        with self.store.read() as connection:
            return proposition(connection, reader, proposition_id)


@pytest.fixture
def center(store: Store) -> Center:
    places = {"Russia": "GPE:russia", "Latakia": "GPE:latakia", "Tartus": "GPE:tartus"}
    return Center(store, mentions=places)


def reader_of(user: user_repo.User) -> Reader:
    return Reader(user.viewer)


# --- grouping ---------------------------------------------------------------------


def test_an_assertion_and_a_denial_by_others_are_one_proposition(center: Center) -> None:
    asserted = center.doc(Said("Outlet", "assert", BASE), source="Outlet")
    denied = center.doc(Said("The ministry", "deny", DENIAL, cue="denied"), source="Ministry wire")
    other = center.doc(Said("Officials", "assert", "Turkey opened a border crossing near Kilis"))
    assert center.assign() == 3
    pid = center.proposition_of(asserted)
    assert pid is not None and center.proposition_of(denied) == pid
    assert center.proposition_of(other) not in (None, pid)
    view = center.view(pid)
    assert [c.stance for c in view.claims] == ["assert", "deny"]
    assert (view.support, view.deny, view.disputed) == (1, 1, True)
    assert view.text == BASE


def test_denying_this_joins_the_proposition_of_the_claim_it_answers(center: Center) -> None:
    both = center.doc(
        Said("Outlet", "assert", BASE),
        Said("The ministry", "deny", "this", cue="denied", refers_to=0),
    )
    alone = center.doc(Said("A spokesman", "deny", "it", cue="denied"))
    center.assign()
    assert center.proposition_of(both, 1) == center.proposition_of(both, 0)
    # a bare denial answering nothing is left out, with its reason, and never listed
    left = center.proposition_of(alone)
    assert left is not None and left != center.proposition_of(both, 0)
    with center.store.read() as connection:
        from jic.store import ledger as repo

        assert repo.left_out_ids(connection)[left] == ledger.TOO_SHORT
    assert [v.id for v in center.views()] == [center.proposition_of(both, 0)]
    with pytest.raises(NotFoundError):
        center.view(left)


def test_a_proposition_made_after_a_left_out_claim_is_listed(center: Center) -> None:
    center.doc(Said("A spokesman", "deny", "it", cue="denied"))
    real = center.doc(Said("Outlet", "assert", "that " + BASE))
    center.assign()
    pid = center.proposition_of(real)
    assert pid is not None and pid >= 0  # SQLite numbers it 0 after the left-out -1
    assert [(v.id, v.text) for v in center.views()] == [(pid, BASE)]
    assert center.view(pid).text == BASE


def test_negation_in_the_content_is_another_proposition(center: Center) -> None:
    yes = center.doc(Said("Outlet", "assert", BASE))
    no = center.doc(Said("Other", "assert", "Russia is not building a naval base in Latakia"))
    elsewhere = center.doc(Said("Third", "assert", "Russia is building a naval base in Tartus"))
    center.assign()
    assert len({center.proposition_of(yes), center.proposition_of(no),
                center.proposition_of(elsewhere)}) == 3  # fmt: skip


def test_numbers_tell_propositions_apart(center: Center) -> None:
    first = center.doc(Said("Police", "assert", "the blast in Latakia killed 12 people"))
    same = center.doc(
        Said("Medics", "confirm", "the blast in Latakia killed 12 people", cue="confirmed")
    )
    other = center.doc(Said("Activists", "assert", "the blast in Latakia killed 40 people"))
    center.assign()
    assert center.proposition_of(first) == center.proposition_of(same)
    assert center.proposition_of(other) != center.proposition_of(first)


def test_a_new_documents_claim_joins_without_regrouping(center: Center) -> None:
    a = center.doc(Said("Outlet", "assert", BASE), source="Outlet")
    b = center.doc(Said("Officials", "assert", "Turkey opened a border crossing near Kilis"))
    center.assign()
    before = {doc: center.proposition_of(doc) for doc in (a, b)}
    with center.store.read() as connection:
        made = connection.execute(sa.select(sa.func.count()).select_from(ledger.repo.propositions))
        count = made.scalar()
    later = center.doc(Said("A second outlet", "assert", BASE), source="Second", hours=48)
    assert center.assign() == 1  # only the new claim is considered
    assert {doc: center.proposition_of(doc) for doc in (a, b)} == before
    assert center.proposition_of(later) == before[a]
    with center.store.read() as connection:
        made = connection.execute(sa.select(sa.func.count()).select_from(ledger.repo.propositions))
        assert made.scalar() == count
    assert center.assign() == 0


def test_a_held_assigner_loads_once_and_still_sees_others_work(center: Center) -> None:
    held = ledger.PropositionAssigner()
    first = center.doc(Said("Outlet", "assert", BASE))
    assert held.run(center.store) == 1
    # another process assigns a claim meanwhile, starting a proposition of its own
    kilis = "Turkey opened a border crossing near Kilis"
    other = center.doc(Said("Officials", "assert", kilis))
    assert center.assign() == 1
    later = center.doc(Said("Paper", "assert", BASE))
    again = center.doc(Said("Agency", "confirm", kilis, cue="confirmed"))
    assert held.run(center.store) == 2
    assert center.proposition_of(later) == center.proposition_of(first)
    assert center.proposition_of(again) == center.proposition_of(other)


def test_a_held_assigner_loads_again_for_a_claim_older_than_its_index(center: Center) -> None:
    first = center.doc(Said("Outlet", "assert", BASE))
    center.assign()
    held = ledger.PropositionAssigner()
    center.doc(Said("Officials", "assert", "Turkey opened a border crossing near Kilis"),
               hours=24 * 200)  # fmt: skip
    held.run(center.store)  # loads what is live from day 110 on: not the first proposition
    assert center.proposition_of(first) not in held.index.sigs
    center.clock = START + timedelta(days=10)
    archived = center.doc(Said("Archive", "assert", BASE))
    assert held.run(center.store) == 1
    assert center.proposition_of(archived) == center.proposition_of(first)


def test_a_proposition_quiet_for_longer_than_the_window_is_not_joined(center: Center) -> None:
    old = center.doc(Said("Outlet", "assert", BASE))
    center.assign()
    late = center.doc(Said("Outlet", "assert", BASE), hours=24 * 200)
    center.assign()
    assert center.proposition_of(late) != center.proposition_of(old)


# --- independence -----------------------------------------------------------------


def _grade(center: Center, document_id: int, reader: Reader = OPERATOR) -> tuple[int, int, int]:
    pid = center.proposition_of(document_id)
    assert pid is not None
    view = center.view(pid, reader)
    return view.computed.value, view.support, view.deny


def test_a_crosspost_never_raises_a_grade(center: Center) -> None:
    center.source("Wire", "B")
    center.source("Aggregator", "A")
    original = center.doc(Said("Wire", "assert", BASE), source="Wire")
    center.assign()
    assert _grade(center, original) == (2, 1, 0)
    # the same article reposted by a more reliable outlet: still one source, of B
    center.doc(Said("Wire", "assert", BASE), source="Aggregator", copy_of=original)
    center.assign()
    assert _grade(center, original) == (2, 1, 0)
    pid = center.proposition_of(original)
    assert pid is not None
    view = center.view(pid)
    assert view.claims[1].copy_of == original
    assert view.claims[0].group == view.claims[1].group == "Wire + Aggregator"


def test_copies_of_one_hidden_original_count_once(center: Center) -> None:
    center.member("other")
    reader = reader_of(center.user("olga", member="other"))
    center.source("Wire", "B")
    center.source("Blog one", "C")
    center.source("Blog two", "C")
    original = center.doc(Said("Wire", "assert", BASE), source="Wire", tlp=TLP.AMBER_STRICT)
    one = center.doc(Said("Wire", "assert", BASE), source="Blog one", copy_of=original)
    center.doc(Said("Wire", "assert", BASE), source="Blog two", copy_of=original)
    center.assign()
    value, support, _ = _grade(center, one, reader)
    assert support == 1 and value == 3  # one C source: possibly true
    pid = center.proposition_of(one)
    assert pid is not None
    assert all(c.copy_of is None for c in center.view(pid, reader).claims)  # hidden id stays hidden


def test_sources_of_one_ownership_group_count_once(center: Center) -> None:
    center.source("State TV", "C", group="State media")
    center.source("State agency", "A", group="State media")
    center.source("Independent", "B")
    first = center.doc(Said("State TV", "assert", BASE), source="State TV")
    center.assign()
    alone = _grade(center, first)
    center.doc(Said("State agency", "assert", BASE), source="State agency")
    center.assign()
    assert _grade(center, first) == alone == (3, 1, 0)
    center.doc(Said("Independent", "assert", BASE), source="Independent")
    center.assign()
    assert _grade(center, first) == (1, 2, 0)  # C + B, independent: confirmed


def test_one_source_saying_it_twice_counts_once(center: Center) -> None:
    center.source("Wire", "C")
    first = center.doc(Said("Wire", "assert", BASE), source="Wire")
    center.doc(Said("Wire", "assert", BASE), source="Wire")
    center.assign()
    assert _grade(center, first) == (3, 1, 0)


# --- grades through the whole path ------------------------------------------------


_CASES = [  # (support, deny, hedge) -> grade, one proposition each (about another place)
    (["B", "C"], [], [], 1),
    (["B", "C"], ["F"], [], 2),
    (["C"], [], [], 3),
    (["D"], [], [], 4),
    (["C"], ["A", "B"], [], 5),
    ([], [], ["A"], 6),
]


def test_each_grade_from_stored_claims(center: Center) -> None:
    letters = iter(itertools.count())
    docs: list[list[int]] = []
    for case, (support, deny, hedge, _expected) in enumerate(_CASES):
        place = f"Port{case}"
        claim = f"Russia is building a naval base in {place}"
        center.mentions[place] = f"GPE:{place.lower()}"
        made = []
        for stance, cue, group in (("assert", "said", support), ("deny", "denied", deny),
                                   ("hedge", "suggested", hedge)):  # fmt: skip
            for letter in group:
                name = f"source {next(letters)}"
                center.source(name, letter)
                made.append(center.doc(Said(name, stance, claim, cue=cue), source=name))
        docs.append(made)
    center.assign()
    assert len({center.proposition_of(made[0]) for made in docs}) == len(_CASES)
    for made, (_support, _deny, _hedge, expected) in zip(docs, _CASES, strict=True):
        assert len({center.proposition_of(d) for d in made}) == 1
        view = center.view(center.proposition_of(made[0]) or 0)
        assert (view.computed.value, view.computed.label) == (expected, ledger.LABELS[expected])
    second = center.view(center.proposition_of(docs[1][0]) or 0)
    assert second.computed.explanation.startswith(
        "asserted by 2 independent sources of reliability B and C, "
        "denied by 1 source of reliability F"
    )


# --- sharing ----------------------------------------------------------------------


def test_a_hidden_document_never_changes_what_a_viewer_sees(center: Center) -> None:
    center.member("other")
    olga = reader_of(center.user("olga", member="other"))
    center.source("Wire", "B")
    center.source("Secret", "A")
    center.source("Paper", "C")
    shown = center.doc(Said("Wire", "assert", BASE), source="Wire")
    center.assign()
    pid = center.proposition_of(shown)
    assert pid is not None
    before = center.view(pid, olga)
    # a hidden denial by an A source and a hidden confirmation change nothing for olga
    center.doc(Said("Ministry", "deny", DENIAL, cue="denied"), source="Secret",
               tlp=TLP.AMBER_STRICT)  # fmt: skip
    center.doc(Said("Paper", "confirm", BASE, cue="confirmed"), source="Paper", tlp=TLP.RED)
    center.assign()
    after = center.view(pid, olga)
    assert (after.support, after.deny, after.hedge, after.disputed) == (1, 0, 0, False)
    assert after.computed == before.computed
    assert [c.claim_id for c in after.claims] == [c.claim_id for c in before.claims]
    assert [v.id for v in center.views(olga, disputed=True)] == []
    # the owner sees all three
    full = center.view(pid)
    assert (full.support, full.deny, full.disputed) == (2, 1, True)
    assert [v.id for v in center.views(disputed=True)] == [pid]


def test_a_proposition_resting_only_on_hidden_documents_does_not_exist(center: Center) -> None:
    center.member("other")
    olga = reader_of(center.user("olga", member="other"))
    secret = center.doc(Said("Outlet", "assert", BASE), tlp=TLP.AMBER_STRICT)
    center.assign()
    pid = center.proposition_of(secret)
    assert pid is not None
    assert center.views(olga) == []
    with pytest.raises(NotFoundError):
        center.view(pid, olga)


def test_the_text_a_reader_sees_comes_from_a_claim_it_may_see(center: Center) -> None:
    center.member("other")
    olga = reader_of(center.user("olga", member="other"))
    center.doc(Said("Outlet", "assert", BASE + " secretly"), tlp=TLP.AMBER_STRICT)
    shown = center.doc(Said("Paper", "assert", BASE))
    center.assign()
    pid = center.proposition_of(shown)
    assert pid is not None and center.view(pid).text == BASE + " secretly"
    assert center.view(pid, olga).text == BASE


# --- listing filters ----------------------------------------------------------------


def test_filters_by_time_dispute_documents_and_entity(center: Center) -> None:
    center.mentions["Daesh"] = "ORG:islamic-state"
    a = center.doc(Said("Outlet", "assert", BASE))
    center.doc(Said("Ministry", "deny", DENIAL, cue="denied"))
    b = center.doc(Said("Police", "assert", "Daesh fighters attacked a checkpoint near Raqqa"),
                   hours=24)  # fmt: skip
    with center.store.write() as connection:
        facts.rewrite(connection, {b: {"entities": [{"id": "ORG:islamic-state", "name":
            "Islamic State", "type": "ORG", "aliases": ["Daesh", "IS"], "mentions": 1}],
            "claims": _stored_claims(connection, b)}})  # fmt: skip
    center.assign()
    pa, pb = center.proposition_of(a), center.proposition_of(b)
    assert [v.id for v in center.views()] == [pb, pa]
    assert [v.id for v in center.views(disputed=True)] == [pa]
    assert [v.id for v in center.views(disputed=False)] == [pb]
    assert [v.id for v in center.views(since=START + timedelta(hours=10))] == [pb]
    assert [v.id for v in center.views(until=START + timedelta(hours=10))] == [pa]
    assert [v.id for v in center.views(document_ids=[a])] == [pa]
    assert [v.id for v in center.views(entity="IS")] == [pb]
    assert center.views(entity="nobody we know") == []
    assert [v.id for v in center.views(limit=1, offset=1)] == [pa]


def _stored_claims(connection: sa.Connection, document_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(sa.select(doc_claims).where(doc_claims.c.document_id == document_id))
    return [
        {
            "claimant": {"text": r.claimant, "kind": r.claimant_kind},
            "cue": {"text": r.cue, "lemma": r.cue_lemma},
            "stance": r.stance,
            "content": {"text": r.content, "start": r.content_start, "end": r.content_end},
            "sentence": {"start": r.sentence_start, "end": r.sentence_end},
        }
        for r in rows
    ]


# --- manual grades ----------------------------------------------------------------


def test_only_officers_grade_by_hand_and_it_is_audited(center: Center) -> None:
    analyst = center.user("ana")
    officer = center.user("otto", role="officer")
    first = center.doc(Said("Outlet", "assert", BASE))
    center.assign()
    pid = center.proposition_of(first)
    assert pid is not None
    with pytest.raises(AccessError), center.store.write() as connection:
        set_grade(connection, analyst, pid, 1, "seen it myself")
    with pytest.raises(InputError), center.store.write() as connection:
        set_grade(connection, officer, pid, 7, None)
    with center.store.write() as connection:
        set_grade(connection, officer, pid, 2, "imagery shows works at the port")
    view = center.view(pid)
    assert view.manual is not None and view.manual.value == 2
    assert (view.manual.set_by, view.manual.member) == ("otto", "local")
    assert view.grade.value == 2 and view.computed.value == 3  # computed stays beside it
    with center.store.read() as connection:
        rows = connection.execute(
            sa.select(audit_log).where(audit_log.c.action == "proposition.grade")
        ).all()
        assert len(rows) == 1 and rows[0].actor_user == "otto"
        assert rows[0].detail == {"grade": 2, "note": "imagery shows works at the port",
                                  "computed": 3}  # fmt: skip
        assert audit.verify(connection).ok
    with center.store.write() as connection:
        set_grade(connection, officer, pid, None, "withdrawn")
    assert center.view(pid).manual is None and center.view(pid).grade.value == 3


def test_an_officer_cannot_grade_what_it_cannot_see(center: Center) -> None:
    center.member("other")
    outsider = center.user("oscar", member="other", role="officer")
    secret = center.doc(Said("Outlet", "assert", BASE), tlp=TLP.AMBER_STRICT)
    center.assign()
    pid = center.proposition_of(secret)
    assert pid is not None
    with pytest.raises(NotFoundError), center.store.write() as connection:
        set_grade(connection, outsider, pid, 1, None)


# --- track record -----------------------------------------------------------------


def test_track_record_suggests_but_never_applies(center: Center) -> None:
    center.source("Early", "F")
    center.source("Later", "B")
    center.source("Liar", "F")
    topics = ["Latakia", "Tartus", "Homs", "Hama"]
    for place in topics:
        center.doc(Said("Early", "assert", f"troops entered {place} overnight"), source="Early")
        center.doc(Said("Later", "confirm", f"troops entered {place} overnight",
                        cue="confirmed"), source="Later")  # fmt: skip
    for place in topics:
        center.doc(Said("Liar", "assert", f"rebels shot down a jet over {place}"),
                   source="Liar")  # fmt: skip
        center.doc(Said("Later", "deny", f"rebels shot down a jet over {place}",
                        cue="denied"), source="Later")  # fmt: skip
    center.assign()
    with center.store.read() as connection:
        records = {r.source: r for r in ledger.track_records(connection, OPERATOR)}
    assert (records["Early"].confirmed, records["Early"].denied) == (4, 0)
    assert records["Early"].suggested == "B" and records["Early"].reliability == "F"
    assert (records["Liar"].confirmed, records["Liar"].denied) == (0, 4)
    assert records["Liar"].suggested == "E"
    assert records["Later"].suggested == "F"  # it always spoke last: no record yet
    with center.store.read() as connection:
        assert source_repo.find(connection, "Early").reliability is Reliability.F  # type: ignore[union-attr]


def test_track_record_counts_only_what_the_reader_sees(center: Center) -> None:
    center.member("other")
    olga = reader_of(center.user("olga", member="other"))
    center.source("Early", "F")
    for place in ["Latakia", "Tartus", "Homs"]:
        center.doc(Said("Early", "assert", f"troops entered {place} overnight"), source="Early")
        center.doc(Said("Later", "confirm", f"troops entered {place} overnight",
                        cue="confirmed"), tlp=TLP.AMBER_STRICT)  # fmt: skip
    center.assign()
    with center.store.read() as connection:
        mine = {r.source: r for r in ledger.track_records(connection, OPERATOR)}
        hers = {r.source: r for r in ledger.track_records(connection, olga)}
    assert mine["Early"].confirmed == 3 and hers["Early"].confirmed == 0
    assert set(hers) == {"Early"}


def test_signature_reads_entities_numbers_and_negation() -> None:
    text = "Daesh did not kill 1,200 people in Mosul"
    mentions = [(0, 5, "ORG:islamic-state", "ORG"), (35, 40, "GPE:mosul", "GPE")]
    found = ledger.signature(text, 0, mentions)
    assert found["neg"] is True
    assert set(found["keys"]) == {"E:ORG:islamic-state", "E:GPE:mosul", "N:1200"}
    assert "peopl" in found["terms"] and "kill" in found["terms"]
    assert ledger.signature("they were building bases")["terms"] == ["bas", "build"]


# --- through the real pipeline ------------------------------------------------------


@pytest.mark.slow
def test_an_assertion_and_a_ministrys_denial_through_the_pipeline(
    store: Store, stage_settings: Settings
) -> None:
    from jic.analyse.story_run import assign_stories
    from jic.process.pipeline import Pipeline, ProcessOptions

    center = Center(store)
    center.source("Ministry wire", "B")
    center.source("Local paper", "C")
    texts = {
        "Local paper": "Local residents told reporters that Russia is building a naval base in "
        "Latakia. The Kremlin denied this.",
        "Ministry wire": "The Russian defence ministry on Tuesday denied that Russia was building "
        "a naval base in Latakia.",
        None: "Turkish officials said on Wednesday that the border crossing at Kilis would "
        "reopen next week.",
    }
    for source, text in texts.items():
        source_id = center._source_id(source) if source else None
        with store.write() as connection:
            owner = member_repo.get_member(connection, "local")
            item = DocumentIn(text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                              location=f"file:///{hash(text)}", source=source)  # fmt: skip
            context = BatchContext(owner, audit.Actor(), source_id=source_id)
            document_repo.store_batch(connection, [Offer("t", item)], context)
    Pipeline(store, stage_settings).run(ProcessOptions())
    assign_stories(store)
    assert assign_propositions(store) >= 4
    views = {v.text: v for v in center.views()}
    base = views["Russia is building a naval base in Latakia"]
    assert sorted(c.stance for c in base.claims) == ["assert", "deny", "deny"]
    assert (base.support, base.deny, base.disputed) == (1, 2, True)
    assert base.computed.explanation.startswith(
        "asserted by 1 source of reliability C, denied by 2 independent sources of "
        "reliability B and C"
    )
    assert base.computed.value == 5  # 0.5 for, 0.75 + 0.5 against
    assert "the border crossing at Kilis would reopen next week" in views
