"""Issue #9, class 2: secrets never reach text.

Tokens and passwords must not show in messages, reprs, logs, tracebacks, pickles, or the CLI's
output, whatever goes wrong; credentials that cannot work (a token with a newline, a space, a
NUL or a non-ASCII character; an empty token; a password in ``base_url``) are refused when the
client is built, with a ``ValueError`` that does not show them.
"""

from __future__ import annotations

import pathlib
from typing import Any

import httpx
import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio import AsyncRossumAPIClient, SyncRossumAPIClient, Token, UserCredentials
from rossum_trio.cli import main as cli_main
from rossum_trio.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    RossumError,
)
from tests.support import BASE, HOST, PASSWORD, TOKEN, USERNAME
from tests.support.clients import make_client
from tests.support.figures import Figures, captured_logs, scan_for_secrets, texts_of
from tests.support.payloads import workspace
from tests.support.servers import RawServer, reset_connection, respond, serve_in_thread

BAD_TOKENS = {
    "trailing newline": TOKEN + "\n",
    "trailing CRLF": TOKEN + "\r\n",
    "trailing space": TOKEN + " ",
    "leading space": " " + TOKEN,
    "NUL": TOKEN + "\x00",
    "tab inside": TOKEN[:10] + "\t" + TOKEN[10:],
    "non-ASCII": TOKEN + "é",
    "emoji": TOKEN + "🔑",
}


def _assert_clean(figures: Figures, texts: list[str], secrets: tuple[str, ...] = ()) -> None:
    found = scan_for_secrets(figures, texts, secrets or (TOKEN, PASSWORD))
    assert found == []


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
@pytest.mark.parametrize("kind", ["async", "sync"])
def test_unusable_tokens_are_refused_at_construction(
    token: str, kind: str, figures: Figures
) -> None:
    cls: Any = AsyncRossumAPIClient if kind == "async" else SyncRossumAPIClient
    figures.add("bad_inputs")
    with pytest.raises(ValueError) as info:
        cls(BASE, Token(token))
    _assert_clean(figures, texts_of(info.value), (TOKEN, token))


@pytest.mark.parametrize(
    "credentials",
    [Token(""), UserCredentials(USERNAME, ""), UserCredentials("", PASSWORD)],
    ids=["empty token", "empty password", "empty username"],
)
def test_empty_credentials_are_refused(credentials: Any, figures: Figures) -> None:
    figures.add("bad_inputs")
    with pytest.raises(ValueError) as info:
        AsyncRossumAPIClient(BASE, credentials)
    _assert_clean(figures, texts_of(info.value))


@pytest.mark.parametrize(
    "base_url",
    [
        f"https://{USERNAME}:{PASSWORD}@{HOST}/api/v1",
        f"https://:{PASSWORD}@{HOST}/api/v1",
        f"https://{HOST}/api/v1?token={TOKEN}",
        f"https://{HOST}/api/v1#{PASSWORD}",
    ],
)
@pytest.mark.parametrize("kind", ["async", "sync"])
def test_secrets_in_base_url_are_refused_and_not_shown(
    base_url: str, kind: str, figures: Figures
) -> None:
    cls: Any = AsyncRossumAPIClient if kind == "async" else SyncRossumAPIClient
    figures.add("bad_inputs")
    with pytest.raises(ValueError) as info:
        cls(base_url, Token("x" * 40))
    _assert_clean(figures, texts_of(info.value))


def test_reprs(figures: Figures) -> None:
    texts = [repr(Token(TOKEN)), str(Token(TOKEN)), repr(UserCredentials(USERNAME, PASSWORD))]
    for credentials in (Token(TOKEN), UserCredentials(USERNAME, PASSWORD)):
        texts += [repr(AsyncRossumAPIClient(BASE, credentials))]
        with SyncRossumAPIClient(BASE, credentials) as sync:
            texts += [repr(sync), str(sync)]
    _assert_clean(figures, texts)


