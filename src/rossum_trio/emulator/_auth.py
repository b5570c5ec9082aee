"""Authentication: login (form or JSON), tokens (Bearer/Token), Basic where allowed, logout."""

from __future__ import annotations

import base64
import binascii

from ._http import ApiError, Request, Response, json_response
from ._resources import KINDS, render, update_object
from ._store import State, iso_now

__all__ = ["authenticate", "login", "logout", "token_exchange", "whoami"]

_WWW = [(b"www-authenticate", b'Bearer realm="api"')]


def login(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /auth/login`` → 200 ``{"key", "domain"}``; 401 on bad credentials."""
    body = req.data()
    username, password = body.get("username"), body.get("password")
    missing = {k: ["This field is required."] for k in ("username", "password") if not body.get(k)}
    if missing:
        raise ApiError(400, missing)
    known = st.passwords.get(str(username))
    if known is None or known[1] != password:
        raise ApiError(401, {"detail": "Unable to log in with provided credentials."}, list(_WWW))
    lifetime = body.get("max_token_lifetime_s")
    try:
        life = float(lifetime) if lifetime not in (None, "") else None
    except (TypeError, ValueError):
        raise ApiError(400, {"max_token_lifetime_s": ["A valid number is required."]}) from None
    user = st.table("users")[known[0]]
    user["last_login"] = iso_now()
    key = st.issue_token(known[0], life)
    return json_response(200, {"key": key, "domain": _domain(req)})


def _domain(req: Request) -> str:
    host = req.base.split("://", 1)[-1].split("/", 1)[0]
    return host


def logout(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /auth/logout``: discards the token used."""
    _, _, key = req.headers.get("authorization", "").partition(" ")
    st.tokens.pop(key.strip(), None)
    return json_response(200, {"detail": "Successfully logged out."})


def whoami(st: State, req: Request, g: dict[str, str]) -> Response:
    """``GET|PUT|PATCH /auth/user``: the current user."""
    user = st.get("users", req.user_id or -1)
    if req.method in ("PUT", "PATCH"):
        update_object(st, req, KINDS["users"], user, req.json_object())
    return json_response(200, render(KINDS["users"], user))


def token_exchange(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /auth/token``: a new token for the current user."""
    body = req.json_object() if req.body.strip() else {}
    scope = body.get("scope", "default")
    life = body.get("max_token_lifetime_s")
    key = st.issue_token(req.user_id or -1, float(life) if isinstance(life, int | float) else None)
    return json_response(200, {"key": key, "domain": _domain(req), "scope": scope})


def authenticate(st: State, req: Request, mode: str) -> int | None:
    """The user id for a request; ApiError 401 if credentials are missing or invalid."""
    if mode == "none":
        header = req.headers.get("authorization")
        if header:
            try:
                return authenticate(st, req, "basic")
            except ApiError:
                return None
        return None
    header = req.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme in ("bearer", "token") and value.strip():
        return st.check_token(value.strip())
    if scheme == "basic" and mode == "basic":
        try:
            raw = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
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
    raise ApiError(401, {"detail": "Authentication credentials were not provided."}, list(_WWW))
