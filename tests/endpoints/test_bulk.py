"""Bulk uploads and batched waiting (``_endpoints/bulk.py``) end to end, against the
emulator: about one request per file, results as they happen, nothing lost on cancellation,
the emulator's rate limit on (the command line: ``tests/cli/``; under faults:
``tests/reliability``)."""

from __future__ import annotations

import pathlib

import pytest
import trio
import trio.testing

from rossum_trio import AsyncRossumAPIClient, BulkUploadResult, FileStatus, Token
from rossum_trio.emulator import Emulator
from tests.support.clients import emulator_client
from tests.support.files import write_samples


async def test_bulk_upload_and_wait(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=5.0)
    files = write_samples(tmp_path, 40)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")  # the emulator fails the import of an empty file
    files.insert(3, (empty, "empty.pdf"))
    progress: list[tuple[str, int, int]] = []
    async with emulator_client(emulator) as client:
        start = trio.current_time()
        results = await client.bulk_upload_and_wait(
            emulator.seeded.queue_id,
            files,
            sleep_s=1,
            on_progress=lambda *event: progress.append(event),
        )
        elapsed = trio.current_time() - start
        assert client.limiter.statistics().borrowed_tokens == 0
    assert [r.filename for r in results] == [name for _, name in files]
    assert [r.ok for r in results] == [i != 3 for i in range(41)]
    assert results[3].annotations[0].status == "failed_import"
    assert all(r.annotations[0].status == "to_review" for r in results if r.ok)
    # Waiting is batched: no GET per annotation, one list request (< 100 pending) per round.
    listing = [r for r in emulator.requests if r.path.endswith("/annotations")]
    single = [r for r in emulator.requests if "/annotations/" in r.path and r.method == "GET"]
    assert single == []
    rounds = elapsed / 1  # sleep_s=1
    assert 0 < len(listing) <= rounds + 2, (len(listing), elapsed)
    assert ("uploaded", 41, 41) in progress
    assert progress[-1] == ("imported", 41, 41)


async def test_wait_until_annotations_imported_keeps_input_order(
    tmp_path: pathlib.Path, autojump_clock: object
) -> None:
    emulator = Emulator(import_delay_s=3.0)
    files = write_samples(tmp_path, 5)
    async with emulator_client(emulator) as client:
        with pytest.warns(DeprecationWarning):
            ids = await client.import_document(emulator.seeded.queue_id, files)
        start = trio.current_time()
        annotations = await client.wait_until_annotations_imported(ids[::-1], sleep_s=1)
        assert trio.current_time() - start >= 2.0
    assert [a.id for a in annotations] == ids[::-1]
    assert {a.status for a in annotations} == {"to_review"}


async def test_results_come_as_each_file_is_done(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=1.0)
    emulator.faults.latency_s = 1.0  # uploads take a while: results must not wait for all
    files = write_samples(tmp_path, 16)
    seen: list[tuple[float, BulkUploadResult]] = []
    uploaded_at: list[float] = []
    async with emulator_client(emulator) as client:
        start = trio.current_time()
        async with client.bulk_upload(
            emulator.seeded.queue_id,
            files,
            sleep_s=0.5,
            on_progress=lambda stage, *_: (
                stage == "uploaded" and uploaded_at.append(trio.current_time() - start)
            ),
        ) as run:
            async for result in run:
                seen.append((trio.current_time() - start, result))
                # Final when handed out: imported, with its annotation on the server.
                assert result.status == FileStatus.IMPORTED
                assert result.annotation_ids == [a.id for a in result.annotations]
    assert sorted(r.filename for _, r in seen) == sorted(name for _, name in files)
    assert [r.filename for r in run.results] == [name for _, name in files]  # input order
    assert all(r.ok for r in run.results)
    # The first files were handed out while later ones were still being uploaded.
    assert len(uploaded_at) == 16
    assert seen[0][0] < uploaded_at[-1]


async def test_about_one_request_per_file(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=4.0)
    files = write_samples(tmp_path, 150)
    async with emulator_client(emulator) as client:
        results = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files, sleep_s=2)
        stats = client.request_stats
    assert [r.status for r in results] == [FileStatus.IMPORTED] * 150
    uploads = emulator.requests.filter(method="POST")
    assert len(uploads) == 150  # one POST per file, no task or upload round trips
    assert stats.requests == len(emulator.requests)
    assert stats.requests <= 1.3 * 150, stats


