"""Imports: uploads → tasks → documents + annotations, the import lifecycle, document files."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import secrets
from typing import Any
from urllib.parse import quote, unquote

import msgspec

from ._content import build_content
from ._http import (
    ApiError,
    Part,
    Request,
    Response,
    field_error,
    header_params,
    json_response,
    truthy,
)
from ._samples import extract_invoice
from ._store import Obj, State, iso_now
from ._validation import metadata as check_metadata

__all__ = [
    "MAX_UPLOAD_BYTES",
    "clean_filename",
    "content_disposition",
    "create_annotation",
    "delete_document",
    "document_content",
    "fill_content",
    "get_task",
    "legacy_upload",
    "new_annotation",
    "post_document",
    "post_upload",
]

MAX_UPLOAD_BYTES = 40 * 1024 * 1024
"""The reference: uploads may be up to 40 MB in total."""

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def clean_filename(name: str) -> str:
    """A stored file name: control characters and path separators become ``_`` (as the API does
    for e-mail attachments), at most 255 characters, never empty."""
    cleaned = _UNSAFE.sub("_", name).strip()[:255]
    return cleaned or "document"


def content_disposition(disposition: str, name: str) -> bytes:
    """A header value with an ASCII ``filename`` and the exact UTF-8 ``filename*``."""
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "").replace("\\", "")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}".encode()


def _organization_of_queue(st: State, queue: Obj, req: Request) -> str:
    ws = st.resolve(queue.get("workspace"))
    if ws is not None and ws.get("organization"):
        return str(ws["organization"])
    user = st.table("users").get(req.user_id or -1)
    if user is not None:
        return str(user["organization"])
    return st.url("organizations", min(st.table("organizations"), default=1))


def new_document(
    st: State,
    req: Request,
    filename: str,
    data: bytes,
    *,
    metadata: dict[str, Any] | None = None,
    parent: str | None = None,
) -> Obj:
    """Store a document (and its bytes)."""
    did = st.next_id("documents")
    url = st.url("documents", did)
    ts = iso_now()
    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    doc: Obj = {
        "id": did,
        "url": url,
        "s3_name": secrets.token_hex(16),
        "parent": parent,
        "email": None,
        "annotations": [],
        "mime_type": mime,
        "creator": st.url("users", req.user_id) if req.user_id is not None else None,
        "created_at": ts,
        "arrived_at": ts,
        "original_file_name": filename,
        "content": f"{url}/content",
        "attachment_status": None,
        "metadata": metadata or {},
    }
    st.table("documents")[did] = doc
    st.files[did] = data
    return doc


def new_annotation(
    st: State,
    req: Request,
    queue: Obj,
    doc: Obj | None,
    *,
    status: str,
    metadata: dict[str, Any] | None = None,
) -> Obj:
    """Store an annotation of ``doc`` in ``queue`` with every key the API returns."""
    aid = st.next_id("annotations")
    url = st.url("annotations", aid)
    ts = iso_now()
    ann: Obj = {
        "id": aid,
        "url": url,
        "status": status,
        "document": doc["url"] if doc else None,
        "queue": queue["url"],
        "schema": queue["schema"],
        "relations": [],
        "pages": [],
        "creator": st.url("users", req.user_id) if req.user_id is not None else None,
        "modifier": None,
        "modified_by": None,
        "created_at": ts,
        "arrived_at": ts,
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
        "rir_poll_id": secrets.token_hex(12),
        "messages": [],
        "content": f"{url}/content",
        "suggested_edit": None,
        "time_spent": 0,
        "metadata": metadata or {},
        "automated": False,
        "related_emails": [],
        "email": None,
        "automation_blocker": None,
        "email_thread": None,
        "has_email_thread_with_replies": False,
        "has_email_thread_with_new_replies": False,
        "organization": _organization_of_queue(st, queue, req),
        "automatically_rejected": False,
        "prediction": None,
        "assignees": [],
        "labels": [],
        "restricted_access": False,
        "training_enabled": True,
        "einvoice": False,
    }
    st.table("annotations")[aid] = ann
    st.count_in_queue(queue, ann)
    st.contents[aid] = []
    if doc is not None:
        st.link("annotations", ann)
        pid = st.next_id("pages")
        page_url = st.url("pages", pid)
        st.table("pages")[pid] = {
            "id": pid,
            "url": page_url,
            "annotation": url,
            "number": 1,
            "rotation_deg": 0,
            "mime_type": "image/png",
            "s3_name": secrets.token_hex(16),
            "content": f"{page_url}/content",
            "metadata": {},
            "width": 1240,
            "height": 1754,
        }
        ann["pages"].append(page_url)
    return ann


def fill_content(st: State, ann: Obj, values: dict[str, Any] | None = None) -> None:
    """(Re)build an annotation's content from its schema and its document's extracted values."""
    schema = st.resolve(ann.get("schema"))
    doc = st.resolve(ann.get("document"))
    fields: dict[str, tuple[str, int]] = {}
    items: list[dict[str, tuple[str, int]]] = []
    if doc is not None:
        fields, items = st.extracted.get(doc["id"], ({}, []))
        fields = dict(fields)
    for key, value in (values or {}).items():
        fields[str(key)] = (str(value), -1)
    st.contents[ann["id"]] = build_content(
        st, ann["url"], schema.get("content", []) if schema else [], (fields, items)
    )


def _finish_import(st: State, aid: int, values: dict[str, Any] | None) -> None:
    ann = st.table("annotations").get(aid)
    if ann is None or ann["status"] != "importing":
        return
    doc = st.resolve(ann.get("document"))
    if doc is not None and not st.files.get(doc["id"]):
        ann["messages"] = [{"type": "error", "content": "The file is empty.", "id": "all"}]
        st.set_status(ann, "failed_import")
        return
    fill_content(st, ann, values)
    st.set_status(ann, "to_review")


def _mark_duplicates(st: State, ann: Obj, data: bytes) -> None:
    key = hashlib.md5(data, usedforsecurity=False).hexdigest()
    rels = st.table("relations")
    for rel in rels.values():
        if rel["type"] == "duplicate" and rel["key"] == key:
            rel["annotations"].append(ann["url"])
            ann["relations"].append(rel["url"])
            return
    same = [
        a["url"]
        for a in st.table("annotations").values()
        if a is not ann
        and (d := st.resolve(a.get("document"))) is not None
        and st.files.get(d["id"]) == data
    ]
    if same:
        rel = st.add(
            "relations",
            {"type": "duplicate", "key": key, "parent": None, "annotations": [*same, ann["url"]]},
        )
        for url in rel["annotations"]:
            other = st.resolve(url)
            if other is not None:
                other["relations"].append(rel["url"])


def import_file(
    st: State,
    req: Request,
    queue: Obj,
    filename: str,
    data: bytes,
    *,
    metadata: dict[str, Any] | None,
    values: dict[str, Any] | None,
) -> tuple[Obj, Obj]:
    """Create a document and an ``importing`` annotation; schedule the move to ``to_review``."""
    doc = new_document(st, req, filename, data)
    st.extracted[doc["id"]] = extract_invoice(data) if data.startswith(b"%PDF") else ({}, [])
    ann = new_annotation(st, req, queue, doc, status="importing", metadata=metadata)
    _mark_duplicates(st, ann, data)
    aid = ann["id"]
    st.at(st.import_delay(), lambda: _finish_import(st, aid, values))
    return doc, ann


def _json_part(part: Part) -> dict[str, Any]:
    if part.filename:
        raise field_error(part.name, "Value must be valid JSON.")
    try:
        value = msgspec.json.decode(part.data) if part.data.strip() else {}
    except msgspec.DecodeError:
        raise field_error(part.name, "Value must be valid JSON.") from None
    if not isinstance(value, dict):
        raise field_error(part.name, "Value must be valid JSON object.")
    if part.name == "metadata":
        try:
            check_metadata(value)
        except ValueError as exc:
            raise field_error("metadata", str(exc)) from None
    return value


def _read_files(
    req: Request, path_filename: str | None
) -> tuple[list[tuple[str, bytes]], dict[str, Any] | None, dict[str, Any] | None]:
    metadata = values = None
    files: list[tuple[str, bytes]] = []
    if req.content_type == "multipart/form-data":
        for part in req.parts():
            if part.name == "content" and part.filename is not None:
                files.append((clean_filename(part.filename or path_filename or ""), part.data))
            elif part.name == "metadata":
                metadata = _json_part(part)
            elif part.name == "values":
                values = _json_part(part)
    else:
        _, params = header_params(req.headers.get("content-disposition", ""))
        name = params.get("filename", path_filename)
        if name is None:
            raise ApiError(
                400,
                {
                    "detail": "Missing filename. Request should include a Content-Disposition "
                    "header with a filename parameter."
                },
            )
        files.append((clean_filename(name), req.body))
    if not files:
        raise field_error("content", "No file was submitted.")
    if sum(len(data) for _, data in files) > MAX_UPLOAD_BYTES:
        raise ApiError(413, {"detail": "Request entity too large."})
    return files, metadata, values


def _import_queue(st: State, queue_ref: Any) -> Obj:
    if queue_ref in (None, ""):
        raise field_error("queue", "This field is required.")
    oid = st.ref_id(queue_ref, "queues")
    queue = st.table("queues").get(oid) if oid is not None else None
    if queue is None:
        raise field_error("queue", "Invalid hyperlink - Object does not exist.")
    if queue.get("status", "active") != "active":
        raise field_error("queue", "Import is not allowed for a queue that is being deleted.")
    return queue


def _reject_identical(st: State, req: Request, files: list[tuple[str, bytes]]) -> None:
    if not truthy(req.params.get("reject_identical")) or len(files) != 1:
        return
    name, data = files[0]
    for doc in st.table("documents").values():
        if doc["original_file_name"] == name and st.files.get(doc["id"]) == data:
            raise ApiError(
                409, {"detail": "An identical document already exists.", "document": doc["url"]}
            )


def _path_filename(req: Request) -> str | None:
    name = req.args.get("name")
    return unquote(name) if name else None


def post_upload(st: State, req: Request) -> Response:
    """``POST /uploads[/<filename>]?queue=<id>`` → 202 ``{"url": <task>}``."""
    queue = _import_queue(st, req.params.get("queue"))
    files, metadata, values = _read_files(req, _path_filename(req))
    _reject_identical(st, req, files)
    uid = st.next_id("uploads")
    upload_url = st.url("uploads", uid)
    upload: Obj = {
        "id": uid,
        "url": upload_url,
        "queue": queue["url"],
        "organization": _organization_of_queue(st, queue, req),
        "creator": st.url("users", req.user_id) if req.user_id is not None else None,
        "created_at": iso_now(),
        "email": None,
        "documents": [],
        "additional_documents": [],
        "annotations": [],
    }
    for name, data in files:
        doc, ann = import_file(st, req, queue, name, data, metadata=metadata, values=values)
        upload["documents"].append(doc["url"])
        upload["annotations"].append(ann["url"])
    st.table("uploads")[uid] = upload
    task = st.add(
        "tasks",
        {
            "type": "upload_created",
            "status": "running",
            "expires_at": iso_now(days=1),
            "detail": None,
            "code": None,
            "content": {},
            "result_url": None,
        },
    )

    def succeed() -> None:
        task["status"] = "succeeded"
        task["content"] = {"upload": upload_url}
        task["result_url"] = upload_url

    st.at(st.task_delay_s, succeed)
    return json_response(202, {"url": task["url"]})


def get_task(st: State, req: Request) -> Response:
    """``GET /tasks/<id>``: 200 while running; 303 to the result once done (unless no_redirect)."""
    task = st.get("tasks", req.id)
    if (
        task["status"] == "succeeded"
        and task.get("result_url")
        and not truthy(req.params.get("no_redirect"))
    ):
        resp = json_response(303, task)
        resp.headers.append((b"location", task["result_url"].encode()))
        return resp
    return json_response(200, task)


def legacy_upload(st: State, req: Request) -> Response:
    """Deprecated ``POST /queues/<id>/upload[/<filename>]`` → 201 ``{"results": [...]}``."""
    queue = _import_queue(st, req.id)
    files, metadata, values = _read_files(req, _path_filename(req))
    _reject_identical(st, req, files)
    results = []
    for name, data in files:
        doc, ann = import_file(st, req, queue, name, data, metadata=metadata, values=values)
        results.append({"annotation": ann["url"], "document": doc["url"]})
    return json_response(201, {"results": results, **results[0]})


def post_document(st: State, req: Request) -> Response:
    """``POST /documents`` (multipart ``content``, ``metadata``, ``parent``) → 201 document."""
    files, metadata, _ = _read_files(req, None)
    parent = None
    if req.content_type == "multipart/form-data":
        for part in req.parts():
            if part.name == "parent" and part.data:
                value = part.data.decode("utf-8", "replace")
                parent = st.ref({"parent": value}, "parent", "documents")
    if len(files) != 1:
        raise field_error("content", "Exactly one file is expected.")
    name, data = files[0]
    doc = new_document(st, req, name, data, metadata=metadata, parent=parent)
    st.extracted[doc["id"]] = extract_invoice(data) if data.startswith(b"%PDF") else ({}, [])
    return json_response(201, doc)


def document_content(st: State, req: Request) -> Response:
    """``GET /documents/<id>/content``: the original bytes."""
    doc = st.get("documents", req.id)
    data = st.files.get(doc["id"], b"")
    disposition = content_disposition("inline", str(doc["original_file_name"]))
    return Response(
        200, data, [(b"content-disposition", disposition)], str(doc["mime_type"]).encode()
    )


def create_annotation(st: State, req: Request) -> Response:
    """``POST /annotations`` (``status: created``) → 201 annotation."""
    body = req.json_object()
    status = body.get("status", "created")
    if status != "created":
        raise field_error("status", "Only annotations with status 'created' can be created.")
    queue = _import_queue(st, body.get("queue"))
    doc = st.resolve(st.ref(body, "document", "documents", required=True))
    metadata = body.get("metadata") or {}
    try:
        check_metadata(metadata)
    except ValueError as exc:
        raise field_error("metadata", str(exc)) from None
    ann = new_annotation(st, req, queue, doc, status="created", metadata=metadata)
    if "training_enabled" in body:
        ann["training_enabled"] = bool(body["training_enabled"])
    fill_content(st, ann, body.get("values") if isinstance(body.get("values"), dict) else None)
    return json_response(201, ann)


def delete_document(st: State, req: Request) -> Response:
    """``DELETE /documents/<id>`` → 204."""
    doc_id = st.get("documents", req.id)["id"]
    del st.table("documents")[doc_id]
    st.files.pop(doc_id, None)
    st.extracted.pop(doc_id, None)
    return Response(204, b"", [], None)
