"""Hostile input: inputs that used to answer 500, body limits while streaming, stalled bodies."""

from __future__ import annotations

import socket
import time

import h11
import httpx
import pytest
import trio

from rossum_trio.emulator import (
    Emulator,
    open_emulator_server,
    open_emulator_thread,
    sample_invoices,
)
from rossum_trio.emulator._routing import MAX_BODY_BYTES, MAX_FILES_BODY_BYTES
from tests.support.emulator import call, upload


async def test_ordering_after_a_type_change_is_refused_then_ordering_is_total(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    r = await http.patch(f"/queues/{emu.seeded.queue_id}", json={"session_timeout": 5})
    assert r.status_code == 400
    assert r.json() == {"session_timeout": ["Incorrect type. Expected string value, received int."]}
    # a field that starts as null may take any JSON value; ordering on mixed values works
    await http.post("/queues", json={"name": "Q2", "schema": 200})
    r = await http.patch(f"/queues/{emu.seeded.queue_id}", json={"rir_url": 5})
    assert r.status_code == 200
    r = await http.get("/queues", params={"ordering": "rir_url,-metadata,counts"})
    assert r.status_code == 200 and len(r.json()["results"]) == 2


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/users", {"username": ["x"]}, "username"),
        ("POST", "/annotations/{a}/start", {"statuses": 5}, "statuses"),
        ("PATCH", "/annotations/{a}/content", {"content": "abc"}, "content"),
        ("POST", "/annotations/search", {"query": {"status": {"$in": 5}}}, "query"),
        ("POST", "/annotations/search", {"query": {"status": {"$startsWith": 5}}}, "query"),
        (
            "POST",
            "/annotations/{a}/content/operations",
            {"operations": [{"op": "replace", "id": 1e300}]},
            "operations",
        ),
        (
            "PATCH",
            "/annotations/{a}/processing_duration",
            {"time_spent_edit": "x"},
            "time_spent_edit",
        ),
        ("POST", "/auth/token", {"max_token_lifetime_s": "x"}, "max_token_lifetime_s"),
    ],
)
async def test_inputs_that_used_to_crash_are_400(
    emu: Emulator,
    http: httpx.AsyncClient,
    autojump_clock: trio.testing.MockClock,
    method: str,
    path: str,
    body: dict[str, object],
    field: str,
) -> None:
    [aid] = await upload(http, emu, 1)
    await trio.sleep(3)
    r = await http.request(method, path.format(a=aid), json=body)
    assert r.status_code == 400, r.text
    assert field in r.json()
    assert not emu.server_errors


@pytest.mark.parametrize("depth", [65, 5_000])
async def test_deep_json_is_a_parse_error(http: httpx.AsyncClient, depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    r = await http.post("/workspaces", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["code"] == "parse_error" and "nested deeper than 64" in r.json()["detail"]
    ok = b'{"name": "W", "metadata": ' + b'{"a": ' * 60 + b"1" + b"}" * 60 + b"}"
    r = await http.post("/workspaces", content=ok, headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text  # 62 levels are fine


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "1 x", "99999999 00:00:00", "1:2:3:4"])
async def test_delete_after_out_of_range_is_400(
    emu: Emulator, http: httpx.AsyncClient, value: str
) -> None:
    r = await http.delete(f"/queues/{emu.seeded.queue_id}", params={"delete_after": value})
    assert r.status_code == 400 and r.json() == {"delete_after": ["Duration has wrong format."]}
    r = await http.delete(f"/queues/{emu.seeded.queue_id}", params={"delete_after": "00:00:30"})
    assert r.status_code == 202


@pytest.mark.parametrize(
    ("how", "stored"),
    [
        ("disposition", "a__b_c.pdf"),  # filename*=utf-8''a%0D%0Ab%2Fc.pdf
        ("path", "a__b.pdf"),  # /queues/<id>/upload/a%0D%0Ab.pdf
    ],
)
async def test_file_names_with_line_breaks_are_stored_safely(
    emu: Emulator, http: httpx.AsyncClient, how: str, stored: str
) -> None:
    pdf = sample_invoices(1)[0][1]
    quoted = "a%0D%0Ab%2Fc.pdf"
    if how == "disposition":
        r = await http.post(
            f"/queues/{emu.seeded.queue_id}/upload",
            content=pdf,
            headers={"Content-Disposition": f"attachment; filename*=utf-8''{quoted}"},
        )
    else:
        r = await http.post(f"/queues/{emu.seeded.queue_id}/upload/a%0D%0Ab.pdf", content=pdf)
    assert r.status_code == 201, r.text
    doc = (await http.get(r.json()["document"])).json()
    assert doc["original_file_name"] == stored
    r = await http.get(f"{doc['url']}/content")
    assert r.status_code == 200 and r.content == pdf
    assert r.headers["content-disposition"] == (
        f"inline; filename=\"{stored}\"; filename*=UTF-8''{stored}"
    )


async def test_unicode_file_name_over_loopback_has_a_valid_header() -> None:
    emu = Emulator(import_delay_s=0)
    pdf = sample_invoices(1)[0][1]
    async with (
        open_emulator_server(emu, rate_limit_per_s=None) as base_url,
        httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {emu.token}"}
        ) as http,
    ):
        r = await http.post(
            f"/queues/{emu.seeded.queue_id}/upload",
            content=pdf,
            headers={"Content-Disposition": "attachment; filename*=utf-8''fa%C4%8Dtura%0D%0A.pdf"},
        )
        assert r.status_code == 201
        r = await http.get(r.json()["document"] + "/content")
        assert r.status_code == 200 and r.content == pdf
        assert r.headers["content-disposition"] == (
            "inline; filename=\"fa?tura__.pdf\"; filename*=UTF-8''fa%C4%8Dtura__.pdf"
        )


