"""Drive the official ``rossum-api`` 3.17.0 clients against a running emulator.

Run by ``test_emulator_official_client.py`` inside a throwaway venv that has ``rossum-api``
installed: ``python official_client_script.py <base_url> <username> <password> <workdir>``.
Prints ``OK <step>`` per step and exits non-zero on the first failure.
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from pathlib import Path

from rossum_api import AsyncRossumAPIClient, SyncRossumAPIClient
from rossum_api.domain_logic.annotations import ExportFileFormats
from rossum_api.dtos import Token, UserCredentials


def ok(step: str) -> None:
    print(f"OK {step}", flush=True)


def main(base_url: str, username: str, password: str, workdir: Path) -> None:
    warnings.simplefilter("ignore", DeprecationWarning)
    client = SyncRossumAPIClient(base_url=base_url, credentials=UserCredentials(username, password))
    # dict deserializer: the export view (document/schema as objects) as the docs show it
    raw = SyncRossumAPIClient(
        base_url=base_url,
        credentials=UserCredentials(username, password),
        deserializer=lambda resource, payload: payload,
    )

    org = client.retrieve_own_organization()
    assert org.name and org.workspaces, org
    ok("retrieve_own_organization")

    # --- CRUD of workspaces / schemas / queues ---
    ws = client.create_new_workspace({"name": "Faithfulness WS", "organization": org.url})
    assert ws.organization.endswith(f"/organizations/{org.id}"), ws
    schema = next(iter(client.list_schemas()))
    queue = client.create_new_queue(
        {"name": "Faithfulness Q", "workspace": ws.url, "schema": schema.url}
    )
    assert client.retrieve_queue(queue.id).name == "Faithfulness Q"
    assert queue.url in client.retrieve_workspace(ws.id).queues
    assert {q.id for q in client.list_queues()} >= {queue.id}
    assert [w.id for w in client.list_workspaces(name="Faithfulness WS")] == [ws.id]
    ok("crud_create_list_retrieve")

    # --- hooks: what the emulator accepts, the official models read back ---
    hook = client.create_new_hook(
        {
            "name": "Faithfulness hook",
            "type": "webhook",
            "queues": [queue.url],
            "events": ["annotation_status", "annotation_content.updated"],
            "config": {"url": "https://example.com/hook", "timeout_s": 30},
        }
    )
    listed = [h for h in client.list_hooks() if h.id == hook.id]
    # a whole event ("annotation_status") is stored as its actions: the official model reads them
    assert [[str(e) for e in h.events] for h in listed] == [
        ["annotation_status.changed", "annotation_content.updated"]
    ]
    assert client.retrieve_hook(hook.id).queues == [queue.url]
    client.delete_hook(hook.id)
    ok("create_new_hook+list_hooks+retrieve_hook+delete_hook")

    # --- import (legacy upload) + poll ---
    sample = workdir / "invoice.pdf"
    annotation_ids = client.import_document(
        queue.id, [(sample, "invoice_a.pdf")], metadata={"k": 1}
    )
    assert len(annotation_ids) == 1
    ann = client.poll_annotation_until_imported(annotation_ids[0], sleep_s=1)
    assert ann.status == "to_review", ann.status
    assert ann.metadata == {"k": 1}
    ok("import_document+poll_annotation_until_imported")

    # --- upload: the official SYNC upload_document is broken (KeyError 'results' on {"url": task})
    try:
        client.upload_document(queue.id, [(sample, "invoice_b.pdf")])
    except KeyError as exc:
        if exc.args != ("results",):
            raise
        ok("sync upload_document: known upstream KeyError('results')")
    else:
        raise AssertionError("sync upload_document unexpectedly worked")

    async def upload_async() -> None:
        aclient = AsyncRossumAPIClient(
            base_url=base_url, credentials=Token(client.internal_client.token)
        )
        tasks = await aclient.upload_document(queue.id, [(str(sample), "invoice_c.pdf")])
        assert len(tasks) == 1
        task = await aclient.poll_task_until_succeeded(tasks[0].id, sleep_s=1)
        assert task.status.value == "succeeded" and task.result_url, task
        upload = await aclient.retrieve_upload(int(task.result_url.rstrip("/").split("/")[-1]))
        assert upload.documents and upload.annotations, upload
        aid = int(upload.annotations[0].split("/")[-1])
        done = await aclient.poll_annotation_until_imported(aid, sleep_s=1)
        assert done.status == "to_review"

    asyncio.run(upload_async())
    ok("async upload_document+poll_task_until_succeeded+retrieve_upload")

    # --- listing with sideloads, search ---
    anns = list(client.list_annotations(sideloads=["documents"], queue=queue.id))
    assert len(anns) >= 3, anns
    assert all(not isinstance(a.document, str) and a.document.original_file_name for a in anns)
    ok("list_annotations+sideload documents")

    content_anns = list(
        client.list_annotations(
            sideloads=["content"], content_schema_ids=["amount_total"], queue=queue.id
        )
    )
    assert all(isinstance(a.content, list) and len(a.content) == 1 for a in content_anns)
    ok("list_annotations+sideload content")

    found = list(client.search_for_annotations(query={"$and": [{"queue": {"$eq": queue.url}}]}))
    assert {a.id for a in found} == {a.id for a in anns}
    found = list(client.search_for_annotations(query_string={"string": "invoice_a"}))
    assert [a.id for a in found] == [annotation_ids[0]], found
    ok("search_for_annotations")

    # --- annotation actions, content ---
    client.start_annotation(annotation_ids[0])
    client.bulk_update_annotation_data(annotation_ids[0], [])
    client.confirm_annotation(annotation_ids[0])
    ok("start/confirm")

    # --- export ---
    exported = list(raw.export_annotations_to_json(queue.id))
    assert len(exported) >= 3 and all(e["document"]["file_name"] for e in exported), exported
    assert all(e["content"] for e in exported)
    ok("export_annotations_to_json")
    csv_bytes = b"".join(client.export_annotations_to_file(queue.id, ExportFileFormats.CSV))
    assert csv_bytes.startswith(b"Invoice number,"), csv_bytes[:200]
    assert len(csv_bytes.splitlines()) >= 4
    xml_bytes = b"".join(client.export_annotations_to_file(queue.id, ExportFileFormats.XML))
    assert xml_bytes.startswith(b"<?xml") and b"<annotation " in xml_bytes
    ok("export_annotations_to_file csv+xml")

    # --- deletes ---
    client.delete_queue(queue.id)
    client.delete_workspace(ws.id)
    assert ws.id not in {w.id for w in client.list_workspaces()}
    ok("delete_queue+delete_workspace")
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]))
