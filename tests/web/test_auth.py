"""Sign-in, sessions and CSRF on the web pages, through FastAPI's TestClient."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, login_token, sign_in

from jic.store import audit
from jic.store import sessions as session_repo
from jic.store import users as user_repo
from jic.store.database import Store
from jic.store.schema import web_sessions
from jic.store.times import now
from jic.web.auth import COOKIE

# HTTP-level behaviour, the same whatever the database: checked on SQLite only.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


@sqlite_only
def test_pages_send_a_stranger_to_the_sign_in_form(client: TestClient) -> None:
    for path in ("/", "/search?q=x", "/documents/1", "/map", "/sources", "/audit"):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=%2F"), path
    assert client.get("/login").status_code == 200


def test_signing_in_sets_a_guarded_cookie_and_shows_the_user(
    client: TestClient, center: Store
) -> None:
    answer = client.post(
        "/login",
        data={
            "name": "alice",
            "password": PASSWORD,
            "csrf_token": login_token(client),
            "next": "/map",
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/map"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE))
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "path=/", "samesite=lax"} <= flags
    assert "secure" not in flags  # plain http on loopback; https sets it
    page = client.get("/")
    assert page.status_code == 200 and "alice · alpha · officer" in page.text
    assert "Local operator view" not in page.text
    token = client.cookies.get(COOKIE)
    with center.read() as connection:
        stored = connection.execute(sa.select(web_sessions.c.token_hash)).scalars().all()
        actions = [e["action"] for e in audit.entries(connection, limit=5)]
    assert token not in stored and len(stored) == 1  # only the hash is kept
    assert "session.open" in actions


@sqlite_only
def test_a_cookie_over_https_is_secure(center: Store, client: TestClient) -> None:
    https = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    answer = https.post(
        "/login", data={"name": "bob", "password": PASSWORD, "csrf_token": login_token(https)}
    )
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(COOKIE))
    assert "secure" in cookie.lower()


@sqlite_only
@pytest.mark.parametrize(
    "name,password", [("alice", "wrong password!!"), ("nobody", PASSWORD), ("alice", "")]
)
def test_a_wrong_password_or_name_signs_nobody_in(
    client: TestClient, center: Store, name: str, password: str
) -> None:
    answer = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": login_token(client)}
    )
    assert answer.status_code in (401, 422)
    assert COOKIE not in client.cookies
    if answer.status_code == 401:
        assert "the user name or password is wrong" in answer.text
        with center.read() as connection:
            assert audit.entries(connection, limit=1)[0]["action"] == "session.refused"


@sqlite_only
def test_the_sign_in_form_needs_its_own_token(client: TestClient) -> None:
    answer = client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert answer.status_code == 403 and "JIC-E632" in answer.text
    assert COOKIE not in client.cookies


@sqlite_only
def test_after_sign_in_only_a_local_next_is_followed(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = client.post(
            "/login",
            data={
                "name": "alice",
                "password": PASSWORD,
                "csrf_token": login_token(client),
                "next": target,
            },
        )
        assert answer.headers["location"] == "/", target


def test_a_form_post_without_the_csrf_token_is_refused(client: TestClient) -> None:
    csrf = sign_in(client, "alice")
    form = {"url": "https://example.org/feed.xml", "kind": "feed", "name": "Example"}
    refused = client.post("/sources", data=form)
    assert refused.status_code == 403 and "JIC-E632" in refused.text
    wrong = client.post("/sources", data={**form, "csrf_token": "x" * 64})
    assert wrong.status_code == 403
    foreign = client.post(
        "/sources", data={**form, "csrf_token": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    accepted = client.post("/sources", data={**form, "csrf_token": csrf})
    assert accepted.status_code == 303
    assert "Example" in client.get("/sources").text


@sqlite_only
def test_the_csrf_header_works_as_the_field(client: TestClient) -> None:
    csrf = sign_in(client, "alice")
    answer = client.post(
        "/sources",
        data={"url": "https://example.org/a.xml", "kind": "feed"},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 303


def test_signing_out_ends_the_session(client: TestClient, center: Store) -> None:
    csrf = sign_in(client, "alice")
    token = client.cookies.get(COOKIE)
    assert client.post("/logout").status_code == 403  # needs the token too
    out = client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    client.cookies.set(COOKIE, token or "")  # a copy of the old cookie signs nobody in
    assert client.get("/").status_code == 303
    with center.read() as connection:
        assert session_repo.lookup(connection, token or "") is None
        assert audit.entries(connection, limit=1)[0]["action"] == "session.close"


def test_a_session_expires_and_idles_out(client: TestClient, center: Store) -> None:
    sign_in(client, "bob")
    assert client.get("/").status_code == 200
    with center.write() as connection:
        connection.execute(web_sessions.update().values(last_seen_at=now() - timedelta(hours=3)))
    assert client.get("/").status_code == 303  # idle for longer than two hours
    sign_in(client, "bob")
    with center.write() as connection:
        connection.execute(web_sessions.update().values(expires_at=now() - timedelta(seconds=1)))
    assert client.get("/").status_code == 303  # past its lifetime


def test_a_disabled_user_is_signed_out(client: TestClient, center: Store) -> None:
    sign_in(client, "bob")
    with center.write() as connection:
        user_repo.disable_user(connection, "bob", actor=audit.Actor())
    assert client.get("/").status_code == 303


def test_the_api_helpers_read_the_cookie(client: TestClient, center: Store) -> None:
    from starlette.requests import Request

    from jic.web.auth import CsrfRefused, check_csrf, reader_from_cookie

    csrf = sign_in(client, "bob")
    cookie = f"{COOKIE}={client.cookies.get(COOKIE)}".encode()

    def request(method: str, headers: list[tuple[bytes, bytes]]) -> Request:
        scope = {
            "type": "http",
            "method": method,
            "path": "/api/v1/x",
            "headers": [(b"cookie", cookie), (b"host", b"testserver"), *headers],
            "app": client.app,
        }
        return Request(scope)

    reader = reader_from_cookie(request("GET", []), center)
    assert reader is not None and reader.viewer is not None
    assert reader.viewer.role == "analyst"
    with center.read() as connection:
        check_csrf(request("POST", [(b"x-csrf-token", csrf.encode())]), connection)
        with pytest.raises(CsrfRefused):
            check_csrf(request("POST", []), connection)


@sqlite_only
def test_repeated_refusals_make_that_name_wait_from_that_address(client: TestClient) -> None:
    def attempt(password: str, name: str = "alice") -> int:
        data = {"name": name, "password": password, "csrf_token": login_token(client)}
        return client.post("/login", data=data).status_code

    assert [attempt("wrong password!!") for _ in range(5)] == [401] * 5
    answer = client.post(
        "/login", data={"name": "alice", "password": PASSWORD, "csrf_token": login_token(client)}
    )
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 60
    assert "too many refused sign-ins" in answer.text
    assert client.cookies.get(COOKIE) is None  # even the right password waits
    assert attempt(PASSWORD, name="bob") == 303  # another name is not held up


def test_the_throttle_forgets_after_its_window_and_on_success() -> None:
    from jic.web.login_pages import LoginThrottle

    throttle = LoginThrottle(limit=2, window=60)
    key = ("alice", "127.0.0.1")
    throttle.refused(key, 0)
    assert throttle.wait(key, 1) == 0
    throttle.refused(key, 10)
    assert throttle.wait(key, 11) == 49
    assert throttle.wait(key, 61) == 0  # the first refusal left the window
    throttle.refused(key, 62)
    throttle.succeeded(key)
    assert throttle.wait(key, 63) == 0