async def test_a_failed_login_keeps_no_password_on_the_error(figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "Invalid username/password."})

    credentials = UserCredentials(USERNAME, PASSWORD)
    with captured_logs() as logs:
        async with make_client(answer, credentials=credentials) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.retrieve_queue(1)
    _assert_clean(figures, [*texts_of(info.value), logs.getvalue()])
    assert info.value.request.content == b""


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 500, 503])
async def test_error_answers_keep_no_authorization_header(status: int, figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(200, json={"key": TOKEN})
        return httpx.Response(status, json={"detail": "no"})

    credentials = UserCredentials(USERNAME, PASSWORD)
    with captured_logs() as logs:
        async with make_client(answer, credentials=credentials, n_retries=2) as client:
            with pytest.raises(RossumError) as info:
                await client.create_new_workspace({"name": "x", "organization": "o"})
    error = info.value
    assert isinstance(error, httpx.HTTPStatusError)
    assert "authorization" not in error.request.headers
    _assert_clean(figures, [*texts_of(error), logs.getvalue()])


async def test_secrets_the_server_echoes_are_redacted(figures: Figures) -> None:
    """A server that repeats the token and the password in its error body and headers."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(200, json={"key": TOKEN})
        header = request.headers["authorization"]
        body = {"detail": f"bad header {header}", "form": f"password={PASSWORD}"}
        headers = {"WWW-Authenticate": header, "Set-Cookie": f"sid={TOKEN}"}
        return httpx.Response(400, json=body, headers=headers)

    credentials = UserCredentials(USERNAME, PASSWORD)
    async with make_client(answer, credentials=credentials) as client:
        with pytest.raises(BadRequestError) as info:
            await client.retrieve_queue(1)
    _assert_clean(figures, texts_of(info.value))
    assert info.value.status_code == 400


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed"),
        httpx.LocalProtocolError("Illegal header value"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_connection_errors_pickle_without_secrets(
    failure: Exception, figures: Figures
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(200, json={"key": TOKEN})
        raise type(failure)(str(failure), request=request)

    credentials = UserCredentials(USERNAME, PASSWORD)
    async with make_client(answer, credentials=credentials, n_retries=2) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.retrieve_queue(1)
    _assert_clean(figures, texts_of(info.value))


async def test_reset_connections_over_sockets(figures: Figures) -> None:
    server = RawServer(lambda request: reset_connection())
    async with server.serving():
        client = make_client(base_url=server.base_url, n_retries=2, rate_limit_per_second=None)
        with captured_logs() as logs:
            async with client:
                with trio.fail_after(10), pytest.raises(APIConnectionError) as info:
                    await client.retrieve_workspace(1)
    assert [r.headers["authorization"] for r in server.requests] == [f"Bearer {TOKEN}"] * 2
    _assert_clean(figures, [*texts_of(info.value), logs.getvalue()])


async def test_logs_of_a_rough_run_hold_no_secret(figures: Figures) -> None:
    """Retries, a 429, an expired token and a re-login, errors: all logged at DEBUG."""
    steps = iter([503, 429, 401, 200, 404])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(200, json={"key": TOKEN})
        status = next(steps, 200)
        return httpx.Response(
            status, json=workspace(1) if status == 200 else {"detail": TOKEN}, headers={}
        )

    credentials = UserCredentials(USERNAME, PASSWORD)
    with captured_logs() as logs:
        async with make_client(answer, credentials=credentials, n_retries=3) as client:
            with trio.fail_after(30):
                await client.retrieve_workspace(1)
                with pytest.raises(RossumError) as info:
                    await client.retrieve_workspace(1)
    _assert_clean(figures, [logs.getvalue(), *texts_of(info.value)])


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    token=st.text(
        st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=60
    ).filter(lambda t: t.strip() == t),
    status=st.sampled_from([400, 401, 403, 404, 409, 413, 422, 500]),
    echo=st.sampled_from(["body", "header", "both"]),
)
async def test_any_token_echoed_by_any_error(
    token: str, status: int, echo: str, figures: Figures
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        sent = request.headers["authorization"]
        body = {"detail": sent} if echo != "header" else {"detail": "no"}
        headers = {"X-Echo": sent} if echo != "body" else {}
        return httpx.Response(status, json=body, headers=headers)

    async with make_client(answer, credentials=Token(token), n_retries=1) as client:
        with pytest.raises(RossumError) as info:
            await client.retrieve_queue(1)
    found = scan_for_secrets(figures, texts_of(info.value), [token])
    assert found == []


# -- the command line ------------------------------------------------------------------------------


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli_main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("token", [TOKEN + "\n", TOKEN + " ", TOKEN + "\x00", TOKEN + "é"])
def test_cli_with_an_unusable_token(
    token: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], figures: Figures
) -> None:
    """Against a live server (so the request would really be attempted)."""
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with serve_in_thread(RawServer(lambda request: respond(401, {"detail": "no"}))) as server:
        argv = ["bulk", str(tmp_path / "a.pdf"), "--base-url", server.base_url, "--queue", "1"]
        code, output = _cli([*argv, "--token", token, "--timeout", "20"], capsys)
    assert code == 2  # refused while checking the arguments: nothing sent
    _assert_clean(figures, [output], (TOKEN, token))


def test_cli_with_a_password_in_the_base_url(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], figures: Figures
) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    base_url = f"https://{USERNAME}:{PASSWORD}@{HOST}/api/v1"
    argv = ["bulk", str(tmp_path / "a.pdf"), "--base-url", base_url, "--queue", "1"]
    code, output = _cli([*argv, "--token", TOKEN], capsys)
    assert code == 2  # refused while checking the arguments: nothing sent
    _assert_clean(figures, [output])


@pytest.mark.parametrize("login", ["token", "password"])
def test_cli_against_a_server_that_echoes_credentials(
    login: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], figures: Figures
) -> None:
    """The server repeats what it got in its answers' bodies. (Not in headers: httpcore's
    own DEBUG trace logs the headers a server sends; see docs/reliability.md.)"""

    def script(request: Any) -> Any:
        echoed = f"{request.headers.get('authorization')} {request.body.decode('latin-1')}"
        if request.target.endswith("/auth/login"):
            return respond(401, {"detail": f"bad login {echoed}"})
        return respond(401, {"detail": f"bad token {echoed}"})

    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    (tmp_path / "b.pdf").write_bytes(b"%PDF")
    with serve_in_thread(RawServer(script)) as server:
        argv = ["bulk", str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf")]
        argv += ["--base-url", server.base_url, "--queue", "1", "--timeout", "20"]
        if login == "token":
            argv += ["--token", TOKEN]
        else:
            argv += ["--username", USERNAME, "--password", PASSWORD]
        with captured_logs() as logs:
            code, output = _cli(argv, capsys)
    assert code == 3  # credentials refused: an error that fails every file, said once
    assert server.requests, "the CLI never reached the server"
    _assert_clean(figures, [output, logs.getvalue()])


async def _every_kind_of_error() -> list[BaseException]:
    """One error of each kind the client raises, from a client holding both secrets."""
    credentials = UserCredentials(USERNAME, PASSWORD)
    scripted: dict[str, Any] = {
        "400": httpx.Response(400, json={"detail": f"echo {TOKEN}"}),
        "429": httpx.Response(429, headers={"Retry-After": "100000"}, json={}),
        "500": httpx.Response(500, json={"detail": PASSWORD}),
        "garbage": httpx.Response(200, content=b"<html>"),
        "reset": httpx.ReadError("reset"),
        "timeout": httpx.ReadTimeout("slow"),
    }
    errors: list[BaseException] = []
    for case, outcome in scripted.items():

        def answer(request: httpx.Request, outcome: Any = outcome) -> httpx.Response:
            if request.url.path.endswith("/auth/login"):
                return httpx.Response(200, json={"key": TOKEN})
            if isinstance(outcome, Exception):
                raise type(outcome)(str(outcome), request=request)
            return outcome  # type: ignore[no-any-return]

        async with make_client(answer, credentials=credentials, n_retries=1) as client:
            try:
                await client.retrieve_queue(1)
            except RossumError as exc:
                errors.append(exc)
            else:
                raise AssertionError(f"{case}: no error")
    from rossum_trio.errors import AnnotationImportFailedError, PollingError, TaskFailedError

    errors += [
        TaskFailedError(4, "no pages", {"id": 4, "status": "failed"}),
        AnnotationImportFailedError(5, {"id": 5}),
        PollingError("missing"),
    ]
    return errors


async def test_every_error_pickles_round_trip_without_secrets(figures: Figures) -> None:
    """Errors cross process boundaries (multiprocessing, trio-parallel): they unpickle as the
    same class with the same message and fields, and the pickle holds no secret."""
    import pickle

    for error in await _every_kind_of_error():
        data = pickle.dumps(error)
        _assert_clean(figures, [data.decode("latin-1")])
        copy = pickle.loads(data)
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        for name in ("method", "url", "status_code", "request_sent", "retry_after", "task_id"):
            assert getattr(copy, name, None) == getattr(error, name, None), name
