"""Issue #9, class 3: bulk runs never lose what happened.

Every file of a bulk upload ends with a result (imported, failed with the reason, uploaded,
not sent, or outcome unknown), whatever fails around it: bad files, failing polls, 429 storms,
malformed or lost answers, a cancellation. Uploads whose answer was lost are looked up on the
server before anything is sent again, so nothing lands twice and nothing on the server is
reported as failed. ``upload_document`` checks every file before it sends any.

These runs use the embedded emulator (its fault knobs, plus an :class:`~support.Intercept` for
answers it cannot spoil by itself), so they exercise the real upload and polling protocol.
"""

from __future__ import annotations

import math
import os
import pathlib
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import trio
import trio.testing

from rossum_trio.emulator import Emulator
from rossum_trio.errors import RossumError
from tests.support.clients import borrowed, emulator_client, make_client
from tests.support.emulator import documents_by_name
from tests.support.figures import Figures, account_bulk, status_of
from tests.support.files import write_samples
from tests.support.servers import RawServer, hang, in_thread, reset_connection, truncate
from tests.support.wire import Intercept, Recorder

Forward = Callable[[], Awaitable[httpx.Response]]


#: Retries of the bulk runs: quick, no jitter.
RETRIES = {"retry_backoff_factor": 0.2, "retry_max_jitter": 0.0}


async def run_bulk(
    figures: Figures,
    emulator: Emulator,
    files: list[tuple[Any, str]],
    transport: Any = None,
    **kwargs: Any,
) -> tuple[list[Any], dict[str, int]]:
    """Run bulk_upload_and_wait to its end (bounded); returns the results and the counts."""
    async with emulator_client(emulator, transport, **RETRIES, **kwargs) as client:
        with figures.call(3600):
            results = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files, sleep_s=1)
        figures.add("slots_checked")
        figures.add("slots_held", borrowed(client))
        assert borrowed(client) == 0
    names = [name for _, name in files]
    counts = account_bulk(figures, results, names, documents_by_name(emulator))
    assert [r.filename for r in results] == names
    return results, counts


def assert_nothing_lost(counts: dict[str, int]) -> None:
    assert counts == {"lost": 0, "duplicates": 0, "hidden": 0}


# -- bad files -------------------------------------------------------------------------------------


async def test_bad_files_fail_alone(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    files = write_samples(tmp_path, 4)
    (tmp_path / "folder.pdf").mkdir()
    os.mkfifo(tmp_path / "pipe.pdf")
    (tmp_path / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    bad = [
        (tmp_path / "missing.pdf", "missing.pdf"),
        (tmp_path / "folder.pdf", "folder.pdf"),
        (tmp_path / "pipe.pdf", "pipe.pdf"),
        (tmp_path / "dangling.pdf", "dangling.pdf"),
    ]
    mixed = [files[0], bad[0], files[1], bad[1], files[2], bad[2], files[3], bad[3]]
    emulator = Emulator(import_delay_s=2)
    results, counts = await run_bulk(figures, emulator, mixed)
    assert_nothing_lost(counts)
    assert [status_of(r) for r in results] == ["imported", "failed"] * 4
    for result, (path, _) in zip(results[1::2], bad, strict=True):
        assert str(path) in str(result.error)


async def test_upload_document_checks_every_file_before_sending_any(
    tmp_path: pathlib.Path, figures: Figures
) -> None:
    files = write_samples(tmp_path, 5)
    files.insert(3, (tmp_path / "missing.pdf", "missing.pdf"))
    recorder = Recorder(lambda request: httpx.Response(500))
    async with make_client(recorder) as client:
        figures.add("bad_inputs")
        with figures.call(), pytest.raises(ValueError, match="missing.pdf"):
            await client.upload_document(1, files)
    figures.add("bad_inputs_sent", len(recorder.seen))
    assert recorder.seen == []


async def test_upload_document_refuses_a_fifo_at_once(
    tmp_path: pathlib.Path, figures: Figures
) -> None:
    """Reading a FIFO would block forever (and ignore cancellation): it is refused before."""
    os.mkfifo(tmp_path / "pipe.pdf")
    recorder = Recorder(lambda request: httpx.Response(500))
    async with make_client(recorder) as client:
        with trio.fail_after(5), figures.call(), pytest.raises(ValueError, match="pipe"):
            await client.upload_document(1, [(tmp_path / "pipe.pdf", "pipe.pdf")])
    assert recorder.seen == []


# -- shared steps failing --------------------------------------------------------------------------


async def test_the_shared_poll_failing_transiently(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    emulator = Emulator(import_delay_s=3)
    emulator.faults.update(path_pattern=r"/annotations$", fail_next=3, fail_status=503)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 12))
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"imported"}


