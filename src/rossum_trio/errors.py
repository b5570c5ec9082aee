"""The errors this client raises.

Everything it raises on purpose derives from :class:`RossumError`::

    RossumError
    ├── APIClientError            an error status (also an httpx.HTTPStatusError)
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── PayloadTooLargeError      413
    │   ├── RateLimitedError          429 (``retry_after`` in seconds, or None)
    │   └── ServerError               5xx
    ├── APIConnectionError        no usable response (also an httpx.TransportError)
    │   └── APITimeoutError           a timeout (an httpx.TimeoutException)
    ├── ClientClosedError         the client was used after ``aclose()``/``close()``
    ├── NotUnderTrioError         the async client was used outside trio (e.g. under asyncio)
    ├── UnexpectedResponseError   a 2xx answer whose body is not what the API documents
    ├── WaitTimeoutError          a blocking waiting helper ran out of its ``timeout=``
    └── PollingError              a polled object reached a state it will never leave
        ├── TaskFailedError           a task ended in ``failed``
        └── AnnotationImportFailedError   an annotation ended in ``failed_import``

``APIClientError`` keeps the official fields (``method``, ``url``, ``status_code``,
``error``) and string form, and is also an :class:`httpx.HTTPStatusError`, so both styles
work::

    try:
        await client.retrieve_annotation(99999)
    except NotFoundError:
        ...
    except httpx.HTTPStatusError as e:
        print(e.response.status_code)

Messages never contain tokens or passwords. Every error pickles and unpickles (to another
process, say) as the same class with the same message and fields.
"""

from __future__ import annotations

from typing import Any

import httpx
import trio

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
    "error_class_for_status",
]

#: Longest server message kept in ``str(error)``; the full body stays on ``.error``.
_MAX_MESSAGE = 2000


class RossumError(Exception):
    """Base class of every error this client raises on purpose."""


class APIClientError(RossumError, httpx.HTTPStatusError):
    """The API answered a request with an error status (or an unexpected redirect).

    Attributes (as in the official client): ``method``, ``url``, ``status_code`` and
    ``error`` (the response body as text). ``response`` and ``request`` are the httpx
    objects, as on any :class:`httpx.HTTPStatusError`.
    """

    def __init__(
        self,
        method: str,
        url: str,
        status_code: int,
        error: Exception | str,
        *,
        response: httpx.Response | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.status_code = status_code
        self.error = error
        if response is None:
            # Built by hand (e.g. in a user's test): give it a response all the same, so
            # ``e.response.status_code`` works everywhere.
            response = httpx.Response(
                status_code, content=str(error).encode(), request=httpx.Request(method, url)
            )
        httpx.HTTPStatusError.__init__(
            self, self._message(), request=response.request, response=response
        )

    def _message(self) -> str:
        text = str(self.error)
        if len(text) > _MAX_MESSAGE:
            text = text[:_MAX_MESSAGE] + f"... ({len(text) - _MAX_MESSAGE} more characters)"
        return f"[{self.method}] {self.url} - HTTP {self.status_code} - {text}"

    def __str__(self) -> str:
        return self._message()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with the answer's status and headers (``retry_after`` survives), not its
        # request (the client's copy holds no secret either way).
        headers = [
            (k, v)
            for k, v in self.response.headers.multi_items()
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")
        ]
        return (
            _rebuild_client_error,
            (type(self), self.method, self.url, self.status_code, self.error, headers),
        )


def _rebuild_client_error(
    cls: type[APIClientError],
    method: str,
    url: str,
    status_code: int,
    error: Exception | str,
    headers: list[tuple[str, str]],
) -> APIClientError:
    response = httpx.Response(
        status_code,
        headers=headers,
        content=str(error).encode(),
        request=httpx.Request(method, url),
    )
    return cls(method, url, status_code, error, response=response)


class BadRequestError(APIClientError):
    """400: the API rejected the input; ``error`` holds its field messages."""


class AuthenticationError(APIClientError):
    """401: bad credentials, or a token the API no longer accepts.

    With :class:`~rossum_trio.dtos.UserCredentials` the client logs in again once before
    raising this; with a :class:`~rossum_trio.dtos.Token` it cannot, so it raises at once.
    """


class PermissionDeniedError(APIClientError):
    """403: the user may not do this (or no authentication was sent)."""


class NotFoundError(APIClientError):
    """404: no such object (or it was deleted)."""


class ConflictError(APIClientError):
    """409: the object's state does not allow this (e.g. starting a confirmed annotation)."""


class PayloadTooLargeError(APIClientError):
    """413: an upload over the API's size limit."""


class RateLimitedError(APIClientError):
    """429: too many requests. ``retry_after`` is the server's hint in seconds, if any.

    Raised only when the retries are used up; until then the client waits and retries.
    """

    @property
    def retry_after(self) -> float | None:
        """The ``Retry-After`` the server sent, in seconds (None if it sent none)."""
        from rossum_trio._params import parse_retry_after

        return parse_retry_after(self.response.headers.get("Retry-After"))


class ServerError(APIClientError):
    """5xx: the API failed; retried for idempotent requests before this is raised."""


_BY_STATUS: dict[int, type[APIClientError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitedError,
}


def error_class_for_status(status_code: int) -> type[APIClientError]:
    """The most specific :class:`APIClientError` subclass for an HTTP status."""
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, APIClientError)


class APIConnectionError(RossumError, httpx.TransportError):
    """No usable response: the connection failed or broke. ``__cause__`` holds httpx's error.

    Also an :class:`httpx.TransportError`, so code written against httpx's errors keeps working.
    """

    def __init__(
        self, message: str, *, request: httpx.Request | None = None, request_sent: bool = True
    ) -> None:
        httpx.TransportError.__init__(self, message, request=request)
        #: False when the failure came before any byte of the request left (safe to repeat).
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError, httpx.TimeoutException):
    """A connect, read, write or pool timeout (see the client's ``timeout=``)."""


