"""Decoding realistic API payloads (shapes from rossum-api-wire.md) into the models."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

from rossum_trio._resources import Resource
from rossum_trio.models import (
    Annotation,
    AutomationBlocker,
    Document,
    DocumentRelationType,
    Email,
    EmailType,
    Hook,
    HookEventAndAction,
    Organization,
    Queue,
    Relation,
    RelationType,
    Task,
    TaskStatus,
    TaskType,
    Upload,
    User,
    Workspace,
    decode_resource,
    decoder_for,
    deserialize_default,
)
from tests.support import BASE
from tests.support.payloads import REFERENCE_WORKSPACE

ANNOTATION: dict[str, Any] = {
    "id": 314528,
    "url": f"{BASE}/annotations/314528",
    "status": "to_review",
    "document": f"{BASE}/documents/314628",
    "queue": f"{BASE}/queues/8199",
    "schema": f"{BASE}/schemas/95",
    "relations": [],
    "pages": [f"{BASE}/pages/558598"],
    "creator": f"{BASE}/users/1",
    "modifier": None,
    "modified_by": None,
    "created_at": "2021-04-26T10:08:03.856648Z",
    "assigned_at": None,
    "confirmed_at": None,
    "deleted_at": None,
    "exported_at": None,
    "export_failed_at": None,
    "modified_at": None,
    "purged_at": None,
    "rejected_at": None,
    "confirmed_by": None,
    "deleted_by": None,
    "exported_by": None,
    "purged_by": None,
    "rejected_by": None,
    "rir_poll_id": "54f6b9ecfa751789f71ddf12",
    "messages": None,
    "content": f"{BASE}/annotations/314528/content",
    "suggested_edit": None,
    "time_spent": 0,
    "metadata": {},
    "automated": False,
    "related_emails": [],
    "email": f"{BASE}/emails/96743",
    "automation_blocker": None,
    "email_thread": f"{BASE}/email_threads/34567",
    "has_email_thread_with_replies": True,
    "has_email_thread_with_new_replies": False,
    "organization": f"{BASE}/organizations/1",
    "automatically_rejected": False,
    "prediction": None,
    "assignees": [],
    "labels": [],
    "restricted_access": False,
    "training_enabled": True,
    "einvoice": False,
}

DOCUMENT: dict[str, Any] = {
    "id": 314628,
    "url": f"{BASE}/documents/314628",
    "s3_name": "272c2f01ae84a4e19a421cb432e490bb",
    "parent": f"{BASE}/documents/203517",
    "email": f"{BASE}/emails/987654",
    "annotations": [f"{BASE}/annotations/314528"],
    "mime_type": "application/pdf",
    "creator": f"{BASE}/users/1",
    "created_at": "2019-10-13T23:04:00.933658Z",
    "arrived_at": "2019-10-13T23:04:00.933658Z",
    "original_file_name": "test_invoice_1.pdf",
    "content": f"{BASE}/documents/314628/content",
    "attachment_status": None,
    "metadata": {},
}

USER: dict[str, Any] = {
    "id": 10775,
    "url": f"{BASE}/users/10775",
    "first_name": "John",
    "last_name": "Doe",
    "email": "john-doe@east-west-trading.com",
    "phone_number": "+420 123 456 789",
    "date_joined": "2018-09-19T13:44:56.000000Z",
    "username": "john-doe@east-west-trading.com",
    "groups": [f"{BASE}/groups/3"],
    "organization": f"{BASE}/organizations/406",
    "queues": [f"{BASE}/queues/8199"],
    "is_active": True,
    "last_login": "2019-02-07T16:20:18.652253Z",
    "ui_settings": {},
    "metadata": {},
    "oidc_id": None,
    "auth_type": "password",
    "deleted": False,
}

QUEUE: dict[str, Any] = {
    "id": 8199,
    "name": "Received invoices",
    "url": f"{BASE}/queues/8199",
    "workspace": f"{BASE}/workspaces/7540",
    "connector": None,
    "schema": f"{BASE}/schemas/31336",
    "inbox": f"{BASE}/inboxes/1229",
    "counts": {"importing": 0, "to_review": 2, "exported": 10, "deleted": 0},
    "webhooks": [],
    "hooks": [],
    "users": [f"{BASE}/users/10775"],
    "session_timeout": "01:00:00",
    "rir_url": "https://all.rir.rossum.ai",
    "rir_params": None,
    "generic_engine": None,
    "dedicated_engine": None,
    "engine": None,
    "default_score_threshold": 0.975,
    "automation_enabled": False,
    "automation_level": "never",
    "locale": "en_US",
    "metadata": {},
    "use_confirmed_state": False,
    "settings": {"columns": [{"schema_id": "tags"}]},
    "document_lifetime": None,
    "delete_after": None,
    "status": "active",
    "modified_by": f"{BASE}/users/10775",
    "modified_at": "2021-01-01T00:00:00.000000Z",
    "workflows": [],
    "training_enabled": True,
}

WORKSPACE = REFERENCE_WORKSPACE

ORGANIZATION: dict[str, Any] = {
    "id": 406,
    "url": f"{BASE}/organizations/406",
    "name": "East West Trading Co",
    "workspaces": [f"{BASE}/workspaces/7540"],
    "users": [f"{BASE}/users/10775"],
    "organization_group": f"{BASE}/organization_groups/17",
    "ui_settings": {},
    "metadata": {},
    "is_trial": False,
    "created_at": "2019-09-02T14:28:11.000000Z",
    "trial_expires_at": None,
    "oidc_provider": None,
    "internal_info": {"sso": False},
    "creator": f"{BASE}/users/1",
    "modified_by": None,
    "modified_at": None,
    "settings": {"annotation_list_table": {}},
    "sandbox": False,
}

RELATION: dict[str, Any] = {
    "id": 1,
    "type": "edit",
    "key": None,
    "parent": f"{BASE}/annotations/123",
    "annotations": [f"{BASE}/annotations/124", f"{BASE}/annotations/125"],
    "url": f"{BASE}/relations/1",
}

TASK: dict[str, Any] = {
    "id": 1,
    "url": f"{BASE}/tasks/1",
    "type": "documents_download",
    "status": "succeeded",
    "expires_at": "2021-09-11T09:59:00.000000Z",
    "detail": None,
    "content": {"file_name": "my-archive.zip"},
    "result_url": f"{BASE}/documents/downloads/1",
}

UPLOAD: dict[str, Any] = {
    "id": 314528,
    "url": f"{BASE}/uploads/314528",
    "queue": f"{BASE}/queues/8199",
    "creator": f"{BASE}/users/10775",
    "created_at": "2021-04-26T10:08:03.856648Z",
    "email": None,
    "organization": f"{BASE}/organizations/406",
    "documents": [f"{BASE}/documents/314628"],
    "additional_documents": [],
    "annotations": [f"{BASE}/annotations/314528"],
}

HOOK: dict[str, Any] = {
    "id": 1500,
    "type": "webhook",
    "url": f"{BASE}/hooks/1500",
    "name": "Change of Status",
    "metadata": {},
    "queues": [f"{BASE}/queues/8199"],
    "run_after": [],
    "sideload": ["queues"],
    "active": True,
    "events": ["annotation_status.changed", "annotation_content.initialize"],
    "config": {"url": "https://myq.east-west-trading.com/api/hook1", "timeout_s": 30},
    "token_owner": None,
    "token_lifetime_s": None,
    "test": {},
    "description": None,
    "extension_source": "custom",
    "settings": {},
    "settings_schema": None,
    "secrets": {},
    "secrets_schema": None,
    "guide": None,
    "read_more_url": None,
    "extension_image_url": None,
    "hook_template": None,
    "status": "ready",
}

EMAIL: dict[str, Any] = {
    "id": 1234,
    "url": f"{BASE}/emails/1234",
    "queue": f"{BASE}/queues/8199",
    "inbox": f"{BASE}/inboxes/1229",
    "parent": None,
    "email_thread": f"{BASE}/email_threads/34567",
    "children": [],
    "documents": [f"{BASE}/documents/314628"],
    "created_at": "2021-03-26T14:31:46.993427Z",
    "last_thread_email_created_at": "2021-03-26T14:31:46.993427Z",
    "subject": "Invoice",
    "from": {"email": "company@east-west.com", "name": "Company East"},
    "to": [{"email": "east-west-trading-co-a34f3a@east-west.rossum.app", "name": "East West"}],
    "cc": [],
    "bcc": [],
    "body_text_plain": "Some body",
    "body_text_html": "<div>Some body</div>",
    "metadata": {},
    "type": "incoming",
    "annotation_counts": {"annotations": 3, "annotations_processed": 1},
    "annotations": [f"{BASE}/annotations/314528"],
    "related_annotations": [],
    "related_documents": [],
    "creator": None,
    "filtered_out_document_count": 2,
    "labels": ["rejected"],
    "content": f"{BASE}/emails/1234/content",
}


def _bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


@pytest.mark.parametrize(
    ("resource", "payload", "model"),
    [
        (Resource.Annotation, ANNOTATION, Annotation),
        (Resource.Document, DOCUMENT, Document),
        (Resource.User, USER, User),
        (Resource.Queue, QUEUE, Queue),
        (Resource.Workspace, WORKSPACE, Workspace),
        (Resource.Organization, ORGANIZATION, Organization),
        (Resource.Relation, RELATION, Relation),
        (Resource.Task, TASK, Task),
        (Resource.Upload, UPLOAD, Upload),
        (Resource.Hook, HOOK, Hook),
        (Resource.Email, EMAIL, Email),
    ],
)
def test_wire_payloads_decode_on_both_paths(
    resource: Resource, payload: dict[str, Any], model: type[Any]
) -> None:
    from_bytes = decode_resource(resource, _bytes(payload))
    from_dict = deserialize_default(resource, payload)
    assert type(from_bytes) is model
    assert from_bytes == from_dict
    # Every field the payload carries (and the model knows) is taken over verbatim.
    for field in msgspec.structs.fields(model):
        if field.encode_name in payload:
            assert getattr(from_bytes, field.name) == payload[field.encode_name], field.name
    # Encoding emits the wire names and decodes back to an equal object.
    encoded = msgspec.json.encode(from_bytes)
    assert msgspec.json.decode(encoded, type=model) == from_bytes


def test_annotation_fields() -> None:
    annotation = decode_resource(Resource.Annotation, _bytes(ANNOTATION))
    assert annotation.id == 314528
    assert annotation.status == "to_review"
    assert annotation.queue == f"{BASE}/queues/8199"
    assert annotation.content == f"{BASE}/annotations/314528/content"
    assert annotation.time_spent == 0


def test_unknown_fields_are_ignored() -> None:
    payload = {**WORKSPACE, "brand_new_field": {"nested": [1, 2]}, "another": None}
    workspace = decode_resource(Resource.Workspace, _bytes(payload))
    assert workspace == decode_resource(Resource.Workspace, _bytes(WORKSPACE))
    assert b"brand_new_field" not in msgspec.json.encode(workspace)


def test_missing_required_field_is_a_validation_error() -> None:
    payload = {k: v for k, v in DOCUMENT.items() if k != "s3_name"}
    with pytest.raises(msgspec.ValidationError, match="s3_name"):
        decode_resource(Resource.Document, _bytes(payload))
    with pytest.raises(msgspec.ValidationError, match="s3_name"):
        deserialize_default(Resource.Document, payload)


def test_wrong_type_is_a_validation_error() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.id"):
        decode_resource(Resource.Relation, _bytes({**RELATION, "id": "one"}))


def test_known_enum_values_become_members() -> None:
    task = decode_resource(Resource.Task, _bytes(TASK))
    assert task.status is TaskStatus.SUCCEEDED
    assert task.status == "succeeded"
    assert task.type is TaskType.DOCUMENTS_DOWNLOAD
    relation = decode_resource(Resource.Relation, _bytes(RELATION))
    assert relation.type is RelationType.EDIT
    hook = decode_resource(Resource.Hook, _bytes(HOOK))
    assert hook.events == [
        HookEventAndAction.ANNOTATION_STATUS_CHANGED,
        HookEventAndAction.ANNOTATION_CONTENT_INITIALIZE,
    ]
    assert all(isinstance(e, HookEventAndAction) for e in hook.events)
    assert repr(hook.events[0]) == "annotation_status.changed"
    email = decode_resource(Resource.Email, _bytes(EMAIL))
    assert email.type is EmailType.INCOMING


def test_unknown_enum_values_stay_plain_strings() -> None:
    task = decode_resource(
        Resource.Task, _bytes({**TASK, "type": "ai_training", "status": "queued"})
    )
    assert type(task.type) is str
    assert task.type == "ai_training"
    assert task.status == "queued"
    relation = deserialize_default(Resource.Relation, {**RELATION, "type": "translation"})
    assert relation.type == "translation"
    hook = decode_resource(
        Resource.Hook,
        _bytes({**HOOK, "type": "agent", "events": ["upload.created", "agent.woke_up"]}),
    )
    assert hook.type == "agent"
    assert hook.events == ["upload.created", "agent.woke_up"]
    assert hook.events[0] is HookEventAndAction.UPLOAD_CREATED
    assert type(hook.events[1]) is str
    email = decode_resource(
        Resource.Email, _bytes({**EMAIL, "type": "internal", "labels": ["spam", "reply"]})
    )
    assert (email.type, email.labels) == ("internal", ["spam", "reply"])
    relation_doc = deserialize_default(
        Resource.DocumentRelation,
        {"id": 1, "type": "xml", "key": None, "annotation": "a", "documents": [], "url": "u"},
    )
    assert relation_doc.type == "xml"
    known = deserialize_default(
        Resource.DocumentRelation,
        {"id": 1, "type": "export", "key": None, "annotation": "a", "documents": [], "url": "u"},
    )
    assert known.type is DocumentRelationType.EXPORT


def test_automation_blocker_with_unknown_type_decodes() -> None:
    # The official client rejects a sideloaded blocker whose `type` is not in its Literal.
    blocker = {
        "id": 1,
        "url": f"{BASE}/automation_blockers/1",
        "annotation": ANNOTATION["url"],
        "content": [
            {
                "level": "datapoint",
                "type": "low_score",
                "schema_id": "invoice_id",
                "samples_truncated": False,
                "samples": [{"datapoint_id": 1234, "details": {"score": 0.901}}],
            },
            {"level": "annotation", "type": "brand_new_blocker"},
        ],
    }
    annotation = decode_resource(
        Resource.Annotation, _bytes({**ANNOTATION, "automation_blocker": blocker})
    )
    assert isinstance(annotation.automation_blocker, AutomationBlocker)
    assert annotation.automation_blocker.content[1].type == "brand_new_blocker"


def test_sideloaded_objects_decode_into_the_union_fields() -> None:
    payload = {
        **ANNOTATION,
        "document": DOCUMENT,
        "modifier": USER,
        "queue": QUEUE,
        "content": [{"id": 1, "category": "datapoint", "schema_id": "x", "content": None}],
    }
    for annotation in (
        decode_resource(Resource.Annotation, _bytes(payload)),
        deserialize_default(Resource.Annotation, payload),
    ):
        assert isinstance(annotation.document, Document)
        assert annotation.document.id == DOCUMENT["id"]
        assert isinstance(annotation.modifier, User)
        assert annotation.modifier.username == USER["username"]
        assert isinstance(annotation.queue, Queue)
        assert annotation.queue.name == QUEUE["name"]
        assert annotation.content == payload["content"]
    # URLs (and null) still work for the same fields.
    plain = decode_resource(Resource.Annotation, _bytes({**ANNOTATION, "modifier": USER["url"]}))
    assert plain.modifier == USER["url"]
    assert plain.document == DOCUMENT["url"]


def test_email_from_maps_to_the_wire_key() -> None:
    email = decode_resource(Resource.Email, _bytes(EMAIL))
    assert email.from_ == {"email": "company@east-west.com", "name": "Company East"}
    encoded = msgspec.json.decode(msgspec.json.encode(email))
    assert encoded["from"] == EMAIL["from"]
    assert "from_" not in encoded
    assert deserialize_default(Resource.Email, EMAIL).from_ == EMAIL["from"]


def test_documented_fields_missing_upstream_are_kept() -> None:
    assert decode_resource(Resource.User, _bytes(USER)).phone_number == USER["phone_number"]
    queue = decode_resource(Resource.Queue, _bytes(QUEUE))
    assert queue.modified_by == QUEUE["modified_by"]
    hook = decode_resource(Resource.Hook, _bytes(HOOK))
    assert hook.status == "ready"
    organization = decode_resource(Resource.Organization, _bytes(ORGANIZATION))
    assert organization.creator == ORGANIZATION["creator"]


def test_decoder_for_is_built_once_per_type() -> None:
    assert decoder_for(Task) is decoder_for(Task)
    assert decoder_for(list[Task]) is decoder_for(list[Task])
    assert decoder_for(Task) is not decoder_for(list[Task])
    tasks = decoder_for(list[Task]).decode(_bytes([TASK, TASK]))  # type: ignore[arg-type]
    assert [t.id for t in tasks] == [1, 1]


def test_positional_construction_follows_the_official_order() -> None:
    relation = Relation(1, "duplicate", "md5", None, [], f"{BASE}/relations/1")
    assert relation.type is RelationType.DUPLICATE
    assert relation.key == "md5"
    task = Task(5, "u", "upload_created", "running", "2030-01-01")
    assert task.status is TaskStatus.RUNNING
    assert task.content is None


def test_models_are_mutable_and_defaults_not_shared() -> None:
    first = Workspace(1, "a", "u", False, "o")
    second = Workspace(2, "b", "u", False, "o")
    first.queues.append("q")
    first.name = "renamed"
    assert second.queues == []
    assert first.name == "renamed"
