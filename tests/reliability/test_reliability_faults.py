"""End to end under the emulator's fault knobs: what the figures of docs/reliability.md count.

Listings read under 25-60% failed or dropped requests deliver every item once, in order; bulk
runs under dropped answers, server errors and 429s end with a result for every file, nothing
twice on the server, nothing on the server reported as failed; the blocking client too.
"""

from __future__ import annotations

import pathlib
from collections import Counter
from typing import Any

import pytest
import trio
import trio.testing

from rossum_trio.emulator import Emulator
from tests.support.clients import borrowed, emulator_client, sync_emulator_client
from tests.support.emulator import documents_by_name
from tests.support.figures import Figures, account_bulk, status_of
from tests.support.files import write_samples

WORKSPACES = 250


def seeded(count: int = WORKSPACES, **faults: Any) -> tuple[Emulator, list[int]]:
    """An emulator holding ``count`` more workspaces (created before the faults are set)."""
    emulator = Emulator(import_delay_s=1, seed=7)

    async def create() -> list[int]:
        organization = f"{emulator.base_url}/organizations/{emulator.seeded.organization_id}"
        async with emulator_client(emulator) as client:
            for i in range(count):
                await client.create_new_workspace({"name": f"ws-{i}", "organization": organization})
            return [w.id async for w in client.list_workspaces(ordering=["id"])]

    ids = trio.run(create)
    emulator.faults.update(**faults)
    return emulator, ids


def account_listing(figures: Figures, delivered: list[int], expected: list[int]) -> None:
    counts = Counter(delivered)
    figures.add("items_expected", len(expected))
    figures.add("items_delivered", len(delivered))
    figures.add("items_duplicated", sum(n - 1 for n in counts.values() if n > 1))
    figures.add("items_missing", len(set(expected) - set(counts)))


FAULTS = {
    "25% errors": {"error_rate": 0.25},
    "60% errors": {"error_rate": 0.6},
    "40% dropped": {"drop_rate": 0.4},
    "60% mixed, slow": {
        "error_rate": 0.3,
        "drop_rate": 0.3,
        "latency_s": 0.05,
        "latency_jitter_s": 0.2,
        "error_statuses": (429, 500, 502, 503, 504),
        "retry_after_s": 1,
    },
}


@pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
@pytest.mark.parametrize("page_size", [100, 7])
def test_listings_under_faults(page_size: int, faults: dict[str, Any], figures: Figures) -> None:
    emulator, expected = seeded(**faults)

    async def read() -> list[int]:
        async with emulator_client(
            emulator,
            n_retries=25,
            retry_backoff_factor=0.01,
            retry_max_jitter=0.0,
        ) as client:
            with figures.call(3600):
                ids = [
                    w.id async for w in client.list_workspaces(ordering=["id"], page_size=page_size)
                ]
            figures.add("slots_checked")
            figures.add("slots_held", borrowed(client))
            return ids  # type: ignore[return-value]

    delivered = trio.run(read, clock=trio.testing.MockClock(autojump_threshold=0))
    account_listing(figures, delivered, expected)
    assert delivered == expected


def test_the_blocking_client_lists_under_faults(figures: Figures) -> None:
    emulator, expected = seeded(error_rate=0.4, drop_rate=0.1)
    with sync_emulator_client(
        emulator,
        n_retries=25,
        retry_backoff_factor=0.0,
        retry_max_jitter=0.0,
    ) as client:
        figures.add("calls_started")
        delivered = [w.id for w in client.list_workspaces(ordering=["id"], page_size=20)]
        figures.add("calls_ended")
    account_listing(figures, delivered, expected)  # type: ignore[arg-type]
    assert delivered == expected


BULK_FAULTS = {
    "25% answers lost": {
        "path_pattern": "upload",
        "drop_rate": 0.25,
        "drop_after_processing": True,
    },
    "30% errors and 429s": {"error_rate": 0.3, "error_statuses": (429, 500, 502, 503)},
    "everything": {
        "drop_rate": 0.15,
        "drop_after_processing": True,
        "error_rate": 0.25,
        "error_statuses": (429, 500, 503),
        "latency_s": 0.1,
        "latency_jitter_s": 0.3,
    },
}


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("faults", BULK_FAULTS.values(), ids=BULK_FAULTS.keys())
async def test_bulk_under_faults(
    faults: dict[str, Any],
    seed: int,
    tmp_path: pathlib.Path,
    idle_autojump_clock: trio.testing.MockClock,
    figures: Figures,
) -> None:
    emulator = Emulator(import_delay_s=2, seed=seed)
    emulator.faults.update(**faults)
    files = write_samples(tmp_path, 30)
    async with emulator_client(
        emulator,
        n_retries=5,
        retry_backoff_factor=0.2,
        retry_max_jitter=0.0,
    ) as client:
        with figures.call(3600):
            results = await client.bulk_upload_and_wait(emulator.seeded.queue_id, files, sleep_s=1)
        figures.add("slots_checked")
        figures.add("slots_held", borrowed(client))
    names = [name for _, name in files]
    counts = account_bulk(figures, results, names, documents_by_name(emulator))
    assert counts == {"lost": 0, "duplicates": 0, "hidden": 0}
    on_server = documents_by_name(emulator)
    for result in results:
        status = status_of(result)
        if status == "imported":
            assert on_server[result.filename] == 1 and result.annotation_ids
        elif status == "unknown":
            assert result.error is not None  # said so, with the reason
        else:
            assert status == "failed" and result.error is not None
