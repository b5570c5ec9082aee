"""Users (``/users``), user roles (``/groups``) and passwords (``/auth/password``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.dtos import UserCredentials
from rossum_trio.models import Group, User
from rossum_trio.types import JsonDict, UserOrdering, UserRoleOrdering


class UserMethods(ClientBase):
    """Users (``/users``), user roles (``/groups``) and password endpoints (``/auth/password``)."""

    def list_users(self, ordering: Sequence[UserOrdering] = (), **filters: Any) -> Listing[User]:
        """Iterate users (``GET /users``); filters such as ``username``, ``is_active``."""
        return self._list(User, ordering, **filters)

    async def retrieve_user(self, user_id: int) -> User:
        """One user (``GET /users/{id}``)."""
        return await self._retrieve(User, user_id=user_id)

    async def create_new_user(self, data: dict[str, Any]) -> User:
        """Create a user (``POST /users``); ``data`` needs ``username`` and ``organization``."""
        return await self._create(User, data)

    async def change_user_password(
        self, new_password: str, *, old_password: str | None = None
    ) -> JsonDict:
        """Change the logged-in user's password (``POST /auth/password/change``); the user dict.

        The API wants the current password too: ``old_password``, or by default the password
        of the client's :class:`~rossum_trio.dtos.UserCredentials` (a client built with a
        :class:`~rossum_trio.dtos.Token` must pass it). After the change the client logs in
        with the new password when it needs to log in again.

        The official client defines this method but raises ``NotImplementedError``.
        """
        credentials = self._http.credentials
        if old_password is None:
            if not isinstance(credentials, UserCredentials):
                raise ValueError(
                    "change_user_password needs old_password= on a client built with a Token"
                )
            old_password = credentials.password
        if not isinstance(new_password, str) or not new_password:
            raise ValueError("new_password must be a non-empty string")
        answer = await self._answer(
            "POST",
            "auth/password/change",
            json={
                "new_password1": new_password,
                "new_password2": new_password,
                "old_password": old_password,
            },
        )
        if isinstance(credentials, UserCredentials):
            # A new object: the caller's credentials instance is left untouched.
            self._http.credentials = UserCredentials(credentials.username, new_password)
        return answer.data

    async def reset_user_password(self, email: str) -> JsonDict:
        """Send a password-reset e-mail to ``email`` (``POST /auth/password/reset``).

        Returns the API's answer, e.g. ``{"detail": "Password reset e-mail has been sent."}``.
        The official client defines this method but raises ``NotImplementedError``.
        """
        if not isinstance(email, str) or not email:
            raise ValueError("email must be a non-empty string")
        answer = await self._answer("POST", "auth/password/reset", json={"email": email})
        return answer.data

    def list_user_roles(
        self, ordering: Sequence[UserRoleOrdering] = (), **filters: Any
    ) -> Listing[Group]:
        """Iterate user roles, i.e. permission groups (``GET /groups``); filter ``name``."""
        return self._list(Group, ordering, **filters)
