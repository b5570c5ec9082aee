"""Official import path of the credentials: ``Token`` and ``UserCredentials``."""

from rossum_trio.dtos import Token, UserCredentials

__all__ = ["Token", "UserCredentials"]