async def test_a_429_storm(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    emulator = Emulator(import_delay_s=2)
    emulator.faults.update(storm_429=60, retry_after_s=2)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 12))
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"imported"}


async def test_the_api_rate_limit(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    """The real API's budget (10 requests/s) with 40 files and a small import delay."""
    emulator = Emulator(import_delay_s=0.5)
    emulator.faults.update(rate_limit_per_s=10)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 40))
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"imported"}


async def test_polls_forbidden_mid_run(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    """Polling answers 403 while uploads are still going: no raw trio error escapes, every
    file keeps its result (the uploaded ones their annotation ids)."""
    emulator = Emulator(import_delay_s=2)
    emulator.faults.update(path_pattern=r"/annotations$", fail_next=10**6, fail_status=403)

    async def slow_uploads(request: httpx.Request, forward: Forward) -> httpx.Response:
        if "upload" in request.url.path:
            await trio.sleep(1)
        return await forward()

    transport = Intercept(emulator.transport(), slow_uploads)
    results, counts = await run_bulk(
        figures, emulator, write_samples(tmp_path, 8), transport, max_in_flight_requests=2
    )
    assert_nothing_lost(counts)
    on_server = documents_by_name(emulator)
    for result in results:
        assert status_of(result) in ("uploaded", "not_sent")
        assert bool(result.annotation_ids) == (on_server[result.filename] == 1)
        assert result.error is not None


async def test_polls_answering_garbage_forever(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    """The run ends (in a bounded number of polls), and says the import was not confirmed."""
    emulator = Emulator(import_delay_s=1)
    polls = 0

    async def garbage_polls(request: httpx.Request, forward: Forward) -> httpx.Response:
        nonlocal polls
        if request.url.path.endswith("/annotations") and "id" in request.url.params:
            polls += 1
            return httpx.Response(200, content=b"<html>maintenance</html>")
        return await forward()

    transport = Intercept(emulator.transport(), garbage_polls)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 3), transport)
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"uploaded"}
    assert all("not confirmed" in str(r.error) for r in results)
    assert 0 < polls <= 8  # a bounded number of failed rounds (a 200 is not retried)


# -- lost and malformed answers --------------------------------------------------------------------


def _is_upload(request: httpx.Request) -> bool:
    return request.method == "POST" and "upload" in request.url.path


@pytest.mark.parametrize(
    "spoil",
    [
        lambda r: httpx.Response(201, content=b"<html>502 Bad Gateway</html>"),
        lambda r: httpx.Response(201, json={"results": []}),
        lambda r: httpx.Response(201, json={"results": [{"annotation": "annotations/abc"}]}),
        lambda r: httpx.Response(201, json={"url": 7}),
        lambda r: httpx.Response(201, content=b"[" * 1000 + b"]" * 1000),
        lambda r: httpx.Response(502, json={"detail": "bad gateway"}),
    ],
    ids=["html", "no results", "no id", "odd url", "deep json", "502 after processing"],
)
async def test_one_malformed_upload_answer(
    spoil: Callable[[httpx.Response], httpx.Response],
    tmp_path: pathlib.Path,
    idle_autojump_clock: trio.testing.MockClock,
    figures: Figures,
) -> None:
    """The upload landed but its answer is unreadable: the file is found on the server (not
    sent again, not reported failed)."""
    emulator = Emulator(import_delay_s=2)
    spoiled = 0

    async def spoil_one(request: httpx.Request, forward: Forward) -> httpx.Response:
        nonlocal spoiled
        response = await forward()
        if _is_upload(request) and spoiled == 0:
            spoiled += 1
            return spoil(response)
        return response

    transport = Intercept(emulator.transport(), spoil_one)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 6), transport)
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"imported"}


@pytest.mark.parametrize("share", [0.25, 1.0])
async def test_answers_lost_after_sending(
    share: float,
    tmp_path: pathlib.Path,
    idle_autojump_clock: trio.testing.MockClock,
    figures: Figures,
) -> None:
    """Uploads land but the connection drops before the answer: reconciled, not re-sent."""
    emulator = Emulator(import_delay_s=2, seed=9)
    emulator.faults.update(path_pattern="upload", drop_rate=share, drop_after_processing=True)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 30))
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"imported"}
    assert documents_by_name(emulator) == {name: 1 for _, name in write_samples(tmp_path, 30)}


