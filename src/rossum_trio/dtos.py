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


def validate_credentials(credentials: object) -> UserCredentials | Token:
    """``credentials`` if usable, else an error that names the problem but not the secret."""
    if isinstance(credentials, Token):
        check_token(credentials.token)
        return credentials
    if isinstance(credentials, UserCredentials):
        for name in ("username", "password"):
            value = getattr(credentials, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"UserCredentials.{name} must be a non-empty string")
        return credentials
    raise TypeError(
        "credentials must be rossum_trio.dtos.UserCredentials or Token, "
        f"got {type(credentials).__name__}"
    )


def check_token(token: object) -> None:
    """A ValueError unless ``token`` can be sent in a header (never showing the token)."""
    if not isinstance(token, str) or not token:
        raise ValueError("Token(...) needs a non-empty token string")
    for index, char in enumerate(token):
        if not "!" <= char <= "~":
            if char.isspace():
                what = "whitespace"
                hint = " (a newline or space read from a file or variable?)"
            else:
                what, hint = "a non-printable or non-ASCII character", ""
            raise ValueError(
                f"the token contains {what} at position {index + 1} of {len(token)}{hint};"
                " token: '***'"
            )