async def test_the_run_counts_its_requests(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=1.0)
    files = write_samples(tmp_path, 5)
    async with emulator_client(emulator) as client:
        await client.retrieve_queue(emulator.seeded.queue_id)  # not part of the run
        async with client.bulk_upload(emulator.seeded.queue_id, files, sleep_s=1) as run:
            pass
    assert run.stats.requests == len(emulator.requests) - 1
    assert run.requests_per_file == run.stats.requests / 5
    assert run.counts() == {"imported": 5}


async def test_a_cancelled_run_keeps_what_happened(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=30.0)
    files = write_samples(tmp_path, 40)
    emulator.faults.latency_s = 0.5  # slow uploads: the cancel comes mid-run
    progress: list[tuple[str, int, int]] = []
    async with emulator_client(emulator, max_in_flight_requests=2) as client:
        with trio.move_on_after(3):
            async with client.bulk_upload(
                emulator.seeded.queue_id,
                files,
                on_progress=lambda *event: progress.append(event),
            ) as run:
                pass
    assert run.finished
    statuses = {str(r.status) for r in run.results}
    assert FileStatus.PENDING not in statuses
    on_server = {a["id"] for a in emulator.objects("annotations")}
    uploaded = [r for r in run.results if r.status == FileStatus.UPLOADED]
    assert uploaded, statuses
    # Every file the run calls uploaded is on the server under the ids it reports ...
    assert {i for r in uploaded for i in r.annotation_ids} <= on_server
    # ... what is on the server is reported, as uploaded or as possibly uploaded ...
    claimed = {i for r in run.results for i in r.annotation_ids}
    unknown = [r for r in run.results if r.status == FileStatus.UNKNOWN]
    assert len(on_server - claimed) <= len(unknown)
    # ... and the rest was never sent.
    assert all(r.status == FileStatus.NOT_SENT for r in run.results if r.on_server is False)
    # Progress counted only what really happened.
    assert max(d for stage, d, _ in progress if stage == "uploaded") == len(uploaded)
    assert all(total == 40 for _, _, total in progress)


async def test_the_emulator_rate_limit_is_waited_out(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    # The real budget (10/s, 429 + Retry-After) on, client settings left at their defaults:
    # an in-process transport starts unpaced, and the first 429s turn the pacer on.
    emulator = Emulator(import_delay_s=3.0)
    emulator.faults.rate_limit_per_s = 10
    files = write_samples(tmp_path, 60)
    async with emulator_client(emulator) as client:
        results = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files)
        stats = client.request_stats
    assert [r.status for r in results] == [FileStatus.IMPORTED] * 60
    assert len(emulator.objects("annotations")) == 60  # nothing uploaded twice
    assert stats.rate_limited <= 0.2 * stats.requests, stats


async def test_concurrent_per_file_helpers_share_the_budget(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=3.0)
    emulator.faults.rate_limit_per_s = 10
    files = write_samples(tmp_path, 30)
    statuses: list[str] = []
    async with emulator_client(emulator, rate_limit_per_second=9) as client:

        async def one(path: pathlib.Path, name: str) -> None:
            annotation = await client.upload_and_wait_until_imported(
                emulator.seeded.queue_id, path, name
            )
            statuses.append(annotation.status)

        async with trio.open_nursery() as nursery:
            for path, name in files:
                nursery.start_soon(one, path, name)
    assert statuses == ["to_review"] * 30
    assert len(emulator.objects("annotations")) == 30


async def test_an_error_that_fails_every_file_stops_the_run(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=1.0)
    files = write_samples(tmp_path, 30)
    async with AsyncRossumAPIClient(
        emulator.base_url, Token("not-a-valid-token"), transport=emulator.transport()
    ) as client:
        results = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files)
    failed = [r for r in results if r.status == FileStatus.FAILED]
    not_sent = [r for r in results if r.status == FileStatus.NOT_SENT]
    assert 1 <= len(failed) <= 4  # only what was already under way
    assert len(failed) + len(not_sent) == 30
    assert all("401" in str(r.error) for r in results)
    assert len(emulator.requests) == len(failed)


