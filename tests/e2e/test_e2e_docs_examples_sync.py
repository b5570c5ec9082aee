"""Every example of the official "API Clients" documentation page, in its sync form, on our
``SyncRossumAPIClient`` against the emulator (in-process). Names come from the official import
paths; only ids and URLs are the emulator's instead of the page's placeholders."""

from __future__ import annotations

import pathlib

import pytest
from httpx import HTTPStatusError

from rossum_api import SyncRossumAPIClient
from rossum_api.domain_logic.annotations import ExportFileFormats
from rossum_api.dtos import Token, UserCredentials
from rossum_api.models.relation import RelationType
from rossum_trio.emulator import Emulator


@pytest.fixture
def client(emulator: Emulator) -> SyncRossumAPIClient:
    return SyncRossumAPIClient(
        base_url=emulator.base_url,
        credentials=Token(emulator.token),
        transport=emulator.transport(),
    )


def test_authentication(emulator: Emulator) -> None:
    credentials = UserCredentials(username=emulator.username, password=emulator.password)
    with SyncRossumAPIClient(
        base_url=emulator.base_url, credentials=credentials, transport=emulator.transport()
    ) as client:
        token = client.get_token()
        assert client.get_token(refresh=True) != token
        client.authenticate()
        assert [w.name for w in client.list_workspaces()]


def test_annotations_documents_export_errors(
    client: SyncRossumAPIClient, emulator: Emulator, invoice: pathlib.Path
) -> None:
    queue_id = emulator.seeded.queue_id
    with client:
        # Working with Documents
        tasks = client.upload_document(queue_id=queue_id, files=[(str(invoice), "invoice.pdf")])
        task = client.poll_task_until_succeeded(tasks[0].id)
        upload = client.retrieve_upload(int(task.content["upload"].rsplit("/", 1)[1]))
        document_id = int(upload.documents[0].rsplit("/", 1)[1])
        document = client.retrieve_document(document_id)
        content = client.retrieve_document_content(document_id)
        assert document.original_file_name == "invoice.pdf"
        document = client.create_new_document(
            file_name="invoice.pdf", file_data=content, metadata={"source": "email"}
        )
        assert document.metadata == {"source": "email"}
        annotation = client.upload_and_wait_until_imported(
            queue_id=queue_id, filepath=str(invoice), filename="invoice.pdf"
        )
        # Working with Annotations
        annotation = client.retrieve_annotation(annotation.id)
        listed = client.list_annotations(status="to_review", ordering=["-created_at"])
        assert annotation.id in [a.id for a in listed]
        searched = client.search_for_annotations(
            query={"$and": [{"status": {"$eq": "to_review"}}]}, ordering=["-created_at"]
        )
        assert annotation.id in [a.id for a in searched]
        annotation = client.poll_annotation_until_imported(annotation.id)
        client.start_annotation(annotation.id)
        client.confirm_annotation(annotation.id)
        confirmed = client.retrieve_annotation(annotation.id)
        updated = client.update_annotation(
            annotation_id=annotation.id,
            data={
                "document": confirmed.document,
                "queue": confirmed.queue,
                "schema": confirmed.schema,
                "status": "confirmed",
            },
        )
        assert updated.status == "confirmed"
        # Export Operations
        exported = client.export_annotations_to_json(queue_id=queue_id, status="confirmed")
        assert [a.id for a in exported] == [annotation.id]
        chunks = list(
            client.export_annotations_to_file(
                queue_id=queue_id, export_format=ExportFileFormats.CSV, status="confirmed"
            )
        )
        assert b"".join(chunks).count(b"\n") >= 2
        # Error Handling
        with pytest.raises(HTTPStatusError) as info:
            client.retrieve_annotation(99999)
        assert info.value.response.status_code == 404


def test_workspaces_queues_relations_resources(
    client: SyncRossumAPIClient, emulator: Emulator, invoice: pathlib.Path
) -> None:
    with client:
        organization_url = client.retrieve_own_organization().url
        schema_url = client.retrieve_queue(emulator.seeded.queue_id).schema
        workspace = client.create_new_workspace(
            data={"name": "My Workspace", "organization": organization_url}
        )
        workspace = client.retrieve_workspace(workspace.id)
        assert "My Workspace" in [w.name for w in client.list_workspaces()]
        queue = client.create_new_queue(
            data={"name": "Invoices", "workspace": workspace.url, "schema": schema_url}
        )
        queue = client.retrieve_queue(queue.id)
        assert [q.name for q in client.list_queues(workspace=workspace.id)] == ["Invoices"]
        assert [q.id for q in client.list_queues(workspace=workspace.id, ordering=["-id"])]
        client.delete_queue(queue.id)
        assert [u.email for u in client.list_users()]

        parent = client.upload_and_wait_until_imported(emulator.seeded.queue_id, invoice, "a.pdf")
        child = client.upload_and_wait_until_imported(emulator.seeded.queue_id, invoice, "b.pdf")
        relation = client.create_new_relation(
            data={"type": "attachment", "parent": parent.url, "annotations": [child.url]}
        )
        assert relation.type == RelationType.ATTACHMENT
        assert relation.id in [r.id for r in client.list_relations()]
        assert all(r.type == "duplicate" for r in client.list_relations(type="duplicate"))
        assert relation.id in [r.id for r in client.list_relations(parent=parent.id)]

        orgs = list(client.list_organizations())
        org = client.retrieve_organization(orgs[0].id)
        with pytest.warns(DeprecationWarning):
            assert client.retrieve_my_organization().id == org.id
        schema = client.create_new_schema(data={"name": "Invoice Schema", "content": []})
        assert schema.id in [s.id for s in client.list_schemas()]
        user = client.create_new_user(
            data={"email": "john@example.com", "first_name": "John", "last_name": "Doe"}
        )
        assert user.last_name == "Doe"
        assert [role.name for role in client.list_user_roles()]
        hook = client.create_new_hook(
            data={"name": "My Hook", "target": "https://example.com/webhook"}
        )
        connector = client.create_new_connector(
            data={"name": "My Connector", "connector_type": "webhook"}
        )
        assert connector.name == "My Connector"
        # Generic Request Methods (a real endpoint stands in for "custom/endpoint")
        items = list(client.request_paginated("hooks", ordering=["id"]))
        assert [item["id"] for item in items] == [hook.id]
        assert client.request_json("POST", "hooks", json={"name": "Raw"})["name"] == "Raw"
        assert client.request("GET", "hooks").status_code == 200
