"""API tokens, password hashes, and keeping both out of logs.

* Tokens look like ``jic_`` + 54 URL-safe characters (40 random bytes, 320 bits). The
  plaintext is shown once; the store keeps :func:`hash_token` (SHA-256 hex, enough for
  a value this random: there is nothing to brute-force) and the short public
  ``prefix`` (``jic_`` + 8 characters) that ``jic tokens list`` shows to tell tokens
  apart. The secret part left after the prefix still carries 272 bits.
* Passwords are hashed with scrypt, salted, the cost parameters written into the hash
  string (``$scrypt$ln=15,r=8,p=1$<salt>$<key>``, base64 without padding) so they can
  be raised later without breaking old hashes (:func:`needs_rehash`). Passwords are
  NFC-normalised first, so the same password typed on different systems matches.
* :func:`redact` masks anything token-like, bearer credentials, password hashes and
  ``password=...``-style pairs in text bound for logs, errors or exports.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from jic.errors import InputError, StoreError

TOKEN_PREFIX = "jic_"
TOKEN_BYTES = 40
TOKEN_BODY_LENGTH = 54  # len(base64url(40 bytes)) without padding
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
SALT_BYTES = 16
KEY_BYTES = 32
REDACTED = "[REDACTED]"


class PasswordError(InputError):
    """A password that cannot be hashed (empty)."""

    code = "JIC-E263"


class PasswordHashError(StoreError):
    """A stored password hash that jic cannot read or refuses to compute."""

    code = "JIC-E460"


@dataclass(frozen=True, slots=True)
class ScryptCost:
    """scrypt parameters: 2**log_n iterations, block size r, parallelism p."""

    log_n: int = 15
    r: int = 8
    p: int = 1

    def memory(self) -> int:
        """Bytes scrypt needs with these parameters (128 * n * r, plus slack)."""
        return int(128 * (2**self.log_n) * self.r * (self.p + 1))


DEFAULT_COST = ScryptCost()
# A stored hash may name its own cost; these caps stop a planted hash from asking for
# gigabytes of memory or minutes of CPU at login.
MAX_COST = ScryptCost(log_n=20, r=16, p=4)


@dataclass(frozen=True, slots=True)
class NewToken:
    """A freshly made token: show ``plaintext`` once, store ``hash`` and ``prefix``."""

    plaintext: str
    hash: str
    prefix: str

    def __iter__(self) -> Iterator[str]:
        # Lets callers write `plaintext, token_hash, prefix = new_token()`.
        return iter((self.plaintext, self.hash, self.prefix))

    def __repr__(self) -> str:
        # A token must never reach a log through a stray repr().
        return f"NewToken(prefix={self.prefix!r}, hash={self.hash!r})"


def new_token() -> NewToken:
    """A new random API token, its hash for the store, and its public prefix."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    return NewToken(plaintext, hash_token(plaintext), token_prefix(plaintext))


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token: what the store keeps and looks tokens up by."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def token_prefix(token: str) -> str:
    """The public part of a token shown in listings (``jic_`` + 8 characters)."""
    return token.strip()[:PREFIX_LENGTH]


def looks_like_token(text: str) -> bool:
    """Whether ``text`` has the shape of a jic token (a cheap check before a lookup)."""
    return _TOKEN_EXACT.fullmatch(text.strip()) is not None


def token_matches(token: str, stored_hash: str) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash.lower())


def hash_password(password: str, cost: ScryptCost = DEFAULT_COST) -> str:
    """A salted scrypt hash of ``password`` with its parameters, for the users table."""
    if not password:
        raise PasswordError("a password cannot be empty", "choose a longer password")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, cost)
    return f"$scrypt$ln={cost.log_n},r={cost.r},p={cost.p}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password`."""
    cost, salt, key = _parse_hash(stored)
    if not password:
        return False
    return hmac.compare_digest(_scrypt(password, salt, cost, len(key)), key)


def needs_rehash(stored: str, cost: ScryptCost = DEFAULT_COST) -> bool:
    """Whether a stored hash was made with other parameters than ``cost`` (rehash at login)."""
    return _parse_hash(stored)[0] != cost


_HASH = re.compile(
    r"\$scrypt\$ln=(?P<ln>\d{1,2}),r=(?P<r>\d{1,2}),p=(?P<p>\d{1,2})"
    r"\$(?P<salt>[A-Za-z0-9_-]{16,})\$(?P<key>[A-Za-z0-9_-]{22,})"
)


def _parse_hash(stored: str) -> tuple[ScryptCost, bytes, bytes]:
    match = _HASH.fullmatch(stored.strip())
    if match is None:
        raise PasswordHashError(
            "a stored password hash is not in jic's scrypt format",
            "set the user's password again (jic users set-password)",
        )
    cost = ScryptCost(int(match["ln"]), int(match["r"]), int(match["p"]))
    too_costly = cost.log_n > MAX_COST.log_n or cost.r > MAX_COST.r or cost.p > MAX_COST.p
    if too_costly or min(cost.log_n, cost.r, cost.p) < 1:
        raise PasswordHashError(
            f"a stored password hash asks for scrypt parameters out of range ({cost})",
            "set the user's password again",
        )
    return cost, _unb64(match["salt"]), _unb64(match["key"])


def _scrypt(password: str, salt: bytes, cost: ScryptCost, length: int = KEY_BYTES) -> bytes:
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    return hashlib.scrypt(
        secret,
        salt=salt,
        n=2**cost.log_n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.memory() + 1024 * 1024,
        dklen=length,
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_TOKEN_EXACT = re.compile(re.escape(TOKEN_PREFIX) + rf"[A-Za-z0-9_-]{{{TOKEN_BODY_LENGTH}}}")
# Masks keep the public prefix (it is shown in `jic tokens list` anyway) so a leaked
# token can still be identified and revoked. A fragment counts from 24 characters
# after `jic_`: long enough to spare identifiers such as `jic_home`, short enough to
# catch a token cut in half.
_TOKEN_ANY = re.compile(r"(" + re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{8})[A-Za-z0-9_-]{16,}")
# Credentials after "Bearer" (an Authorization header echoed into a log); 20+
# characters so that prose such as "the bearer instrument" stays readable.
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)(?!" + TOKEN_PREFIX + r")[A-Za-z0-9._~+/=_-]{20,}")
_SCRYPT = re.compile(r"\$scrypt\$[^\s\"';]+")
_PAIR = re.compile(
    r"(?i)(\b[\w-]*(?:password|passwd|pwd|secret|token)[\w-]*\b\"?\s*[:=]\s*)"
    r"(\"[^\"]*\"|'[^']*'|[^\s,;&\"'}]+)"
)


def redact(text: str) -> str:
    """``text`` with tokens, credentials and password hashes masked, for logs and errors."""
    text = _SCRYPT.sub("$scrypt$" + REDACTED, text)
    text = _TOKEN_ANY.sub(lambda m: m.group(1) + "…" + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    return _PAIR.sub(lambda m: m.group(1) + _masked_value(m.group(2)), text)


def _masked_value(value: str) -> str:
    if REDACTED in value:
        return value
    quote = value[0] if value[:1] in "\"'" else ""
    return f"{quote}{REDACTED}{quote}"
