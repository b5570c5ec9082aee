"""Organizations (``/organizations``, with their limits) and organization groups."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from rossum_trio._base import DECODE_ERRORS, ClientBase
from rossum_trio._pagination import Listing
from rossum_trio._params import parse_resource_id_from_url
from rossum_trio.models import Organization, OrganizationGroup, OrganizationLimit, decoder_for
from rossum_trio.types import OrganizationGroupOrdering, OrganizationOrdering


def warn_my_organization_deprecated(stacklevel: int) -> None:
    """Warn that ``retrieve_my_organization`` is deprecated (the async and the blocking one);
    ``stacklevel`` counts from the caller of this function, as for :func:`warnings.warn`."""
    warnings.warn(
        "retrieve_my_organization is deprecated; use retrieve_own_organization",
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )


class OrganizationMethods(ClientBase):
    """Organizations: ``/organizations``."""

    def list_organizations(
        self, ordering: Sequence[OrganizationOrdering] = (), **filters: Any
    ) -> Listing[Organization]:
        """Iterate organizations (``GET /organizations``)."""
        return self._list(Organization, ordering, **filters)

    async def retrieve_organization(self, org_id: int) -> Organization:
        """One organization (``GET /organizations/{id}``)."""
        return await self._retrieve(Organization, org_id=org_id)

    async def retrieve_own_organization(self) -> Organization:
        """The organization of the logged-in user (``GET /auth/user``, then the organization)."""
        user = await self._answer("GET", "auth/user")
        org_url = user.data.get("organization")
        try:
            org_id = parse_resource_id_from_url(org_url) if isinstance(org_url, str) else None
        except ValueError:
            org_id = None
        if org_id is None:
            raise user.problem(f"no organization URL in the user ({org_url!r})")
        return await self.retrieve_organization(org_id)

    async def retrieve_my_organization(self) -> Organization:
        """Deprecated alias of :meth:`retrieve_own_organization` (the official sync client's)."""
        warn_my_organization_deprecated(stacklevel=2)
        return await self.retrieve_own_organization()

    async def retrieve_organization_limit(self, org_id: int) -> OrganizationLimit:
        """The limits of an organization (``GET /organizations/{id}/limits``).

        Always an :class:`~rossum_trio.models.OrganizationLimit`, even with a custom
        ``deserializer=`` (as in the official client: no ``Resource`` names this object).
        """
        response = await self._send("GET", self._at("organizations/{}/limits", org_id=org_id))
        try:
            limit: OrganizationLimit = decoder_for(OrganizationLimit).decode(response.content)
        except DECODE_ERRORS as exc:
            raise self._problem(response, exc) from None
        return limit


class OrganizationGroupMethods(ClientBase):
    """Organization groups: ``/organization_groups``."""

    def list_organization_groups(
        self, ordering: Sequence[OrganizationGroupOrdering] = (), **filters: Any
    ) -> Listing[OrganizationGroup]:
        """Iterate organization groups (``GET /organization_groups``); filters ``id``, ``name``."""
        return self._list(OrganizationGroup, ordering, **filters)

    async def retrieve_organization_group(self, org_group_id: int) -> OrganizationGroup:
        """One organization group (``GET /organization_groups/{id}``)."""
        return await self._retrieve(OrganizationGroup, org_group_id=org_group_id)
