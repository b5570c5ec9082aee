"""The control endpoints (admin token, validated knobs) and ``organizations/create``."""

from __future__ import annotations

import httpx
import pytest

from rossum_trio.emulator import Emulator, Faults


def _admin(emu: Emulator) -> dict[str, str]:
    return {"Authorization": f"Bearer {emu.admin_token}"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, "api-token", {"Authorization": "Basic eDp5"}],
)
async def test_control_endpoints_need_the_admin_token(
    emu: Emulator, http: httpx.AsyncClient, headers: dict[str, str] | str
) -> None:
    if headers == "api-token":  # an API token (even an admin user's) is not enough
        headers = {"Authorization": f"Bearer {emu.token}"}
    assert isinstance(headers, dict)
    async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as anon:
        r = await anon.patch("/_emulator/faults", json={"latency_s": "x"}, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "permission_denied"
        assert (await anon.get("/_emulator/requests", headers=headers)).status_code == 403
        assert (await anon.delete("/_emulator/requests", headers=headers)).status_code == 403
    assert emu.faults == Faults()
    assert (await http.get("/queues")).status_code == 200


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("latency_s", "x"),
        ("latency_s", -1),
        ("latency_s", True),
        ("error_rate", 5),
        ("error_statuses", [200]),
        ("error_statuses", "500"),
        ("fail_next", 1.5),
        ("fail_status", 99),
        ("storm_429", -2),
        ("rate_limit_per_s", "fast"),
        ("drop_rate", 1.01),
        ("drop_after_processing", "yes"),
        ("slow_body_chunk", None),
        ("token_lifetime_s", -5),
        ("path_pattern", "("),
        ("affect_login", 1),
    ],
)
async def test_bad_knob_is_400_naming_it_and_changes_nothing(
    emu: Emulator, http: httpx.AsyncClient, knob: str, value: object
) -> None:
    r = await http.patch(
        "/_emulator/faults", json={"storm_429": 3, knob: value}, headers=_admin(emu)
    )
    assert r.status_code == 400
    assert list(r.json()) == [knob] and r.json()[knob][0].startswith(knob)
    assert emu.faults == Faults()  # all or nothing: storm_429 was not set either
    r = await http.put("/_emulator/faults", json={knob: value}, headers=_admin(emu))
    assert r.status_code == 400 and emu.faults == Faults()
    assert (await http.get("/queues")).status_code == 200
    with pytest.raises(ValueError, match=knob):
        setattr(emu.faults, knob, value)
    with pytest.raises(ValueError, match=knob):
        Faults(**{knob: value})  # type: ignore[arg-type]
    assert emu.faults == Faults()


async def test_knobs_set_reset_and_read(emu: Emulator, http: httpx.AsyncClient) -> None:
    r = await http.patch(
        "/_emulator/faults", json={"error_statuses": [502], "error_rate": 0.5}, headers=_admin(emu)
    )
    assert r.status_code == 200 and r.json()["error_statuses"] == [502]
    assert emu.faults.error_statuses == (502,) and emu.faults.error_rate == 0.5
    r = await http.put("/_emulator/faults", json={"fail_next": 2}, headers=_admin(emu))
    assert r.json()["error_rate"] == 0.0 and r.json()["fail_next"] == 2
    assert (await http.get("/_emulator/faults", headers=_admin(emu))).json() == Faults(
        fail_next=2
    ).to_dict()
    # control requests are neither faulted nor logged
    assert (await http.get("/_emulator/faults", headers=_admin(emu))).status_code == 200
    assert not [x for x in emu.requests if "_emulator" in x.path]
    with pytest.raises(TypeError, match="unknown fault knob"):
        emu.faults.update(nope=1)


async def test_request_log_over_the_control_endpoint(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    await http.post("/workspaces", json={"name": "W"}, params={"x": "1"})
    log = (await http.get("/_emulator/requests", headers=_admin(emu))).json()
    assert log[-1]["method"] == "POST" and log[-1]["json"] == {"name": "W"}
    assert log[-1]["params"] == {"x": ["1"]} and log[-1]["status"] == 201
    assert (await http.delete("/_emulator/requests", headers=_admin(emu))).status_code == 204
    assert (await http.get("/_emulator/requests", headers=_admin(emu))).json() == []


# ---- organizations/create ---------------------------------------------------------------------


def _org_body(emu: Emulator, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "template_name": "Tax Invoice EU Demo Template",
        "organization_name": "East West Trading Co",
        "user_fullname": "John Doe",
        "user_email": "john@east-west.test",
        "user_password": "owo1aiG9ua9Aihai",
        "user_ui_settings": {"locale": "en"},
        "create_key": emu.create_key,
        "domain": "east-west",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


async def test_create_organization_as_documented(emu: Emulator) -> None:
    async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as anon:
        r = await anon.post("/organizations/create", json=_org_body(emu))
        assert r.status_code == 201
        assert list(r.json()) == ["organization"]
        org = r.json()["organization"]
        assert org["name"] == "East West Trading Co" and org["domain"] == "east-west"
        assert org["is_trial"] is True and org["trial_expires_at"]
        assert len(org["users"]) == 1 and len(org["workspaces"]) == 1
        assert org["creator"] == org["users"][0]
        # the new user logs in, is admin of the new organization and sees its queue
        r = await anon.post(
            "/auth/login", json={"username": "john@east-west.test", "password": "owo1aiG9ua9Aihai"}
        )
        token = {"Authorization": f"Bearer {r.json()['key']}"}
        me = (await anon.get("/auth/user", headers=token)).json()
        assert me["organization"] == org["url"] and me["first_name"] == "John"
        assert me["ui_settings"] == {"locale": "en"}
        ws = (await anon.get(org["workspaces"][0], headers=token)).json()
        assert len(ws["queues"]) == 1
        # the empty template: no schema, no queue
        r = await anon.post(
            "/organizations/create",
            json=_org_body(emu, template_name="Empty Organization Template", user_email="e@x.test"),
        )
        ws = (await anon.get(r.json()["organization"]["workspaces"][0], headers=token)).json()
        assert ws["queues"] == []


@pytest.mark.parametrize(
    ("changes", "status", "keys"),
    [
        ({"create_key": "wrong"}, 403, {"detail", "code"}),
        ({"create_key": None}, 400, {"create_key"}),
        ({"template_name": None, "user_email": None}, 400, {"template_name", "user_email"}),
        ({"template_name": "Nope"}, 400, {"template_name"}),
        ({"user_email": "not-an-email"}, 400, {"user_email"}),
        ({"user_email": "emma@rossum.emulator"}, 400, {"user_email"}),
        ({"organization_name": "x" * 256}, 400, {"organization_name"}),
        ({"user_fullname": ["John"]}, 400, {"user_fullname"}),
        ({"user_ui_settings": [1]}, 400, {"user_ui_settings"}),
    ],
)
async def test_create_organization_validation(
    emu: Emulator, changes: dict[str, object], status: int, keys: set[str]
) -> None:
    async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as anon:
        r = await anon.post("/organizations/create", json=_org_body(emu, **changes))
    assert r.status_code == status and set(r.json()) == keys, r.text
    assert len(emu.objects("organizations")) == 1


def test_create_key_is_configurable() -> None:
    assert Emulator(create_key="k").create_key == "k"
    assert Emulator().create_key != Emulator().create_key
    assert Emulator(admin_token="t").admin_token == "t"
