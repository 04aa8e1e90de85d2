"""Every API call is authenticated; refused tokens get the error envelope; no token
appears in an answer or an error."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests.api.conftest import make_token
from tests.conftest import Backend

from jic.api.app import create_app
from jic.store import audit
from jic.store import users as user_repo
from jic.store.database import Store


@pytest.fixture
def app_client(store: Store, backend: Backend) -> Iterator[TestClient]:
    with TestClient(create_app(backend.settings, store)) as client:
        yield client


def call(client: TestClient, token: str | None) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get("/api/v1/search", params={"q": "convoy"}, headers=headers)
    return response.status_code, response.json()


def test_no_token_is_refused_with_the_envelope(app_client: TestClient) -> None:
    status, body = call(app_client, None)
    assert status == 401 and body["error"]["code"] == "JIC-E601"  # type: ignore[index]
    assert app_client.get("/api/v1/health").status_code == 200  # liveness stays open


def test_a_good_token_works_and_its_use_is_recorded(app_client: TestClient, store: Store) -> None:
    token = make_token(store, "ana")
    assert call(app_client, token)[0] == 200
    with store.read() as connection:
        (info,) = user_repo.list_tokens(connection)
    assert info.last_used_at is not None


def test_revoked_expired_and_disabled_are_refused(app_client: TestClient, store: Store) -> None:
    revoked = make_token(store, "rev")
    expiring = make_token(store, "exp")
    disabled = make_token(store, "dis")
    with store.write() as connection:
        user_repo.revoke_token(connection, revoked[:12], actor=audit.Actor())
        user_repo.disable_user(connection, "dis", actor=audit.Actor())
        connection.execute(
            user_repo.api_tokens.update()
            .where(user_repo.api_tokens.c.prefix == expiring[:12])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    for token, reason in ((revoked, "revoked"), (expiring, "expired"), (disabled, "disabled")):
        status, body = call(app_client, token)
        assert status == 401
        assert reason in str(body) and token not in str(body)
    assert call(app_client, "jic_" + "x" * 54)[0] == 401


def test_a_submission_belongs_to_the_tokens_user_and_member(
    app_client: TestClient, store: Store
) -> None:
    token = make_token(store, "sub")
    response = app_client.post(
        "/api/v1/documents",
        json={"text": "A field report.", "tlp": "RED"},
        headers={"Authorization": f"Bearer {token}"},
    )
    (outcome,) = response.json()["outcomes"]
    other = make_token(store, "other")
    mine = app_client.get(
        f"/api/v1/documents/{outcome['id']}", headers={"Authorization": f"Bearer {token}"}
    )
    theirs = app_client.get(
        f"/api/v1/documents/{outcome['id']}", headers={"Authorization": f"Bearer {other}"}
    )
    assert mine.status_code == 200 and mine.json()["member"] == "local"
    assert theirs.status_code == 404  # RED: the submitter only; and existence is not revealed


def test_no_token_or_password_is_kept_in_the_clear(app_client: TestClient, store: Store) -> None:
    from jic.center.secrets import hash_password, hash_token
    from jic.store.schema import api_tokens, audit_log, users

    token = make_token(store, "quiet")
    call(app_client, token)
    call(app_client, token + "x")  # a wrong token is not echoed either
    with store.write() as connection:
        connection.execute(
            users.update()
            .where(users.c.name == "quiet")
            .values(password_hash=hash_password("pw-123456"))
        )
    with store.read() as connection:
        stored = [
            str(row)
            for table in (api_tokens, audit_log, users)
            for row in connection.execute(table.select())
        ]
    dump = "\n".join(stored)
    assert token not in dump and token[12:] not in dump and "pw-123456" not in dump
    assert hash_token(token) in dump  # what is kept is the hash


def test_a_web_session_reads_and_writes_with_its_csrf_token(
    app_client: TestClient, store: Store
) -> None:
    from jic.store import sessions as session_repo
    from jic.web.auth import COOKIE, CSRF_HEADER

    make_token(store, "web")
    with store.write() as connection:
        user = user_repo.get_user(connection, "web")
        opened = session_repo.open_session(connection, user)
    app_client.cookies.set(COOKIE, opened.token)
    try:
        assert app_client.get("/api/v1/search", params={"q": "x"}).status_code == 200
        body = {"text": "A report from the browser."}
        refused = app_client.post("/api/v1/documents", json=body)
        assert refused.status_code == 403  # a cookie alone does not write: CSRF
        assert refused.json()["error"]["code"].startswith("JIC-E6")
        csrf = {CSRF_HEADER: session_repo.csrf_token(opened.token)}
        foreign = app_client.post(
            "/api/v1/documents", json=body, headers={**csrf, "Origin": "http://evil.example"}
        )
        assert foreign.status_code == 403
        stored = app_client.post("/api/v1/documents", json=body, headers=csrf)
        assert stored.status_code == 201, stored.text
        assert stored.json()["outcomes"][0]["status"] == "stored"
    finally:
        app_client.cookies.clear()
    assert app_client.get("/api/v1/search", params={"q": "x"}).status_code == 401
