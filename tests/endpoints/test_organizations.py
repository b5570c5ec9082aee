"""Organizations, their limits and groups (``_endpoints/organizations.py``) on the wire."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pytest
import respx

from rossum_trio import AsyncRossumAPIClient, Resource
from rossum_trio.models import OrganizationLimit
from tests.support import BASE
from tests.support.clients import sync_client
from tests.support.crud import ITEM, list_tests, retrieve_tests
from tests.support.payloads import organization, page, user
from tests.support.wire import Recorder, Wire, query_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(
    ("retrieve_organization", Resource.Organization, "organizations/7"),
    ("retrieve_organization_group", Resource.OrganizationGroup, "organization_groups/7"),
)
test_list, test_list_defaults = list_tests(
    ("list_organizations", Resource.Organization, "organizations", ["id"], {"name": "o"}),
    ("list_organization_groups", Resource.OrganizationGroup, "organization_groups", [], {}),
)


USER = user(10997)


LIMITS = {
    "email_limits": {
        "count_today": 7,
        "count_today_notification": 4,
        "count_total": 9,
        "email_per_day_limit": 10,
        "email_per_day_limit_notification": 10,
        "email_total_limit": 20,
        "last_sent_at": "2022-01-13",
        "last_sent_at_notification": "2022-01-13",
    }
}


async def test_organizations(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    api.get("/organizations").respond(json=page([organization(1)]))
    org = api.get("/organizations/406").respond(json=organization(406))
    user = api.get("/auth/user").respond(
        json={"id": 1, "url": f"{BASE}/users/1", "organization": f"{BASE}/organizations/406"}
    )
    assert [o.id async for o in client.list_organizations()] == [1]
    assert (await client.retrieve_organization(406)).id == 406
    assert (await client.retrieve_own_organization()).id == 406
    assert user.call_count == 1 and org.call_count == 2


async def test_retrieve_organization_limit_ignores_custom_deserializer(
    dict_client: Any, wire: Wire
) -> None:
    wire.on("GET", "organizations/406/limits", LIMITS)
    limit = await dict_client.retrieve_organization_limit(406)
    assert isinstance(limit, OrganizationLimit)
    assert limit.email_limits.email_total_limit == 20
    assert query_of(wire.only()) == {}


async def test_retrieve_own_organization(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "auth/user", USER)
    wire.on("GET", "organizations/406", ITEM)
    assert await dict_client.retrieve_own_organization() == (Resource.Organization, ITEM)
    assert [r.url.path for r in wire.requests] == [
        "/api/v1/auth/user",
        "/api/v1/organizations/406",
    ]


async def test_retrieve_my_organization_is_deprecated(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "auth/user", USER)
    wire.on("GET", "organizations/406", ITEM)
    with pytest.warns(DeprecationWarning, match="retrieve_own_organization"):
        assert await dict_client.retrieve_my_organization() == (Resource.Organization, ITEM)


# -- the blocking client ---------------------------------------------------------------------------


def test_blocking_retrieve_my_organization_is_deprecated() -> None:
    def route(request: httpx.Request) -> Any:
        if request.url.path.endswith("/auth/user"):
            return {"organization": f"{BASE}/organizations/3"}
        return organization(3)

    with sync_client(Recorder(route)) as client:
        with pytest.warns(DeprecationWarning, match="retrieve_own_organization") as caught:
            org = client.retrieve_my_organization()
        assert org.id == 3
        assert caught[0].filename == __file__  # warns at the caller's line
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert client.retrieve_own_organization().id == 3
