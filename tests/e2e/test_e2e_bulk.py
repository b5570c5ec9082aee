"""End to end against the embedded emulator: bulk upload, batched waiting (the command line:
``tests/cli/``)."""

from __future__ import annotations

import pathlib

import pytest
import trio
import trio.testing

from rossum_trio import AsyncRossumAPIClient, Token
from rossum_trio.emulator import Emulator, sample_invoices


@pytest.fixture
def idle_autojump_clock() -> trio.testing.MockClock:
    """Virtual time that jumps only when trio has been idle for 50 ms of real time: files
    are read in worker threads, and a clock that jumps while a thread reads would make the
    upload phase look arbitrarily slow in virtual time (and the poll count flaky)."""
    return trio.testing.MockClock(autojump_threshold=0.05)


def write_samples(folder: pathlib.Path, count: int) -> list[tuple[pathlib.Path, str]]:
    files = []
    for name, pdf in sample_invoices(count):
        (folder / name).write_bytes(pdf)
        files.append((folder / name, name))
    return files


async def test_bulk_upload_and_wait(
    tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock
) -> None:
    emulator = Emulator(import_delay_s=5.0)
    files = write_samples(tmp_path, 40)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")  # the emulator fails the import of an empty file
    files.insert(3, (empty, "empty.pdf"))
    progress: list[tuple[str, int, int]] = []
    async with AsyncRossumAPIClient(
        emulator.base_url, Token(emulator.token), transport=emulator.transport()
    ) as client:
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
    async with AsyncRossumAPIClient(
        emulator.base_url, Token(emulator.token), transport=emulator.transport()
    ) as client:
        with pytest.warns(DeprecationWarning):
            ids = await client.import_document(emulator.seeded.queue_id, files)
        start = trio.current_time()
        annotations = await client.wait_until_annotations_imported(ids[::-1], sleep_s=1)
        assert trio.current_time() - start >= 2.0
    assert [a.id for a in annotations] == ids[::-1]
    assert {a.status for a in annotations} == {"to_review"}
