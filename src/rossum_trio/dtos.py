"""Credentials: a ready API token, or a username and password to log in with."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Token", "UserCredentials"]


@dataclass
class Token:
    """An API token (the ``key`` returned by ``POST /auth/login``).

    >>> Token("db313f24f5738c8e04635e036ec8a45cdd6d6b03")
    Token(token='***')
    """

    token: str = field(repr=False)

    def __repr__(self) -> str:
        return "Token(token='***')"


@dataclass
class UserCredentials:
    """A username and password; the client logs in lazily and again when the token expires."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"UserCredentials(username={self.username!r}, password='***')"
