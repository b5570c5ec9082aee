"""Loopback server, the pytest plugin's fixtures, the CLI parser, the sample PDFs."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest
import trio

from rossum_trio.emulator import (
    Emulator,
    Faults,
    RequestLog,
    open_emulator_server,
    render_pdf,
    sample_invoice_data,
    sample_invoices,
)
from rossum_trio.emulator._samples import extract_invoice, pdf_text_lines


async def test_loopback_server_rewrites_urls_and_drops() -> None:
    emu = Emulator(import_delay_s=0)
    async with open_emulator_server(emu, port=0) as base_url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", base_url)
        async with httpx.AsyncClient(base_url=base_url) as http:
            r = await http.post(
                "/auth/login", data={"username": emu.username, "password": emu.password}
            )
            http.headers["Authorization"] = f"Bearer {r.json()['key']}"
            r = await http.get("/workspaces")
            assert (
                r.json()["results"][0]["url"] == f"{base_url}/workspaces/{emu.seeded.workspace_id}"
            )
            # a URL from the loopback host is accepted as a reference
            r = await http.post(
                "/queues",
                json={"name": "Q", "schema": f"{base_url}/schemas/{emu.seeded.schema_id}"},
            )
            assert r.status_code == 201
            emu.faults.drop_next = 1
            with pytest.raises(httpx.TransportError):
                await http.get("/workspaces")
            assert (await http.get("/workspaces")).status_code == 200
    # in-process URLs keep the canonical base
    async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as http:
        r = await http.get("/queues", headers={"Authorization": f"Bearer {emu.token}"})
        assert all(q["url"].startswith(emu.base_url) for q in r.json()["results"])


async def test_plugin_server_fixture(
    rossum_emulator: Emulator, rossum_emulator_server: str
) -> None:
    async with httpx.AsyncClient(
        base_url=rossum_emulator_server, headers={"Authorization": f"Token {rossum_emulator.token}"}
    ) as http:
        assert (await http.get("/queues")).status_code == 200


@pytest.mark.rossum_emulator(import_delay_s=5, seed=3)
def test_plugin_marker_and_helpers(
    rossum_emulator: Emulator, rossum_faults: Faults, rossum_requests: RequestLog
) -> None:
    assert rossum_emulator.import_delay_s == 5
    assert rossum_faults is rossum_emulator.faults
    assert rossum_requests is rossum_emulator.requests


async def test_plugin_async_client(rossum_emulator: Emulator, rossum_client: object) -> None:
    queue = await rossum_client.retrieve_queue(rossum_emulator.seeded.queue_id)  # type: ignore[attr-defined]
    assert queue.name == "Invoices"
    assert rossum_emulator.requests[-1].path.endswith(f"/queues/{rossum_emulator.seeded.queue_id}")


def test_plugin_sync_client(rossum_emulator: Emulator, rossum_sync_client: object) -> None:
    names = [w.name for w in rossum_sync_client.list_workspaces()]  # type: ignore[attr-defined]
    assert names == ["Default workspace"]


def test_cli_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rossum_trio.emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--port" in out and "--import-delay" in out


def test_sample_pdfs_are_valid_and_readable() -> None:
    files = sample_invoices(4, seed=1)
    assert [name for name, _ in files] == [f"invoice_{i:03d}.pdf" for i in range(1, 5)]
    assert files == sample_invoices(4, seed=1) != sample_invoices(4, seed=2)
    for (_, pdf), inv in zip(files, sample_invoice_data(4, seed=1), strict=True):
        assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
        # the xref table points at each "N 0 obj"
        xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
        assert pdf[xref_at:].startswith(b"xref")
        offsets = re.findall(rb"(\d{10}) 00000 n", pdf[xref_at:])
        for number, off in enumerate(offsets, start=1):
            assert pdf[int(off) :].startswith(f"{number} 0 obj".encode())
        fields, items = extract_invoice(pdf)
        assert {k: v for k, (v, _) in fields.items()} == inv.fields()
        assert [{k: v for k, (v, _) in it.items()} for it in items] == inv.items()
    assert pdf_text_lines(render_pdf(["a (b) \\ c"])) == ["a (b) \\ c"]
    assert extract_invoice(b"not a pdf") == ({}, [])


async def test_state_survives_separate_trio_runs() -> None:
    """The sync client makes one trio.run per call: delays must use a clock that survives runs."""
    emu = Emulator(import_delay_s=0.05)

    async def upload() -> str:
        async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as http:
            name, pdf = sample_invoices(1)[0]
            r = await http.post(
                f"/queues/{emu.seeded.queue_id}/upload",
                files={"content": (name, pdf)},
                headers={"Authorization": f"Bearer {emu.token}"},
            )
            return str(r.json()["annotation"])

    async def status(url: str) -> str:
        async with httpx.AsyncClient(transport=emu.transport()) as http:
            r = await http.get(url, headers={"Authorization": f"Bearer {emu.token}"})
            return str(r.json()["status"])

    url = await trio.to_thread.run_sync(trio.run, upload)
    assert await trio.to_thread.run_sync(trio.run, status, url) == "importing"
    await trio.to_thread.run_sync(time.sleep, 0.1)
    assert await trio.to_thread.run_sync(trio.run, status, url) == "to_review"
