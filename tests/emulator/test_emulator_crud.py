"""CRUD with the documented status codes, DRF error bodies, back-links between objects."""

from __future__ import annotations

import httpx
import pytest

from rossum_trio.emulator import Emulator


async def test_workspace_queue_crud(emu: Emulator, http: httpx.AsyncClient) -> None:
    b = emu.base_url
    r = await http.post("/workspaces", json={"name": "WS", "organization": f"{b}/organizations/1"})
    assert r.status_code == 201
    ws = r.json()
    assert (
        ws["url"] == f"{b}/workspaces/{ws['id']}"
        and ws["queues"] == []
        and ws["autopilot"] is False
    )
    r = await http.post(
        "/queues",
        json={"name": "Q", "workspace": ws["url"], "schema": f"{b}/schemas/{emu.seeded.schema_id}"},
    )
    assert r.status_code == 201
    q = r.json()
    assert set(q["counts"]) >= {"importing", "to_review", "exported"} and q["inbox"] is None
    assert (await http.get(f"/workspaces/{ws['id']}")).json()["queues"] == [q["url"]]
    schema = (await http.get(f"/schemas/{emu.seeded.schema_id}")).json()
    assert q["url"] in schema["queues"]
    r = await http.patch(f"/queues/{q['id']}", json={"name": "Q2", "counts": {"x": 1}})
    assert r.status_code == 200 and r.json()["name"] == "Q2" and "x" not in r.json()["counts"]
    r = await http.put(f"/queues/{q['id']}", json={"name": "Q3"})
    assert r.status_code == 400 and r.json() == {"schema": ["This field is required."]}
    r = await http.delete(f"/workspaces/{ws['id']}")
    assert r.status_code == 409
    assert (await http.delete(f"/queues/{q['id']}")).status_code == 202
    assert (await http.delete(f"/workspaces/{ws['id']}")).status_code == 204
    assert (await http.get(f"/workspaces/{ws['id']}")).json() == {
        "detail": "Not found.",
        "code": "not_found",
    }