async def test_a_bad_file_fails_alone(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=1.0)
    files = write_samples(tmp_path, 4)
    files.insert(1, (tmp_path / "missing.pdf", "missing.pdf"))
    files.insert(3, (tmp_path, "a-directory.pdf"))
    async with emulator_client(emulator) as client:
        results = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files)
    assert [r.status for r in results] == [
        FileStatus.IMPORTED,
        FileStatus.FAILED,
        FileStatus.IMPORTED,
        FileStatus.FAILED,
        FileStatus.IMPORTED,
        FileStatus.IMPORTED,
    ]
    assert "no such file" in str(results[1].error)
    assert "is a directory" in str(results[3].error)


@pytest.mark.parametrize("after_processing", [True, False])
async def test_lost_answers_are_looked_up_before_sending_again(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, after_processing: bool
) -> None:
    # A quarter of the upload answers are lost: after the upload took effect (the file is on
    # the server) or before (it is not). Neither duplicates nor loses a file.
    emulator = Emulator(import_delay_s=1.0)
    emulator.faults.update(
        drop_rate=0.25, drop_after_processing=after_processing, path_pattern="/upload"
    )
    files = write_samples(tmp_path, 30)
    async with emulator_client(emulator) as client:
        results = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files, sleep_s=0.5)
    dropped = [r for r in emulator.requests if r.status is None]
    assert dropped  # the fault really hit
    assert [r.status for r in results] == [FileStatus.IMPORTED] * 30
    on_server = sorted(a["id"] for a in emulator.objects("annotations"))
    assert sorted(i for r in results for i in r.annotation_ids) == on_server  # no duplicates


async def test_an_interrupted_run_resumes_without_sending_a_file_twice(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=5.0)
    emulator.faults.latency_s = 0.3
    files = write_samples(tmp_path, 30)
    async with emulator_client(emulator, max_in_flight_requests=2) as client:
        with trio.move_on_after(2.5):
            async with client.bulk_upload(emulator.seeded.queue_id, files) as first:
                pass
        # Through a report: every result as JSON and back.
        report = [BulkUploadResult.from_dict(r.to_dict()) for r in first.results]
        assert {r.status for r in report} - {"uploaded", "unknown", "not_sent"} == set()
        sent_before = len(emulator.requests.filter(method="POST"))
        results = await client.bulk_upload_and_wait(
            emulator.seeded.queue_id, files, resume=report, since=first.started_at
        )
    assert [r.status for r in results] == [FileStatus.IMPORTED] * 30
    documents = emulator.objects("documents")
    assert len(documents) == 30  # nothing uploaded twice
    resent = len(emulator.requests.filter(method="POST")) - sent_before
    carried = sum(1 for r in report if r.annotation_ids)
    assert resent <= 30 - carried


async def test_resuming_looks_unknown_uploads_up_by_name_and_bytes(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=1.0)
    files = write_samples(tmp_path, 3)
    async with emulator_client(emulator) as client:
        # Only the first file reaches the server; the run "lost" its answer.
        done = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files[:1])
        earlier = [
            BulkUploadResult(filename=name, path=str(path), status=FileStatus.UNKNOWN)
            for path, name in files
        ]
        # A document with the second file's name but other bytes is not taken for it.
        other = tmp_path / "other" / files[1][1]
        other.parent.mkdir()
        other.write_bytes(files[2][0].read_bytes())
        await client.bulk_upload_and_wait(emulator.seeded.queue_id, [(other, files[1][1])])
        uploads_before = len(emulator.requests.filter(method="POST"))
        results = await client.bulk_upload_and_wait(
            emulator.seeded.queue_id, files, resume=earlier, since="2000-01-01T00:00:00Z"
        )
    assert [r.status for r in results] == [FileStatus.IMPORTED] * 3
    assert results[0].annotation_ids == done[0].annotation_ids  # found, not sent again
    assert len(emulator.requests.filter(method="POST")) - uploads_before == 2
    assert len(emulator.objects("documents")) == 4  # 1 + the look-alike + the 2 sent now
