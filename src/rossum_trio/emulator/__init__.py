"""An in-memory, faithful fake of the Rossum REST API, as an ASGI application.

Two ways in:

* in-process, no sockets::

      emu = Emulator(import_delay_s=0)
      async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as http:
          ...

* over loopback (hypercorn's trio worker; the real API's rate limit of 10 requests/s applies
  unless ``rate_limit_per_s=None``)::

      async with open_emulator_server(emu, port=0) as base_url:  # trio
          ...
      with open_emulator_thread(emu) as base_url:  # a background thread: sync or asyncio code
          ...

  or from a shell: ``rossum-trio emulator --port 8765`` (``python -m rossum_trio.emulator``).

This package does not import the client; the pytest plugin (``rossum_trio.emulator.pytest_plugin``,
registered as an entry point) gives fixtures for both.
"""

from ._app import DEFAULT_BASE_URL as DEFAULT_BASE_URL
from ._app import Emulator as Emulator
from ._app import EmulatorTransport as EmulatorTransport
from ._faults import REAL_RATE_LIMIT_PER_S as REAL_RATE_LIMIT_PER_S
from ._faults import Faults as Faults
from ._log import RequestLog as RequestLog
from ._log import RequestRecord as RequestRecord
from ._samples import InvoiceData as InvoiceData
from ._samples import render_pdf as render_pdf
from ._samples import sample_invoice_data as sample_invoice_data
from ._samples import sample_invoices as sample_invoices
from ._seed import INVOICE_SCHEMA as INVOICE_SCHEMA
from ._server import EmulatorThread as EmulatorThread
from ._server import cli_main as cli_main
from ._server import open_emulator_server as open_emulator_server
from ._server import open_emulator_thread as open_emulator_thread
from ._server import serve as serve

__all__ = [
    "DEFAULT_BASE_URL",
    "INVOICE_SCHEMA",
    "REAL_RATE_LIMIT_PER_S",
    "Emulator",
    "EmulatorThread",
    "EmulatorTransport",
    "Faults",
    "InvoiceData",
    "RequestLog",
    "RequestRecord",
    "cli_main",
    "open_emulator_server",
    "open_emulator_thread",
    "render_pdf",
    "sample_invoice_data",
    "sample_invoices",
    "serve",
]