# ---- body limits while streaming -----------------------------------------------------------------


async def test_declared_oversize_body_is_refused_before_reading(emu: Emulator) -> None:
    headers = [
        (b"authorization", f"Bearer {emu.token}".encode()),
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"content-length", str(120 * 1024 * 1024).encode()),
    ]
    answer = await call(emu, "POST", f"queues/{emu.seeded.queue_id}/upload", headers=headers)
    assert answer.status == 413 and answer.json()["code"] == "payload_too_large"
    assert answer.receives == 0  # not one byte of the body was read
    assert emu.requests[-1].status == 413


async def test_streamed_oversize_body_stops_at_the_limit(emu: Emulator) -> None:
    chunk = b"\0" * (16 * 1024 * 1024)  # chunked upload of 8 x 16 MB, no Content-Length
    headers = [
        (b"authorization", f"Bearer {emu.token}".encode()),
        (b"content-type", b"multipart/form-data; boundary=x"),
        (b"transfer-encoding", b"chunked"),
    ]
    answer = await call(
        emu, "POST", f"queues/{emu.seeded.queue_id}/upload", headers=headers, chunks=[chunk] * 8
    )
    assert answer.status == 413
    assert answer.receives == MAX_FILES_BODY_BYTES // len(chunk) + 1 == 3


async def test_json_bodies_have_their_own_smaller_limit(emu: Emulator) -> None:
    body = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    headers = [
        (b"authorization", f"Bearer {emu.token}".encode()),
        (b"content-type", b"application/json"),
    ]
    answer = await call(emu, "POST", "workspaces", headers=headers, chunks=[body])
    assert answer.status == 413
    assert MAX_BODY_BYTES < MAX_FILES_BODY_BYTES


async def test_files_of_exactly_40_mb_are_accepted_and_more_is_413(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    data = b"%PDF" + b"\0" * (40 * 1024 * 1024 - 4)
    r = await http.post(f"/queues/{emu.seeded.queue_id}/upload", files={"content": ("a.pdf", data)})
    assert r.status_code == 201
    r = await http.post(
        f"/queues/{emu.seeded.queue_id}/upload", files={"content": ("a.pdf", data + b"\0")}
    )
    assert r.status_code == 413


async def test_stalled_body_times_out_in_process(autojump_clock: trio.testing.MockClock) -> None:
    emu = Emulator(body_timeout_s=30)
    calls = 0

    async def receive() -> dict[str, object]:
        nonlocal calls
        calls += 1
        if calls == 1:
            return {"type": "http.request", "body": b'{"na', "more_body": True}
        await trio.sleep_forever()
        raise AssertionError

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/workspaces",
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {emu.token}".encode()), (b"content-length", b"99")],
    }
    start = trio.current_time()
    await emu.app(scope, receive, send)
    assert trio.current_time() - start == pytest.approx(30)
    assert sent[0]["status"] == 408


def _raw_request(port: int, head: bytes, body: bytes = b"", *, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(head + body)
        data = b""
        deadline = time.monotonic() + wait
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def test_stalled_and_oversize_bodies_over_loopback() -> None:
    emu = Emulator(body_timeout_s=0.5)
    with open_emulator_thread(emu, rate_limit_per_s=None) as base_url:
        port = int(base_url.split(":")[2].split("/")[0])
        auth = f"Authorization: Bearer {emu.token}\r\n".encode()
        # 10 of 100 promised bytes, then silence: 408 after body_timeout_s
        head = b"POST /api/v1/workspaces HTTP/1.1\r\nHost: x\r\n" + auth
        head += b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        start = time.monotonic()
        answer = _raw_request(port, head, b'{"name": "')
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert 0.4 < time.monotonic() - start < 4
        # a declared 120 MB upload: 413 at once, without sending the body
        head = f"POST /api/v1/queues/{emu.seeded.queue_id}/upload HTTP/1.1\r\nHost: x\r\n".encode()
        head += auth + b"Content-Type: application/pdf\r\nContent-Length: 125829120\r\n\r\n"
        answer = _raw_request(port, head)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        # and it keeps serving
        r = httpx.get(f"{base_url}/queues", headers={"Authorization": f"Bearer {emu.token}"})
        assert r.status_code == 200
    assert not emu.server_errors


def test_response_headers_pass_h11_for_every_file_name() -> None:
    """What a server library would refuse to send never leaves the emulator."""
    emu = Emulator()
    pdf = sample_invoices(1)[0][1]
    with open_emulator_thread(emu, rate_limit_per_s=None) as base_url:
        headers = {"Authorization": f"Bearer {emu.token}"}
        for name in ("a\x00b.pdf", "\u202e.pdf", "x" * 300 + ".pdf", '"; x=1.pdf'):
            r = httpx.post(
                f"{base_url}/queues/{emu.seeded.queue_id}/upload",
                files={"content": (name, pdf)},
                headers=headers,
            )
            assert r.status_code == 201, r.text
            doc = httpx.get(r.json()["document"], headers=headers).json()
            r = httpx.get(f"{doc['url']}/content", headers=headers)
            assert r.status_code == 200 and r.content == pdf
            h11.Response(status_code=200, headers=list(r.headers.raw))
