"""Every example of the official "API Clients" documentation page, in trio form, against the
emulator (in-process). Names come from the official import paths, as a user would write them;
only the ids and URLs are the emulator's instead of the page's placeholders."""

from __future__ import annotations

import pathlib

import pytest
from httpx import HTTPStatusError

from rossum_api import AsyncRossumAPIClient
from rossum_api.domain_logic.annotations import ExportFileFormats
from rossum_api.dtos import Token, UserCredentials
from rossum_api.models.relation import RelationType
from rossum_trio.emulator import Emulator, sample_invoices


def make_client(emulator: Emulator, credentials: Token | UserCredentials) -> AsyncRossumAPIClient:
    return AsyncRossumAPIClient(
        base_url=emulator.base_url, credentials=credentials, transport=emulator.transport()
    )


async def test_authentication_and_client_configuration(emulator: Emulator) -> None:
    credentials = UserCredentials(username=emulator.username, password=emulator.password)
    client = AsyncRossumAPIClient(
        base_url=emulator.base_url,
        credentials=credentials,
        timeout=30.0,
        n_retries=5,
        retry_backoff_factor=2.0,
        retry_max_jitter=1.0,
        max_in_flight_requests=8,
        transport=emulator.transport(),
    )
    async with client:
        token = await client.get_token()
        refreshed = await client.get_token(refresh=True)
        await client.authenticate()
        assert token != refreshed
        assert await client.get_token() not in (token, refreshed)
    async with make_client(emulator, Token(emulator.token)) as client:
        assert [w.name async for w in client.list_workspaces()]


async def test_working_with_documents_and_annotations(
    emulator: Emulator, invoice: pathlib.Path
) -> None:
    queue_id = emulator.seeded.queue_id
    async with make_client(emulator, Token(emulator.token)) as client:
        # Working with Documents
        tasks = await client.upload_document(
            queue_id=queue_id, files=[(str(invoice), "invoice.pdf")]
        )
        task = await client.poll_task_until_succeeded(tasks[0].id)
        upload = await client.retrieve_upload(int(task.content["upload"].rsplit("/", 1)[1]))
        document_id = int(upload.documents[0].rsplit("/", 1)[1])
        document = await client.retrieve_document(document_id)
        content = await client.retrieve_document_content(document_id)
        assert document.original_file_name == "invoice.pdf"
        assert content == sample_invoices(1)[0][1]
        document = await client.create_new_document(
            file_name="invoice.pdf", file_data=content, metadata={"source": "email"}
        )
        assert document.metadata == {"source": "email"}
        annotation = await client.upload_and_wait_until_imported(
            queue_id=queue_id, filepath=str(invoice), filename="invoice.pdf"
        )
        assert annotation.status == "to_review"

        # Working with Annotations
        annotation = await client.retrieve_annotation(annotation.id)
        listed = [
            a async for a in client.list_annotations(status="to_review", ordering=["-created_at"])
        ]
        assert annotation.id in [a.id for a in listed]
        searched = [
            a
            async for a in client.search_for_annotations(
                query={"$and": [{"status": {"$eq": "to_review"}}]}, ordering=["-created_at"]
            )
        ]
        assert annotation.id in [a.id for a in searched]
        annotation = await client.poll_annotation_until_imported(annotation.id)
        await client.start_annotation(annotation.id)
        await client.confirm_annotation(annotation.id)
        confirmed = await client.retrieve_annotation(annotation.id)
        assert confirmed.status in ("confirmed", "exporting", "exported")
        updated = await client.update_annotation(
            annotation_id=annotation.id,
            data={**_writable(confirmed), "status": "confirmed"},
        )
        assert updated.status == "confirmed"

        # Export Operations
        exported = [
            a
            async for a in client.export_annotations_to_json(queue_id=queue_id, status="confirmed")
        ]
        assert [a.id for a in exported] == [annotation.id]
        chunks = [
            chunk
            async for chunk in client.export_annotations_to_file(
                queue_id=queue_id, export_format=ExportFileFormats.CSV, status="confirmed"
            )
        ]
        assert b"".join(chunks).count(b"\n") >= 2

        # Error Handling
        with pytest.raises(HTTPStatusError) as info:
            await client.retrieve_annotation(99999)
        assert info.value.response.status_code == 404