async def test_answers_lost_for_files_with_the_same_name(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    emulator = Emulator(import_delay_s=1)
    emulator.faults.update(path_pattern="upload", drop_next=3, drop_after_processing=True)
    files = [(path, "same.pdf") for path, _ in write_samples(tmp_path, 3)]
    results, counts = await run_bulk(figures, emulator, files)
    assert counts["lost"] == 0 and counts["hidden"] == 0
    assert documents_by_name(emulator) == {"same.pdf": 3}
    assert sorted(i for r in results for i in r.annotation_ids) == sorted(
        a["id"] for a in emulator.objects("annotations")
    )


async def test_lost_answers_and_a_failing_lookup(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    """The lookup of lost uploads fails twice: retried, still nothing is sent twice."""
    emulator = Emulator(import_delay_s=1)
    emulator.faults.update(path_pattern="upload", drop_next=2, drop_after_processing=True)
    lookups = 0

    async def failing_lookups(request: httpx.Request, forward: Forward) -> httpx.Response:
        nonlocal lookups
        if "arrived_at_after" in request.url.params:
            lookups += 1
            if lookups <= 2:
                return httpx.Response(200, content=b"oops")
        return await forward()

    transport = Intercept(emulator.transport(), failing_lookups)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 4), transport)
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"imported"}