class ClientClosedError(RossumError, RuntimeError):
    """The client was used after ``aclose()`` (or ``close()``); make a new one."""


class NotUnderTrioError(RossumError, RuntimeError):
    """The async client was used outside trio: under asyncio, or with no event loop running.

    :class:`~rossum_trio.AsyncRossumAPIClient` runs under trio only: start your program with
    ``trio.run(main)``, or use the blocking :class:`~rossum_trio.SyncRossumAPIClient`.
    """


class UnexpectedResponseError(RossumError):
    """A successful status with a body that cannot be read as the documented JSON.

    ``method``, ``url`` and ``status_code`` say which answer; the message says what was wrong.
    """

    def __init__(self, method: str, url: str, status_code: int, problem: str) -> None:
        super().__init__(f"[{method}] {url} - HTTP {status_code} - unexpected response: {problem}")
        self.method = method
        self.url = url
        self.status_code = status_code
        #: What was wrong with the answer.
        self.problem = problem

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.method, self.url, self.status_code, self.problem))


class WaitTimeoutError(RossumError, trio.TooSlowError, TimeoutError):
    """A waiting helper of the blocking client ran out of its ``timeout=``.

    It is a :class:`trio.TooSlowError` (what :func:`trio.fail_after` raises) and a built-in
    :class:`TimeoutError`, so ``except TimeoutError`` works as well.
    """


class PollingError(RossumError):
    """A polled object reached a terminal state that the wait can never get past."""


class TaskFailedError(PollingError):
    """A task ended in ``failed``. ``task`` is the last task seen; ``detail`` its message."""

    def __init__(self, task_id: int, detail: str | None, task: object = None) -> None:
        super().__init__(f"task {task_id} failed: {detail or 'no detail given'}")
        self.task_id = task_id
        self.detail = detail
        self.task = task

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.task_id, self.detail, self.task))


class AnnotationImportFailedError(PollingError):
    """An annotation ended in ``failed_import``; ``annotation`` is the last one seen."""

    def __init__(self, annotation_id: int, annotation: object = None) -> None:
        super().__init__(f"annotation {annotation_id} failed to import (status failed_import)")
        self.annotation_id = annotation_id
        self.annotation = annotation

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.annotation_id, self.annotation))