def _writable(annotation: object) -> dict[str, object]:
    return {
        "document": annotation.document,  # type: ignore[attr-defined]
        "queue": annotation.queue,  # type: ignore[attr-defined]
        "schema": annotation.schema,  # type: ignore[attr-defined]
    }


async def test_workspaces_queues_and_pagination(emulator: Emulator) -> None:
    async with make_client(emulator, Token(emulator.token)) as client:
        organization_url = (await client.retrieve_own_organization()).url
        schema_url = (await client.retrieve_queue(emulator.seeded.queue_id)).schema
        workspace = await client.create_new_workspace(
            data={"name": "My Workspace", "organization": organization_url}
        )
        workspace = await client.retrieve_workspace(workspace.id)
        assert "My Workspace" in [w.name async for w in client.list_workspaces()]
        queue = await client.create_new_queue(
            data={"name": "Invoices", "workspace": workspace.url, "schema": schema_url}
        )
        queue = await client.retrieve_queue(queue.id)
        assert [q.name async for q in client.list_queues(workspace=workspace.id)] == ["Invoices"]
        assert [q.id async for q in client.list_queues(workspace=workspace.id, ordering=["-id"])]
        await client.delete_queue(queue.id)
        assert [u.email async for u in client.list_users()]


async def test_relations(emulator: Emulator, invoice: pathlib.Path) -> None:
    queue_id = emulator.seeded.queue_id
    async with make_client(emulator, Token(emulator.token)) as client:
        parent = await client.upload_and_wait_until_imported(queue_id, invoice, "a.pdf")
        child = await client.upload_and_wait_until_imported(queue_id, invoice, "b.pdf")
        relation = await client.create_new_relation(
            data={"type": "attachment", "parent": parent.url, "annotations": [child.url]}
        )
        assert relation.type == RelationType.ATTACHMENT
        assert relation.id in [r.id async for r in client.list_relations()]
        # the same file twice: the emulator links them as duplicates, as the API does
        duplicates = [r async for r in client.list_relations(type="duplicate")]
        assert all(r.type is RelationType.DUPLICATE for r in duplicates)
        by_parent = [r async for r in client.list_relations(parent=parent.id)]
        assert [r.annotations for r in by_parent if r.id == relation.id] == [[child.url]]


async def test_additional_resources_and_generic_requests(emulator: Emulator) -> None:
    async with make_client(emulator, Token(emulator.token)) as client:
        orgs = [org async for org in client.list_organizations()]
        org = await client.retrieve_organization(orgs[0].id)
        with pytest.warns(DeprecationWarning):
            my_org = await client.retrieve_my_organization()
        assert my_org.id == org.id
        schema = await client.create_new_schema(data={"name": "Invoice Schema", "content": []})
        assert schema.id in [s.id async for s in client.list_schemas()]
        user = await client.create_new_user(
            data={"email": "user@example.com", "first_name": "John", "last_name": "Doe"}
        )
        assert user.first_name == "John"
        assert [role.name async for role in client.list_user_roles()]
        hook = await client.create_new_hook(
            data={"name": "My Hook", "target": "https://example.com/webhook"}
        )
        assert hook.name == "My Hook"
        connector = await client.create_new_connector(
            data={"name": "My Connector", "connector_type": "webhook"}
        )
        assert connector.name == "My Connector"
        # Generic Request Methods (a real endpoint stands in for "custom/endpoint")
        items = [item async for item in client.request_paginated("hooks", ordering=["id"])]
        assert [item["name"] for item in items] == ["My Hook"]
        response = await client.request_json("POST", "hooks", json={"name": "Raw hook"})
        assert response["name"] == "Raw hook"
        raw = await client.request("GET", "hooks")
        assert raw.status_code == 200
