"""The commands doing their job: bulk (exports merged into one file), export, list,
--version."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from xml.etree import ElementTree

import httpx
import pytest

from rossum_trio.emulator import Emulator
from tests.support.cli import Ran, sample_paths

CLI = Callable[..., Ran]
FAST = ("--import-delay", 0.05, "--sleep", 0.05)


def test_bulk_against_the_embedded_emulator(cli: CLI, tmp_path: pathlib.Path) -> None:
    out, report = tmp_path / "export.csv", tmp_path / "report.json"
    ran = cli("bulk", "--samples", 6, *FAST, "--output", out, "--report", report)
    assert ran.code == 0, ran.err
    assert "uploading 6 file(s) to queue 300 (Invoices) on the embedded emulator" in ran.err
    assert "6 files in " in ran.err and ": 6 imported" in ran.err
    assert "per file to upload and wait), no 429" in ran.err
    assert f"export: 6 annotation(s) (csv) written to {out}" in ran.err
    lines = out.read_text().splitlines()
    assert lines[0].startswith("Invoice number")
    assert len({line.split(",")[0] for line in lines[1:]}) == 6
    data = json.loads(report.read_text())
    assert data["outcome"] == "completed" and data["counts"] == {"imported": 6}
    assert 1 <= data["requests_per_file"] < 2.5
    assert data["export"]["annotations"] == 6


def test_bulk_export_to_stdout(cli: CLI) -> None:
    ran = cli("bulk", "--samples", 2, *FAST, "--export-format", "json")
    assert ran.code == 0, ran.err
    assert [item["status"] for item in json.loads(ran.out)] == ["to_review"] * 2
    assert "written to stdout" in ran.err


@pytest.mark.parametrize("export_format", ["csv", "xml", "json"])
def test_exports_of_more_than_100_annotations_are_one_document(
    cli: CLI, tmp_path: pathlib.Path, export_format: str
) -> None:
    out = tmp_path / f"export.{export_format}"
    ran = cli(
        "bulk", "--samples", 105, "--export-format", export_format, "--output", out,
        "--max-in-flight", 8, *FAST,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    if export_format == "csv":
        lines = out.read_text().splitlines()
        assert sum(line.startswith("Invoice number") for line in lines) == 1
        assert len({line.split(",")[0] for line in lines[1:]}) == 105
    elif export_format == "xml":
        root = ElementTree.parse(out).getroot()
        assert len(root.find("results")) == 105
        assert root.find("pagination/total").text == "105"
    else:
        assert len(json.loads(out.read_text())) == 105


def test_given_files_and_samples_together(cli: CLI, tmp_path: pathlib.Path) -> None:
    files = sample_paths(tmp_path / "in", 2)
    ran = cli("bulk", *files, "--samples", 1, *FAST, "--output", tmp_path / "o.csv")
    assert ran.code == 0, ran.err
    # The sample shares a name with a given file but is a file of its own.
    assert "3 files in " in ran.err


def test_export_command(cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path) -> None:
    emulator = Emulator(import_delay_s=0, preload_invoices=5)
    base_url = serve(emulator)
    where = ("--base-url", base_url, "--token", emulator.token, "--queue", 300)
    out = tmp_path / "all.json"
    ran = cli("export", *where, "--format", "json", "--output", out)
    assert ran.code == 0, ran.err
    assert "5 annotation(s) of queue 300 match" in ran.err
    assert "exported 5 annotation(s) (json)" in ran.err
    assert len(json.loads(out.read_text())) == 5

    ran = cli("export", *where, "--status", "exported", "--output", tmp_path / "none.csv")
    assert ran.code == 0, ran.err
    assert "0 annotation(s) of queue 300 match" in ran.err

    csv_out = tmp_path / "moved.csv"
    ran = cli(
        "export", *where, "--status", "to_review", "--to-status", "exported", "--output", csv_out
    )
    assert ran.code == 0, ran.err
    assert len(csv_out.read_text().splitlines()) > 5
    statuses = {a["status"] for a in emulator.objects("annotations")}
    assert statuses == {"exported"}

    ran = cli("export", *where, "--arrived-after", "2999-01-01", "--format", "xml")
    assert ran.code == 0, ran.err
    assert ElementTree.fromstring(ran.out).find("pagination/total").text == "0"

    ran = cli("export", *where, "--arrived-after", "yesterday")
    assert ran.code == 2
    assert "argument --arrived-after: must be a date (YYYY-MM-DD)" in ran.err


def test_export_command_against_the_embedded_emulator(cli: CLI) -> None:
    ran = cli("export", "--samples", 2)
    assert ran.code == 0, ran.err
    assert ran.out.splitlines()[0].startswith("Invoice number")


def test_export_of_an_unknown_queue_fails_once(cli: CLI) -> None:
    ran = cli("export", "--queue", 12345)
    assert ran.code == 3
    assert ran.err_lines == [
        "rossum-trio: queue 12345 does not exist at the embedded emulator "
        "(or this user cannot see it)"
    ]


def test_list_command(cli: CLI, serve: Callable[[Emulator], str]) -> None:
    emulator = Emulator(import_delay_s=0, preload_invoices=3)
    base_url = serve(emulator)
    where = ("--base-url", base_url, "--token", emulator.token)
    ran = cli("list", "queues", *where)
    assert ran.code == 0, ran.err
    (queue,) = [json.loads(line) for line in ran.out.splitlines()]
    assert queue["id"] == 300 and queue["name"] == "Invoices"

    ran = cli("list", "annotations", *where, "--queue", 300, "--status", "to_review")
    lines = [json.loads(line) for line in ran.out.splitlines()]
    assert [a["status"] for a in lines] == ["to_review"] * 3
    answer = httpx.get(
        f"{base_url}/annotations",
        params={"queue": 300, "status": "to_review"},
        headers={"Authorization": f"Bearer {emulator.token}"},
    ).json()
    assert lines == answer["results"]  # the API's objects, as it sent them

    ran = cli("list", "annotations", *where, "--limit", 2, "--format", "table")
    assert ran.code == 0, ran.err
    header, *rows = ran.out.splitlines()
    assert header.split() == ["id", "status", "arrived_at", "file", "name", "queue"]
    assert len(rows) == 2 and "invoice_001.pdf" in ran.out

    ran = cli("list", "annotations", *where, "--queue", 999)
    assert ran.code == 3
    assert "queue 999 does not exist" in ran.err


def test_version_and_help(cli: CLI) -> None:
    ran = cli("--version")
    assert ran.code == 0
    assert ran.out.strip() == "rossum-trio 0.1.0"
    ran = cli("bulk", "--help")
    assert ran.code == 0
    assert "--resume REPORT" in ran.out and "exit status" in ran.out
    ran = cli()
    assert ran.code == 2
    assert "required: COMMAND" in ran.err


def test_list_flags_that_do_not_apply(cli: CLI) -> None:
    ran = cli("list", "queues", "--status", "to_review")
    assert ran.code == 2
    assert "--status does not apply to rossum-trio list queues" in ran.err
    ran = cli("list", "annotations", "--workspace", 7)
    assert ran.code == 2
    assert "--workspace does not apply to rossum-trio list annotations" in ran.err
