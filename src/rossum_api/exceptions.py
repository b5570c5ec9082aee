"""Official import path of ``APIClientError``, with rossum-trio's finer error classes.

``APIClientError`` keeps the official fields (``method``, ``url``, ``status_code``, ``error``)
and string form; the subclasses (``NotFoundError``, ``RateLimitedError``, ...) let code catch
one status, and transport failures are ``APIConnectionError``/``APITimeoutError``.
"""

from rossum_trio.errors import (
    AnnotationImportFailedError,
    APIClientError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConflictError,
    NotFoundError,
    NotUnderTrioError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PollingError,
    RateLimitedError,
    RossumError,
    ServerError,
    TaskFailedError,
    UnexpectedResponseError,
    WaitTimeoutError,
)

__all__ = [
    "APIClientError",
    "APIConnectionError",
    "APITimeoutError",
    "AnnotationImportFailedError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConflictError",
    "NotFoundError",
    "NotUnderTrioError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PollingError",
    "RateLimitedError",
    "RossumError",
    "ServerError",
    "TaskFailedError",
    "UnexpectedResponseError",
    "WaitTimeoutError",
]
