"""End to end: a script in the style of the official SyncRossumAPIClient, run unchanged on
ours against the embedded emulator (in-process transport, no sockets)."""

from __future__ import annotations

import pathlib
import warnings

import pytest

from rossum_trio import ExportFileFormats, SyncRossumAPIClient, UserCredentials
from rossum_trio.emulator import Emulator
from tests.support.files import write_samples


@pytest.fixture
def samples(tmp_path: pathlib.Path) -> list[tuple[pathlib.Path, str]]:
    return write_samples(tmp_path, 3)


def test_official_style_script(samples: list[tuple[pathlib.Path, str]]) -> None:
    emulator = Emulator(import_delay_s=0.05)
    client = SyncRossumAPIClient(
        base_url=emulator.base_url,
        credentials=UserCredentials(emulator.username, emulator.password),
        transport=emulator.transport(),
    )
    with client:
        org = client.retrieve_own_organization()
        ws = client.create_new_workspace({"name": "Sync WS", "organization": org.url})
        schema = next(iter(client.list_schemas()))
        queue = client.create_new_queue(
            {"name": "Sync Q", "workspace": ws.url, "schema": schema.url}
        )
        assert [w.id for w in client.list_workspaces(name="Sync WS")] == [ws.id]

        # upload_document: the real answer is {"url": <task>} (the official sync client fails)
        tasks = client.upload_document(queue.id, samples)
        assert len(tasks) == 3
        for task in tasks:
            done = client.poll_task_until_succeeded(task.id, sleep_s=0.02, timeout=10)
            assert done.status == "succeeded"
        annotations = list(client.list_annotations(queue=queue.id))
        assert len(annotations) == 3
        ids = [a.id for a in annotations if a.id is not None]
        for annotation_id in ids:
            imported = client.poll_annotation_until_imported(
                annotation_id, sleep_s=0.02, timeout=10
            )
            assert imported.status == "to_review"

        with_docs = list(client.list_annotations(sideloads=["documents"], queue=queue.id))
        assert all(not isinstance(a.document, str) for a in with_docs)
        found = list(client.search_for_annotations(query={"$and": [{"queue": {"$eq": queue.url}}]}))
        assert {a.id for a in found} == set(ids)

        first = ids[0]
        client.start_annotation(first)
        client.bulk_update_annotation_data(first, [])
        client.confirm_annotation(first)
        assert client.retrieve_annotation(first).status in {"confirmed", "exported"}

        csv_bytes = b"".join(client.export_annotations_to_file(queue.id, ExportFileFormats.CSV))
        assert csv_bytes.startswith(b"Invoice number,")
        assert len(list(client.export_annotations_to_json(queue.id))) == 3

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert client.retrieve_my_organization().id == org.id

        client.delete_queue(queue.id)
        client.delete_workspace(ws.id)
        assert ws.id not in {w.id for w in client.list_workspaces()}
    logins = emulator.requests.filter("POST", "/auth/login")
    assert len(logins) == 1  # one login for the whole script, across all trio.run calls
