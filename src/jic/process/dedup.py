"""Exact and near-duplicate detection: cross-posts and syndicated copies.

    normalise_text(text)        the form both detectors read: NFKC, casefolded, one quote
                                and dash style, no zero-width characters, tidy whitespace
    content_hash(text)          exact duplicates: SHA-256 of the normalised text
    MinHasher                   word-shingle MinHash signatures (``Signature``, serialisable)
    NearDuplicateIndex          MinHash LSH over signatures, with estimated Jaccard and
                                containment per candidate and the verification rule
    Deduplicator                both detectors together: links each copy to the earliest
                                version it copies (by published time, then id)

Why these choices (measured in bench/dedup.py, figures in bench/RESULTS.md):

- Short lines (menus, bylines, "Share this article", headlines) are left out of the
  shingles, so a cross-post with another site's boilerplate or a new headline keeps
  nearly the same shingle set as its original.
- The LSH threshold is low, so a copy truncated to its lead (a small share of the
  original's shingles) is still a candidate; precision comes from the verification
  rule: the later document is a copy of the earlier one when their estimated Jaccard
  is high, *or* when most of the later one's shingles are in the earlier one. The rule
  is one-way on purpose: a later article that quotes an earlier one and adds as much
  again of its own (an update, a follow-up story) is not a copy. Containment is
  estimated from the Jaccard estimate and the two shingle-set sizes that each
  signature carries, so verification needs no text from the database.
- Signatures are datasketch ``LeanMinHash`` values (scheme ``affine32``) over shingle
  hashes computed with NumPy, so signing costs a fraction of per-token ``update()``.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from jic.errors import InputError

DocId = int

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space, joiners, byte-order mark
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)
_SPACES = re.compile(r"[^\S\n]+")
# Han and kana are written without spaces: each character is a token there.
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W_]+")
# Odd 64-bit multipliers that combine consecutive word hashes into a shingle hash.
_MIX = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)
_MAGIC = b"JIC1"
_HEADER = struct.Struct("<4sBHI")  # magic, shingle size, number of permutations, set size


def normalise_text(text: str) -> str:
    """The text as both detectors read it, so trivial edits do not hide a copy.

    Unicode NFKC (full-width letters, ligatures, no-break spaces), one style of quotes
    and dashes, no zero-width characters, casefolded, runs of spaces collapsed, lines
    stripped and empty lines dropped. Line breaks are kept: they separate paragraphs.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text with all whitespace as single spaces.

    Two documents with the same hash are exact duplicates, whatever their spacing,
    line breaks, quote style or case.
    """
    flat = " ".join(normalise_text(text).split())
    return hashlib.sha256(flat.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """How near-duplicates are signed, found and verified (defaults tuned in bench/dedup.py).

    ``shingle_size`` words make a shingle; ``num_perm`` MinHash permutations make a
    signature; lines with fewer than ``min_line_words`` words are left out of the
    shingles (boilerplate, headlines) unless that leaves fewer than ``min_shingles``.
    ``lsh_threshold`` is the Jaccard level the LSH bands are tuned for (a recall knob).
    A later text is a near-duplicate of an earlier one when their estimated Jaccard is
    at least ``min_jaccard``, or when at least ``min_containment`` of the later text's
    shingles are estimated to be in the earlier one and it has at least
    ``min_containment_shingles`` shingles (tiny texts are contained in too much). Texts
    with fewer than
    ``min_shingles`` shingles are only checked for exact duplicates.
    """

    shingle_size: int = 4
    num_perm: int = 128
    seed: int = 1
    min_line_words: int = 10
    lsh_threshold: float = 0.15
    min_jaccard: float = 0.5
    min_containment: float = 0.5
    min_containment_shingles: int = 40
    min_shingles: int = 10

    def __post_init__(self) -> None:
        if not 1 <= self.shingle_size <= len(_MIX):
            raise InputError(
                f"shingle size {self.shingle_size} is out of range",
                hint=f"use 1 to {len(_MIX)} words",
            )
        if self.num_perm < 16 or not 0.0 < self.lsh_threshold < 1.0:
            raise InputError(
                "near-duplicate options out of range",
                hint="use at least 16 permutations and an LSH threshold between 0 and 1",
            )


@dataclass(frozen=True, slots=True)
class Signature:
    """A document's MinHash over its word shingles, and how many distinct shingles it has."""

    minhash: LeanMinHash
    size: int
    shingle_size: int

    def to_bytes(self) -> bytes:
        """A compact, portable form for the database (little-endian, versioned)."""
        header = _HEADER.pack(_MAGIC, self.shingle_size, len(self.minhash), self.size)
        body = bytearray(self.minhash.bytesize(byteorder="<"))
        self.minhash.serialize(body, byteorder="<")
        return header + bytes(body)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Read what :meth:`to_bytes` wrote; raise InputError on anything else."""
        if len(data) < _HEADER.size or data[:4] != _MAGIC:
            raise InputError(
                "not a jic near-duplicate signature",
                hint="recompute signatures with MinHasher.sign",
            )
        _, shingle_size, num_perm, size = _HEADER.unpack_from(data)
        minhash = LeanMinHash.deserialize(data[_HEADER.size :], byteorder="<")
        if len(minhash) != num_perm:
            raise InputError("truncated near-duplicate signature", hint="recompute it")
        return cls(minhash=minhash, size=size, shingle_size=shingle_size)

    def similarity(self, other: Signature) -> tuple[float, float, float]:
        """Estimated Jaccard, share of this set in ``other``, share of ``other`` in this."""
        jaccard = float(self.minhash.jaccard(other.minhash))
        # |A ∩ B| = J / (1 + J) * (|A| + |B|) for sets whose Jaccard is J.
        shared = jaccard / (1.0 + jaccard) * (self.size + other.size)
        return (
            jaccard,
            min(1.0, shared / self.size) if self.size else 0.0,
            min(1.0, shared / other.size) if other.size else 0.0,
        )


class MinHasher:
    """Turns texts into signatures; create once and share (it holds the permutations)."""

    def __init__(self, options: DedupOptions | None = None) -> None:
        self.options = options or DedupOptions()
        template = MinHash(num_perm=self.options.num_perm, seed=self.options.seed)
        self._seed = template.seed
        self._a, self._b = template.permutations
        self._empty = template.hashvalues

    def shingle_hashes(self, text: str) -> np.ndarray:
        """Distinct 32-bit hashes of the text's word shingles (boilerplate lines left out)."""
        words = self._content_words(normalise_text(text))
        if not words:
            return np.zeros(0, dtype=np.uint32)
        hashes = np.fromiter(
            (zlib.crc32(word.encode("utf-8")) for word in words),
            dtype=np.uint64,
            count=len(words),
        )
        k = min(self.options.shingle_size, len(words))
        count = len(words) - k + 1
        combined = np.zeros(count, dtype=np.uint64)
        for offset in range(k):
            combined += hashes[offset : offset + count] * _MIX[offset]
        return np.unique((combined >> np.uint64(32)).astype(np.uint32))

    def _content_words(self, normalised: str) -> list[str]:
        """Words of the lines long enough to be content; all words if too few are left."""
        lines = [_TOKEN.findall(line) for line in normalised.split("\n")]
        content = [w for line in lines if len(line) >= self.options.min_line_words for w in line]
        if len(content) >= self.options.min_shingles + self.options.shingle_size - 1:
            return content
        return [word for line in lines for word in line]

    def sign(self, text: str) -> Signature:
        """The signature of one text (an empty text gets an empty signature of size 0)."""
        shingles = self.shingle_hashes(text)
        if len(shingles):
            # The same arithmetic as datasketch's "affine32" scheme: MurmurHash3's
            # finaliser, then one odd affine map per permutation, wrapping at 2**32.
            mixed = _fmix32(shingles).reshape(-1, 1)
            values = (mixed * self._a + self._b).min(axis=0)
        else:
            values = self._empty
        minhash = LeanMinHash(seed=self._seed, hashvalues=values, scheme="affine32")
        return Signature(
            minhash=minhash, size=len(shingles), shingle_size=self.options.shingle_size
        )

    def sign_many(self, texts: Iterable[str]) -> Iterator[Signature]:
        """Signatures of many texts, in order."""
        return (self.sign(text) for text in texts)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser: spreads structured input hashes evenly."""
    h = values.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


@dataclass(frozen=True, slots=True)
class Candidate:
    """A document the index found for a query, with estimated similarities."""

    doc_id: DocId
    jaccard: float
    contained: float  # share of the query's shingles found in this document
    contains: float  # share of this document's shingles found in the query


@dataclass(slots=True)
class _Entry:
    signature: Signature
    order: tuple[int, float, DocId]


def order_key(doc_id: DocId, published: datetime | None) -> tuple[int, float, DocId]:
    """Sort key for "earliest": by published time (unknown last), then by id."""
    if published is None:
        return (1, 0.0, doc_id)
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (0, published.timestamp(), doc_id)


class NearDuplicateIndex:
    """MinHash LSH over signatures, with verification of each candidate.

    Rebuild it at start-up from stored signatures with :meth:`rebuild`.
    """

    def __init__(self, options: DedupOptions | None = None) -> None:
        self.options = options or DedupOptions()
        self._lsh = MinHashLSH(threshold=self.options.lsh_threshold, num_perm=self.options.num_perm)
        self._entries: dict[DocId, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._entries

    def add(self, doc_id: DocId, signature: Signature, timestamp: datetime | None) -> None:
        """Index a document (re-adding an id replaces its signature)."""
        self._check(signature)
        if doc_id in self._entries:
            self.remove(doc_id)
        self._entries[doc_id] = _Entry(signature, order_key(doc_id, timestamp))
        if signature.size >= self.options.min_shingles:
            self._lsh.insert(doc_id, signature.minhash, check_duplication=False)

    def remove(self, doc_id: DocId) -> None:
        """Forget a document (no error if it is not indexed)."""
        entry = self._entries.pop(doc_id, None)
        if entry is not None and entry.signature.size >= self.options.min_shingles:
            self._lsh.remove(doc_id)

    def signature(self, doc_id: DocId) -> Signature:
        return self._entries[doc_id].signature

    def order(self, doc_id: DocId) -> tuple[int, float, DocId]:
        return self._entries[doc_id].order

    def query(self, signature: Signature) -> list[Candidate]:
        """Every LSH candidate with estimated Jaccard and containment, most similar first."""
        self._check(signature)
        if signature.size < self.options.min_shingles:
            return []
        found = []
        for doc_id in self._lsh.query(signature.minhash):
            other = self._entries[doc_id].signature
            found.append(Candidate(doc_id, *signature.similarity(other)))
        found.sort(key=lambda c: (-c.jaccard, -c.contained, c.doc_id))
        return found

    def is_copy(self, jaccard: float, copy_in_original: float, copy_size: int) -> bool:
        """The verification rule: similar overall, or the copy mostly inside the original."""
        if jaccard >= self.options.min_jaccard:
            return True
        return (
            copy_in_original >= self.options.min_containment
            and copy_size >= self.options.min_containment_shingles
        )

    def _check(self, signature: Signature) -> None:
        if (
            signature.shingle_size != self.options.shingle_size
            or len(signature.minhash) != self.options.num_perm
            or signature.minhash.seed != self.options.seed
        ):
            raise InputError(
                "near-duplicate signature made with other settings "
                f"({signature.shingle_size}-word shingles, {len(signature.minhash)} permutations)",
                hint="recompute stored signatures after changing the dedup options",
            )

    @classmethod
    def rebuild(
        cls,
        rows: Iterable[tuple[DocId, bytes, datetime | None]],
        options: DedupOptions | None = None,
    ) -> NearDuplicateIndex:
        """An index from stored ``(doc_id, signature bytes, published)`` rows."""
        index = cls(options)
        with index._lsh.insertion_session() as session:
            for doc_id, data, published in rows:
                signature = Signature.from_bytes(data)
                index._check(signature)
                index._entries[doc_id] = _Entry(signature, order_key(doc_id, published))
                if signature.size >= index.options.min_shingles:
                    session.insert(doc_id, signature.minhash, check_duplication=False)
        return index


@dataclass(frozen=True, slots=True)
class DuplicateLink:
    """``doc_id`` is a copy of the earlier ``duplicate_of``."""

    doc_id: DocId
    duplicate_of: DocId
    kind: Literal["exact", "near"]
    similarity: float  # estimated Jaccard of the shingle sets (1.0 for exact copies)
    containment: float  # estimated share of the copy's shingles found in the original


@dataclass(slots=True)
class DedupResult:
    """What adding one document decided."""

    content_hash: str
    signature: Signature
    link: DuplicateLink | None  # this document is a copy of an earlier one
    relinked: list[DuplicateLink] = field(default_factory=list)  # later copies now point here


class Deduplicator:
    """Exact and near-duplicate detection over a growing set of documents.

    Each document links to the earliest document it is verified to copy (exact hash,
    or a verified near-duplicate). When a document arrives that is older than copies
    already seen (feeds arrive out of order), those copies are relinked to it and
    listed in :attr:`DedupResult.relinked`, so the caller can update them.
    """

    def __init__(self, options: DedupOptions | None = None) -> None:
        self.options = options or DedupOptions()
        self.hasher = MinHasher(self.options)
        self.index = NearDuplicateIndex(self.options)
        self._by_hash: dict[str, list[DocId]] = {}
        self._links: dict[DocId, DuplicateLink] = {}

    def link_of(self, doc_id: DocId) -> DuplicateLink | None:
        """The current link of a document, if it is a copy."""
        return self._links.get(doc_id)

    def add(self, doc_id: DocId, text: str, published: datetime | None = None) -> DedupResult:
        """Sign, compare and index one document; return its link and any relinks."""
        digest = content_hash(text)
        signature = self.hasher.sign(text)
        return self.add_signed(doc_id, digest, signature, published)

    def add_signed(
        self, doc_id: DocId, digest: str, signature: Signature, published: datetime | None
    ) -> DedupResult:
        """As :meth:`add`, for a document whose hash and signature are already known."""
        self.index.remove(doc_id)  # re-adding (reprocessing) must not match it with itself
        mine = order_key(doc_id, published)
        matches = [m for m in self._matches(digest, signature, mine) if m.other != doc_id]
        self.index.add(doc_id, signature, published)
        same_hash = self._by_hash.setdefault(digest, [])
        if doc_id not in same_hash:
            same_hash.append(doc_id)
        result = DedupResult(content_hash=digest, signature=signature, link=None)
        earlier = [m for m in matches if self.index.order(m.other) < mine]
        if earlier:
            best = min(earlier, key=lambda m: self.index.order(m.other))
            result.link = DuplicateLink(
                doc_id, best.other, best.kind, best.jaccard, best.containment
            )
            self._links[doc_id] = result.link
        for match in matches:
            if self.index.order(match.other) > mine:
                relink = self._relink(match, doc_id)
                if relink is not None:
                    result.relinked.append(relink)
        return result

    def _matches(
        self, digest: str, signature: Signature, mine: tuple[int, float, DocId]
    ) -> list[_Match]:
        """Indexed documents this one copies, or that copy this one (the later is the copy)."""
        matches = {
            other: _Match(other, "exact", 1.0, 1.0) for other in self._by_hash.get(digest, [])
        }
        for found in self.index.query(signature):
            if found.doc_id in matches:
                continue
            if self.index.order(found.doc_id) < mine:
                copy_in_original, copy_size = found.contained, signature.size
            else:
                copy_in_original = found.contains
                copy_size = self.index.signature(found.doc_id).size
            if self.index.is_copy(found.jaccard, copy_in_original, copy_size):
                matches[found.doc_id] = _Match(
                    found.doc_id, "near", found.jaccard, copy_in_original
                )
        return list(matches.values())

    def _relink(self, match: _Match, doc_id: DocId) -> DuplicateLink | None:
        """Point a later document at this one, unless it already points at an earlier one."""
        current = self._links.get(match.other)
        if current is not None and self.index.order(current.duplicate_of) < self.index.order(
            doc_id
        ):
            return None
        link = DuplicateLink(match.other, doc_id, match.kind, match.jaccard, match.containment)
        self._links[match.other] = link
        return link


@dataclass(frozen=True, slots=True)
class _Match:
    """An indexed document that the new one matches, and how."""

    other: DocId
    kind: Literal["exact", "near"]
    jaccard: float
    containment: float
