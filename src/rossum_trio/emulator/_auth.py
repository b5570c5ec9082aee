"""Authentication (login, tokens, Basic where allowed) and the permissions of the user roles.

Statuses follow the reference's error table: missing credentials → 403, invalid or expired
credentials → 401; a role without the permission → 403.
"""

from __future__ import annotations

import base64
import binascii
from enum import StrEnum

from ._crud import render, update_object
from ._http import ApiError, Request, Response, json_response
from ._kinds import KINDS
from ._store import State, iso_now

__all__ = [
    "ROLE_PERMISSIONS",
    "Auth",
    "Perm",
    "authenticate",
    "login",
    "logout",
    "permissions",
    "require",
    "token_exchange",
    "whoami",
]

_WWW = [(b"www-authenticate", b'Bearer realm="api"')]


class Auth(StrEnum):
    """How a route authenticates."""

    NONE = "none"
    """No credentials needed (a valid token or Basic header still identifies the user)."""
    TOKEN = "token"
    """``Authorization: Bearer|Token <key>``."""
    BASIC = "basic"
    """A token, or HTTP Basic (uploads, exports, document create and content)."""
    ADMIN = "admin"
    """The emulator's own control endpoints: ``Authorization: Bearer <admin token>``."""


class Perm(StrEnum):
    """Permission classes of the documented user roles."""

    READ = "read"
    """See objects (every role)."""
    ANNOTATE = "annotate"
    """Change annotations and their content (annotator roles, manager, admin)."""
    IMPORT = "import"
    """Import documents (annotator, manager, admin)."""
    APPROVE = "approve"
    """Approve or reject annotations (approver, admin)."""
    SETUP = "setup"
    """Create, change and delete the organization's objects (admin)."""


_ALL = frozenset(Perm)
ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    "viewer": frozenset({Perm.READ}),
    "approver": frozenset({Perm.READ, Perm.APPROVE}),
    "annotator_limited": frozenset({Perm.READ, Perm.ANNOTATE}),
    "annotator_embedded": frozenset({Perm.READ, Perm.ANNOTATE}),
    "annotator": frozenset({Perm.READ, Perm.ANNOTATE, Perm.IMPORT}),
    "manager": frozenset({Perm.READ, Perm.ANNOTATE, Perm.IMPORT}),
    "admin": _ALL,
    "organization_group_admin": _ALL,
}
"""Role (group name) → permission classes. A user without a role may only read."""


def permissions(st: State, user_id: int | None) -> frozenset[Perm]:
    """The union of the permissions of a user's roles."""
    if user_id is None:
        return frozenset()
    user = st.table("users").get(user_id)
    if user is None:
        return frozenset()
    out: set[Perm] = {Perm.READ}
    for url in user.get("groups") or []:
        group = st.resolve(url)
        if group is not None:
            out |= ROLE_PERMISSIONS.get(str(group.get("name")), frozenset())
    return frozenset(out)


def require(st: State, req: Request, perm: Perm) -> None:
    """403 unless the requesting user's roles grant ``perm``."""
    if perm not in permissions(st, req.user_id):
        raise ApiError(403, {"detail": "You do not have permission to perform this action."})


def login(st: State, req: Request) -> Response:
    """``POST /auth/login`` → 200 ``{"key", "domain"}``; 401 on bad credentials."""
    body = req.data()
    username, password = body.get("username"), body.get("password")
    missing = {k: ["This field is required."] for k in ("username", "password") if not body.get(k)}
    if missing:
        raise ApiError(400, missing)
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(400, {"non_field_errors": ["Unable to log in with provided credentials."]})
    known = st.passwords.get(username)
    if known is None or known[1] != password:
        raise ApiError(401, {"detail": "Unable to log in with provided credentials."}, list(_WWW))
    lifetime = body.get("max_token_lifetime_s")
    life = _lifetime(lifetime) if lifetime not in (None, "") else None
    user = st.table("users")[known[0]]
    user["last_login"] = iso_now()
    key = st.issue_token(known[0], life)
    return json_response(200, {"key": key, "domain": _domain(req)})


def _lifetime(value: object) -> float:
    try:
        life = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ApiError(400, {"max_token_lifetime_s": ["A valid number is required."]}) from None
    if not 0 <= life <= 583_200:
        raise ApiError(
            400, {"max_token_lifetime_s": ["Ensure this value is between 0 and 583200."]}
        )
    return life


def _domain(req: Request) -> str:
    return req.base.split("://", 1)[-1].split("/", 1)[0]


def logout(st: State, req: Request) -> Response:
    """``POST /auth/logout``: discards the token used."""
    _, _, key = req.headers.get("authorization", "").partition(" ")
    st.tokens.pop(key.strip(), None)
    return json_response(200, {"detail": "Successfully logged out."})


def whoami(st: State, req: Request) -> Response:
    """``GET|PUT|PATCH /auth/user``: the current user."""
    user = st.get("users", req.user_id or -1)
    if req.method in ("PUT", "PATCH"):
        body = req.json_object()
        # a user edits their own profile; roles, queues and the organization need an admin
        if Perm.SETUP not in permissions(st, req.user_id):
            body = {k: v for k, v in body.items() if k not in ("groups", "queues", "organization")}
        update_object(st, req, KINDS["users"], user, body)
    return json_response(200, render(KINDS["users"], user))


def token_exchange(st: State, req: Request) -> Response:
    """``POST /auth/token``: a new token for the current user."""
    body = req.json_object()
    scope = body.get("scope", "default")
    if scope not in ("default", "approval"):
        raise ApiError(400, {"scope": [f'"{scope}" is not a valid choice.']})
    life = body.get("max_token_lifetime_s")
    key = st.issue_token(req.user_id or -1, _lifetime(life) if life is not None else None)
    return json_response(200, {"key": key, "domain": _domain(req), "scope": scope})


def authenticate(st: State, req: Request, mode: Auth) -> int | None:
    """The user id of a request; 403 without credentials, 401 if they are invalid."""
    header = req.headers.get("authorization", "")
    if mode is Auth.NONE:
        if header:
            try:
                return authenticate(st, req, Auth.BASIC)
            except ApiError:
                return None
        return None
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if mode is Auth.ADMIN:
        if scheme == "bearer" and value.strip() and value.strip() == st.admin_token:
            return None
        raise ApiError(
            403,
            {
                "detail": "The emulator's control endpoints need "
                "'Authorization: Bearer <admin token>' (printed at start; Emulator.admin_token)."
            },
        )
    if scheme in ("bearer", "token") and value.strip():
        return st.check_token(value.strip())
    if scheme == "basic" and mode is Auth.BASIC:
        try:
            raw = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ApiError(
                401,
                {"detail": "Invalid basic header. Credentials not correctly base64 encoded."},
                list(_WWW),
            ) from None
        username, _, password = raw.partition(":")
        known = st.passwords.get(username)
        if known is None or known[1] != password:
            raise ApiError(401, {"detail": "Invalid username/password."}, list(_WWW))
        return known[0]
    if header:
        raise ApiError(401, {"detail": "Invalid token header."}, list(_WWW))
    raise ApiError(
        403, {"detail": "Authentication credentials were not provided."}, code="not_authenticated"
    )