async def test_validation_errors(emu: Emulator, http: httpx.AsyncClient) -> None:
    r = await http.post("/queues", json={"name": "Q"})
    assert r.status_code == 400 and r.json() == {"schema": ["This field is required."]}
    r = await http.post("/queues", json={"name": "Q", "schema": "https://x/api/v1/schemas/999"})
    assert r.json() == {"schema": ["Invalid hyperlink - Object does not exist."]}
    r = await http.post(
        "/queues", json={"name": "Q", "schema": 200, "automation_level": "sometimes"}
    )
    assert r.status_code == 400 and "automation_level" in r.json()
    r = await http.post(
        "/workspaces", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["detail"].startswith("JSON parse error")
    r = await http.post("/workspaces", json=[1])
    assert r.status_code == 400 and "non_field_errors" in r.json()


async def test_method_not_allowed_and_not_found(http: httpx.AsyncClient) -> None:
    r = await http.delete("/groups/1")
    assert r.status_code == 405
    assert r.json() == {"detail": 'Method "DELETE" not allowed.', "code": "method_not_allowed"}
    assert "GET" in r.headers["allow"]
    r = await http.post("/organizations", json={})
    assert r.status_code == 405
    r = await http.get("/no_such_thing")
    assert r.status_code == 404 and r.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize(
    ("path", "body", "required_keys"),
    [
        ("/schemas", {"name": "S", "content": []}, {"id", "name", "url", "queues", "content"}),
        (
            "/connectors",
            {"name": "C", "service_url": "https://example.com"},
            {
                "id",
                "name",
                "url",
                "service_url",
                "params",
                "client_ssl_certificate",
                "authorization_token",
            },
        ),
        (
            "/hooks",
            {
                "name": "H",
                "config": {"url": "https://example.com"},
                "events": ["annotation_status.changed"],
            },
            {
                "id",
                "name",
                "url",
                "active",
                "config",
                "test",
                "guide",
                "read_more_url",
                "extension_image_url",
            },
        ),
        ("/rules", {"name": "R"}, {"id", "name", "enabled", "organization"}),
        ("/relations", {"annotations": []}, {"id", "type", "key", "parent", "annotations", "url"}),
    ],
)
async def test_plain_resources(
    http: httpx.AsyncClient, path: str, body: dict, required_keys: set
) -> None:
    r = await http.post(path, json=body)
    assert r.status_code == 201, r.text
    obj = r.json()
    assert required_keys <= set(obj)
    assert (await http.get(f"{path}/{obj['id']}")).json() == obj
    r = await http.patch(
        f"{path}/{obj['id']}", json={"metadata": {"m": 1}} if "metadata" in obj else {}
    )
    assert r.status_code == 200
    listed = (await http.get(path, params={"id": obj["id"]})).json()["results"]
    assert [o["id"] for o in listed] == [obj["id"]]
    assert (await http.delete(f"{path}/{obj['id']}")).status_code == 204
    assert (await http.get(f"{path}/{obj['id']}")).status_code == 404


async def test_inbox_links_queue(emu: Emulator, http: httpx.AsyncClient) -> None:
    q = f"{emu.base_url}/queues/{emu.seeded.queue_id}"
    r = await http.post("/inboxes", json={"name": "In", "queues": [q], "email_prefix": "in"})
    assert r.status_code == 201
    inbox = r.json()
    assert inbox["email"].endswith("@rossum.emulator") and inbox["bounce_email_to"] is None
    assert (await http.get(q)).json()["inbox"] == inbox["url"]


async def test_email_templates_and_document_relations(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    q = f"{emu.base_url}/queues/{emu.seeded.queue_id}"
    r = await http.post(
        "/email_templates", json={"name": "T", "queue": q, "subject": "s", "message": "m"}
    )
    assert r.status_code == 201
    t = r.json()
    assert t["organization"] == f"{emu.base_url}/organizations/1" and t["type"] == "custom"
    r = await http.post("/email_templates", json={"name": "T", "queue": q, "type": "weird"})
    assert r.status_code == 400
    r = await http.post(
        "/annotations",
        json={"status": "created", "queue": q, "document": None},
    )
    assert r.status_code == 400  # a document is required
    r = await http.post("/document_relations", json={"annotation": "https://x/annotations/1"})
    assert r.status_code == 400


async def test_users_groups_organizations(emu: Emulator, http: httpx.AsyncClient) -> None:
    groups = (await http.get("/groups", params={"name": "admin"})).json()["results"]
    assert [g["name"] for g in groups] == ["admin"]
    r = await http.post(
        "/users", json={"username": "u2", "groups": [groups[0]["url"]], "first_name": "U"}
    )
    assert r.status_code == 201
    user = r.json()
    assert user["organization"] == f"{emu.base_url}/organizations/1"
    assert set(user) >= {"id", "url", "first_name", "last_name", "email", "date_joined", "username"}
    assert (await http.delete(f"/users/{user['id']}")).status_code == 204
    assert (await http.get(f"/users/{user['id']}")).json()["deleted"] is True
    org = (await http.get("/organizations/1")).json()
    assert user["url"] in org["users"] and org["workspaces"]
    assert (await http.get("/organizations/1/limits")).json()["email_limits"]["count_today"] == 0
    me = (await http.get("/auth/user")).json()
    assert me["id"] == emu.seeded.user_id


async def test_small_endpoints(emu: Emulator, http: httpx.AsyncClient) -> None:
    qid = emu.seeded.queue_id
    assert (await http.get("/hooks/logs")).json() == {"results": []}
    r = await http.get(f"/queues/{qid}/automation/insights")
    assert r.json()["document_automation_rate"] == 0.0
    assert (await http.get(f"/queues/{qid}/automation/targets")).json() == {"results": []}
    r = await http.post(f"/queues/{qid}/next")
    assert r.json() == {"annotation": None, "session_timeout": "01:00:00"}
    r = await http.post(f"/queues/{qid}/duplicate", json={"name": "Copy"})
    assert r.status_code == 201 and r.json()["name"] == "Copy"