async def test_uploads_refused_twice_before_processing(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    """503s that may or may not have been processed: looked up (not there), sent again, and
    again after the next lookup; the file lands once."""
    emulator = Emulator(import_delay_s=1)
    emulator.faults.update(path_pattern="upload", fail_next=2, fail_status=503)
    results, counts = await run_bulk(figures, emulator, write_samples(tmp_path, 1))
    assert_nothing_lost(counts)
    assert [status_of(r) for r in results] == ["imported"]
    uploads = [r for r in emulator.requests if r.method == "POST" and "upload" in r.path]
    assert len(uploads) == 3


# -- the run stopped -------------------------------------------------------------------------------


async def test_cancelled_mid_run_every_file_says_where_it_stands(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    emulator = Emulator(import_delay_s=5)
    files = write_samples(tmp_path, 20)

    async def slow_uploads(request: httpx.Request, forward: Forward) -> httpx.Response:
        if _is_upload(request):
            await trio.sleep(1)
        return await forward()

    transport = Intercept(emulator.transport(), slow_uploads)
    async with emulator_client(emulator, transport, max_in_flight_requests=2, **RETRIES) as client:
        with trio.move_on_after(3.5), figures.call():
            async with client.bulk_upload(emulator.seeded.queue_id, files, sleep_s=1) as run:
                async for _ in run:
                    pass
        figures.add("slots_checked")
        figures.add("slots_held", borrowed(client))
    names = [name for _, name in files]
    counts = account_bulk(figures, run.results, names, documents_by_name(emulator))
    assert counts == {"lost": 0, "duplicates": 0, "hidden": 0}
    statuses = {status_of(r) for r in run.results}
    assert statuses <= {"uploaded", "unknown", "not_sent"} and "not_sent" in statuses
    on_server = documents_by_name(emulator)
    for result in run.results:
        if status_of(result) == "uploaded":
            assert result.annotation_ids and on_server[result.filename] == 1
        if status_of(result) == "not_sent":
            assert on_server[result.filename] == 0


async def test_a_revoked_token_stops_sending_and_says_why(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    emulator = Emulator(import_delay_s=1)
    files = write_samples(tmp_path, 10)
    sent = 0

    async def revoke_after_three(request: httpx.Request, forward: Forward) -> httpx.Response:
        nonlocal sent
        if _is_upload(request):
            sent += 1
            if sent > 3:
                return httpx.Response(401, json={"detail": "Invalid token."})
        return await forward()

    transport = Intercept(emulator.transport(), revoke_after_three)
    results, counts = await run_bulk(figures, emulator, files, transport, max_in_flight_requests=1)
    assert_nothing_lost(counts)
    statuses = [status_of(r) for r in results]
    assert statuses.count("imported") == 3
    assert set(statuses) <= {"imported", "failed", "not_sent"} and "not_sent" in statuses
    assert all("401" in str(r.error) for r in results if status_of(r) != "imported")


async def test_a_custom_deserializer_does_not_break_the_run(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    """The official ``deserializer=`` may return dicts: the bulk run reads what it needs raw."""
    emulator = Emulator(import_delay_s=1)
    emulator.faults.update(path_pattern="upload", drop_next=1, drop_after_processing=True)
    results, counts = await run_bulk(
        figures,
        emulator,
        write_samples(tmp_path, 4),
        deserializer=lambda resource, data: data,
    )
    assert_nothing_lost(counts)
    assert {status_of(r) for r in results} == {"imported"}


def test_bounds_are_finite() -> None:
    """The waits the bulk pipeline may do on failures are bounded (no ``inf`` sneaks in)."""
    from rossum_trio import _bulk

    for name in ("MISSING_ROUNDS", "MAX_POLL_FAILURES", "RECONCILE_ATTEMPTS", "RECONCILE_ROUNDS"):
        assert math.isfinite(getattr(_bulk, name, 0))


# -- the command line ------------------------------------------------------------------------------


def test_cli_timeout_keeps_every_result(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imports that take longer than --timeout: every file is still reported, with where it
    stands (on the server, with its ids)."""
    from rossum_trio.cli import main

    monkeypatch.chdir(tmp_path)  # the command writes its report into the working directory
    files = write_samples(tmp_path, 3)
    argv = ["bulk", *(str(p) for p, _ in files), "--import-delay", "100", "--sleep", "0.05"]
    try:
        code = main([*argv, "--timeout", "1"])
    except BaseException as exc:  # a raw trio.TooSlowError today
        pytest.fail(f"the CLI raised {type(exc).__name__}")
    lines = capsys.readouterr().err.splitlines()
    assert code != 0
    for _, name in files:
        assert any(name in line and "uploaded" in line for line in lines), (name, lines)


def test_cli_does_not_call_files_on_the_server_failed(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rossum_trio.cli import main
    from rossum_trio.emulator import open_emulator_server

    monkeypatch.chdir(tmp_path)  # the command writes its report into the working directory
    emulator = Emulator(import_delay_s=0.1)
    emulator.faults.update(path_pattern=r"/annotations$", fail_next=10**6, fail_status=403)
    files = write_samples(tmp_path, 2)
    with in_thread(lambda: open_emulator_server(emulator, port=0)) as base_url:
        argv = ["bulk", *(str(p) for p, _ in files), "--base-url", base_url]
        code = main([*argv, "--queue", str(emulator.seeded.queue_id), "--token", emulator.token])
    err = capsys.readouterr().err
    assert code != 0
    assert sum(documents_by_name(emulator).values()) == 2
    assert f"failed: {files[0][1]}" not in err and f"failed: {files[1][1]}" not in err, err


@pytest.mark.parametrize("behaviour", ["reset", "truncated", "silent"])
async def test_a_post_that_may_have_landed_is_never_sent_again(
    behaviour: str, figures: Figures
) -> None:
    """Over real sockets: the connection breaks after the request went out."""
    script = {"reset": reset_connection, "truncated": truncate, "silent": hang}[behaviour]
    server = RawServer(lambda request: script())
    async with server.serving():
        client = make_client(
            base_url=server.base_url, timeout=0.5, n_retries=3, rate_limit_per_second=None
        )
        async with client:
            with figures.call(10), pytest.raises(RossumError):
                await client.create_new_workspace({"name": "once", "organization": "o"})
    assert [r.method for r in server.requests] == ["POST"]
    figures.add("server_duplicates", len(server.requests) - 1)


def test_cli_bulk_under_faults(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], figures: Figures
) -> None:
    """``rossum-trio bulk`` against a loopback emulator that loses 30% of the upload answers
    (after processing): every file imported once, the export complete."""
    from rossum_trio.cli import main
    from rossum_trio.emulator import open_emulator_server

    emulator = Emulator(import_delay_s=0.2, seed=3)
    files = write_samples(tmp_path, 8)

    class Faulty:
        """The emulator served, with its faults set once the server is up."""

        def __init__(self) -> None:
            self.inner = open_emulator_server(emulator, port=0)

        async def __aenter__(self) -> str:
            url: str = await self.inner.__aenter__()
            emulator.faults.update(path_pattern="upload", drop_rate=0.3, drop_after_processing=True)
            return url

        async def __aexit__(self, *exc: object) -> None:
            await self.inner.__aexit__(*exc)

    with in_thread(Faulty) as base_url:
        argv = ["bulk", *(str(p) for p, _ in files), "--base-url", base_url, "--sleep", "0.2"]
        argv += ["--queue", str(emulator.seeded.queue_id), "--token", emulator.token]
        argv += ["--output", str(tmp_path / "out.csv"), "--timeout", "60"]
        figures.add("calls_started")
        code = main(argv)
        figures.add("calls_ended")
    err = capsys.readouterr().err
    on_server = documents_by_name(emulator)
    figures.add("server_duplicates", sum(max(0, n - 1) for n in on_server.values()))
    assert code == 0, err
    assert "8 files in" in err and ": 8 imported" in err
    assert "export: 8 annotation(s) (csv) written" in err
    assert on_server == {name: 1 for _, name in files}
