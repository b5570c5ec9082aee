"""What the tests share: one place for helpers, one base URL, one set of credentials.

Test modules import from here (``from tests.support.payloads import workspace``); fixtures built
on these helpers live in ``tests/conftest.py`` (and, for one suite only, in that suite's
``conftest.py``). The repository root is on ``sys.path`` through ``pythonpath`` in
``pyproject.toml``, the one setting that makes ``tests`` importable under
``--import-mode=importlib``.

Three ways to stand in for the API, each for one kind of test:

* **respx routes** (the ``api`` fixture, and ``wire``: canned answers by method and path on top
  of it) for *wire tests*: which request a method sends, and what it makes of the answer;
* **a scripted server**, :class:`tests.support.wire.Recorder` (or a server built on it in
  :mod:`tests.support.servers`) behind an ``httpx.MockTransport``, for the *request path*:
  answers that depend on order or timing (retries, 429s, pages, logins), every request
  recorded; :class:`tests.support.servers.RawServer` when it must be real sockets;
* **the emulator** (``rossum_trio.emulator``) for *end to end*: uploads, imports, bulk runs,
  the command line.

Modules:

``payloads``  JSON answers: workspace, annotation, document, queue, task, page, ...
``wire``      Recorder, the respx ``Wire``, request readers (query, JSON body, multipart)
``clients``   clients on a handler, on the emulator, blocking ones
``crud``      the table-driven wire tests of plain retrieve/create/update/delete/list
``servers``   paged list server, raw socket server, keep-alive loopback server, threads
``files``     sample invoice files written to disk
``emulator``  raw-HTTP helpers for the emulator's own tests, the emulator as a process
``fuzz``      hypothesis strategies of the emulator's fuzz test
``figures``   the reliability suite's counters (docs/reliability.md) and secret scans
``cli``       helpers of the command-line tests
"""

from __future__ import annotations

#: The API host of every scripted or mocked server: a reserved name (``.test``) that never
#: resolves, so nothing a test sends by mistake reaches a real account. The emulator has its own
#: (``emulator.base_url``).
HOST = "acme.rossum.test"
BASE = f"https://{HOST}/api/v1"

#: Credentials the tests hand to clients; none may ever show up in text (tests/reliability).
TOKEN = "b7e1c0ffee0ddba11c0ffee0ddba11c0ffee0dd1"
USERNAME = "alice@example.com"
PASSWORD = "hunter2-Sup3r-secret"
SECRETS = (TOKEN, PASSWORD)

#: Another origin, and every hostile link to it (other hosts, schemes, ports, tricks).
EVIL = "evil.example"
FOREIGN_LINKS = (
    f"https://{EVIL}/api/v1/workspaces?page=2",
    f"http://{HOST}/api/v1/workspaces?page=2",  # same host, plain http
    f"https://{HOST}:8443/api/v1/workspaces?page=2",  # same host, other port
    f"https://{HOST}.{EVIL}/api/v1/workspaces?page=2",  # suffix trick
    f"https://{HOST}@{EVIL}/api/v1/workspaces?page=2",  # userinfo trick
    f"https://user:pw@{EVIL}/api/v1/workspaces?page=2",
    f"https://{EVIL}:443/api/v1/workspaces?page=2",
)

#: The query of a page-number list request that reads no total (what the official client sends).
NO_TOTAL_QUERY = {"page_size": "100", "ordering": "", "sideload": "", "content.schema_id": ""}
#: The query every page-number list request carries on its first page.
LIST_QUERY = {**NO_TOTAL_QUERY, "include_total": "true"}
