"""Ids from URLs: ``Task.upload_id``, ``Upload.document_ids``/``annotation_ids`` and the public
``parse_resource_id_from_url``, so users never split URLs by hand."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

import rossum_api.domain_logic.urls
import rossum_trio
from rossum_trio import AsyncRossumAPIClient, parse_resource_id_from_url
from rossum_trio.emulator import Emulator
from rossum_trio.models import Task, Upload
from tests.support import BASE
from tests.support.files import write_samples


def task(**fields: Any) -> Task:
    payload = {
        "id": 4000,
        "url": f"{BASE}/tasks/4000",
        "type": "upload_created",
        "status": "succeeded",
        "expires_at": "2026-01-02T00:00:00Z",
        **fields,
    }
    return msgspec.json.decode(msgspec.json.encode(payload), type=Task)


def test_parse_resource_id_from_url_is_public_and_the_official_one() -> None:
    assert "parse_resource_id_from_url" in rossum_trio.__all__
    assert rossum_api.domain_logic.urls.parse_resource_id_from_url is parse_resource_id_from_url
    assert parse_resource_id_from_url(f"{BASE}/annotations/315777") == 315777
    assert parse_resource_id_from_url(f"{BASE}/annotations/315777/content") == 315777
    assert parse_resource_id_from_url(f"{BASE}/queues/8199/?page=2") == 8199
    with pytest.raises(ValueError, match="no numeric object id"):
        parse_resource_id_from_url(f"{BASE}/queues")


def test_task_upload_id_from_content() -> None:
    assert task(content={"upload": f"{BASE}/uploads/3000"}).upload_id == 3000


def test_task_upload_id_falls_back_to_the_result_url_of_an_upload_task() -> None:
    assert task(result_url=f"{BASE}/uploads/3001").upload_id == 3001
    # Another kind of task points its result_url elsewhere (a download): no upload.
    download = task(type="documents_download", result_url=f"{BASE}/documents/downloads/9")
    assert download.upload_id is None


@pytest.mark.parametrize("content", [None, {}, {"upload": None}])
def test_task_without_upload_has_no_upload_id(content: dict[str, Any] | None) -> None:
    assert task(status="running", content=content).upload_id is None


def test_upload_ids_follow_the_urls_in_order() -> None:
    upload = msgspec.convert(
        {
            "id": 3000,
            "url": f"{BASE}/uploads/3000",
            "queue": f"{BASE}/queues/8199",
            "organization": f"{BASE}/organizations/1",
            "creator": f"{BASE}/users/10",
            "created_at": "2026-01-01T00:00:00Z",
            "documents": [f"{BASE}/documents/1001", f"{BASE}/documents/1000"],
            "annotations": [f"{BASE}/annotations/2001", f"{BASE}/annotations/2000"],
        },
        Upload,
    )
    assert upload.document_ids == [1001, 1000]
    assert upload.annotation_ids == [2001, 2000]
    importing = msgspec.convert({**msgspec.to_builtins(upload), "annotations": []}, Upload)
    assert importing.annotation_ids == []


def test_ids_are_not_fields() -> None:
    # Properties only: they are not encoded and do not change what the models accept.
    assert "upload_id" not in msgspec.to_builtins(task(content={"upload": f"{BASE}/uploads/1"}))
    assert "annotation_ids" not in Upload.__struct_fields__


async def test_upload_flow_without_splitting_urls(
    rossum_client: AsyncRossumAPIClient, rossum_emulator: Emulator, tmp_path: Any
) -> None:
    ((path, name),) = write_samples(tmp_path, 1)
    queue_id = rossum_emulator.seeded.queue_id
    tasks = await rossum_client.upload_document(queue_id, [(path, name)])
    succeeded = await rossum_client.poll_task_until_succeeded(tasks[0].id, sleep_s=0)
    assert succeeded.upload_id is not None
    upload = await rossum_client.retrieve_upload(succeeded.upload_id)
    assert upload.id == succeeded.upload_id
    (document_id,) = upload.document_ids
    assert (await rossum_client.retrieve_document(document_id)).original_file_name == name
    (annotation_id,) = upload.annotation_ids
    annotation = await rossum_client.poll_annotation_until_imported(annotation_id, sleep_s=0)
    assert annotation.status == "to_review"
