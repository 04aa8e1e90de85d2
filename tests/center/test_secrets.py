"""API tokens, password hashes, and redaction of both from text bound for logs."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jic.center.secrets import (
    DEFAULT_COST,
    REDACTED,
    PasswordError,
    PasswordHashError,
    ScryptCost,
    hash_password,
    hash_token,
    looks_like_token,
    needs_rehash,
    new_token,
    redact,
    token_matches,
    token_prefix,
    verify_password,
)
from jic.errors import JicError

# Cheap parameters keep the suite fast; one test below uses the default cost.
FAST = ScryptCost(log_n=8, r=4, p=1)


def test_new_token_is_prefixed_url_safe_and_long() -> None:
    plaintext, token_hash, prefix = new_token()
    assert plaintext.startswith("jic_")
    assert re.fullmatch(r"jic_[A-Za-z0-9_-]{54}", plaintext)
    assert len(plaintext) - len("jic_") >= 43  # at least 32 bytes of base64url
    assert token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert len(token_hash) == 64
    assert prefix == plaintext[:12] and len(prefix) <= 16  # fits the prefix column


def test_tokens_do_not_repeat() -> None:
    assert len({new_token().plaintext for _ in range(200)}) == 200


def test_token_repr_never_shows_the_plaintext() -> None:
    token = new_token()
    assert token.plaintext not in repr(token)
    assert token.prefix in repr(token)


def test_token_lookup_helpers() -> None:
    token = new_token()
    assert hash_token(token.plaintext) == token.hash
    assert hash_token(f"  {token.plaintext}\n") == token.hash  # pasted with whitespace
    assert token_matches(token.plaintext, token.hash)
    assert token_matches(token.plaintext, token.hash.upper())
    assert not token_matches(new_token().plaintext, token.hash)
    assert token_prefix(token.plaintext) == token.prefix
    assert looks_like_token(token.plaintext)
    assert not looks_like_token(token.plaintext[:-1])
    assert not looks_like_token("ghp_" + token.plaintext[4:])


def test_password_round_trip() -> None:
    stored = hash_password("correct horse battery staple", FAST)
    assert verify_password("correct horse battery staple", stored)
    assert not verify_password("correct horse battery stapler", stored)
    assert not verify_password("", stored)


def test_password_hash_is_salted_and_carries_its_parameters() -> None:
    first, second = hash_password("same", FAST), hash_password("same", FAST)
    assert first != second
    assert first.startswith("$scrypt$ln=8,r=4,p=1$")
    assert "same" not in first
    assert len(first) <= 200  # fits users.password_hash


def test_default_cost_round_trip_and_rehash_advice() -> None:
    stored = hash_password("s3cret-Pass", DEFAULT_COST)
    assert stored.startswith("$scrypt$ln=15,r=8,p=1$")
    assert verify_password("s3cret-Pass", stored)
    assert not needs_rehash(stored)
    assert needs_rehash(hash_password("s3cret-Pass", FAST))


def test_unicode_passwords_match_however_they_are_composed() -> None:
    composed, decomposed = (
        "caf\u00e9-\u0645\u0631\u062d\u0628\u0627",
        "cafe\u0301-\u0645\u0631\u062d\u0628\u0627",
    )
    assert verify_password(decomposed, hash_password(composed, FAST))


def test_empty_password_is_refused_with_a_hint() -> None:
    with pytest.raises(PasswordError) as caught:
        hash_password("", FAST)
    assert isinstance(caught.value, JicError) and caught.value.hint


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plaintext-password",
        "$2b$12$abcdefghijklmnopqrstuv",  # bcrypt: not ours
        "$scrypt$ln=15,r=8,p=1$c2FsdA$a2V5",  # salt and key too short
    ],
)
def test_unreadable_hash_is_an_error_not_a_match(stored: str) -> None:
    with pytest.raises(PasswordHashError):
        verify_password("anything", stored)


def test_planted_hash_cannot_demand_huge_memory() -> None:
    real = hash_password("pw", FAST)
    greedy = real.replace("ln=8", "ln=30")
    with pytest.raises(PasswordHashError, match="out of range"):
        verify_password("pw", greedy)


def test_tampered_hash_does_not_verify() -> None:
    stored = hash_password("pw", FAST)
    salt_start = stored.rindex("$") - 3
    flipped = (
        stored[:salt_start] + ("A" if stored[salt_start] != "A" else "B") + stored[salt_start + 1 :]
    )
    assert not verify_password("pw", flipped)


# --- redaction --------------------------------------------------------------------


def test_redact_masks_a_token_but_keeps_its_public_prefix() -> None:
    token = new_token()
    line = f"GET /api/documents?token={token.plaintext} 401"
    masked = redact(line)
    assert token.plaintext[12:] not in masked
    assert token.prefix in masked
    assert REDACTED in masked and masked.endswith(" 401")


def test_redact_masks_authorization_headers_and_password_pairs() -> None:
    token = new_token()
    text = (
        f"Authorization: Bearer {token.plaintext}\n"
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc\n"
        'login {"user": "ana", "password": "hunter2!"} password=pa55word; pwd: x y'
    )
    masked = redact(text)
    for secret in (token.plaintext[12:], "eyJhbGciOiJIUzI1NiJ9", "hunter2!", "pa55word"):
        assert secret not in masked
    assert '"user": "ana"' in masked
    assert '"password": "[REDACTED]"' in masked


def test_redact_masks_password_hashes() -> None:
    stored = hash_password("pw", FAST)
    masked = redact(f"row: name=ana hash={stored} role=analyst")
    assert stored.split("$")[-1] not in masked
    assert "role=analyst" in masked


def test_redact_masks_a_token_cut_short() -> None:
    token = new_token()
    fragment = token.plaintext[:30]
    assert fragment[12:] not in redact(f"error near {fragment}")


def test_redact_leaves_ordinary_text_alone() -> None:
    text = (
        "jic_home is ./jic-data; the bearer of the message said the token count is low. "
        "Member north chairs until 2026-04-01T00:00:00Z."
    )
    assert redact(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_no_token_survives_redaction_whatever_surrounds_it(before: str, after: str) -> None:
    token = new_token()
    assert token.plaintext[12:] not in redact(before + token.plaintext + after)
