"""Issue #11, row by row: each way the command used to fail badly, and what it does now.

Errors that would fail every file stop the run with one line and exit 3; bad arguments are
refused before any request (exit 2); one bad file fails alone; nothing prints a traceback
(the ``cli`` fixture checks that for every run).
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from rossum_trio.emulator import Emulator, Faults
from tests.support.cli import Ran, sample_paths, uploads
from tests.support.emulator import documents_by_name

CLI = Callable[..., Ran]


# -- fail once, clearly ----------------------------------------------------------------------


def test_bad_token_fails_once_before_any_upload(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    emulator = Emulator()
    base_url = serve(emulator)
    files = sample_paths(tmp_path, 50)
    ran = cli("bulk", "--base-url", base_url, "--token", "wrong", "--queue", 300, *files)
    assert ran.code == 3
    assert len(ran.err_lines) == 1, ran.err
    assert "refused the token (HTTP 401" in ran.err
    assert "nothing was sent (50 files)" in ran.err
    assert uploads(emulator) == []
    assert len(emulator.requests) == 1


def test_wrong_password_fails_once(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    emulator = Emulator()
    base_url = serve(emulator)
    files = sample_paths(tmp_path, 5)
    ran = cli(
        "bulk", "--base-url", base_url, "--username", emulator.username,
        "--password", "not-it", "--queue", 300, *files,
    )  # fmt: skip
    assert ran.code == 3
    assert ran.err_lines == [
        f"rossum-trio: login failed at {base_url}: the API refused the username or password "
        "(HTTP 401); nothing was sent (5 files)"
    ]
    assert uploads(emulator) == []


def test_unknown_queue_fails_once(cli: CLI) -> None:
    ran = cli("bulk", "--queue", 999, "--samples", 30)
    assert ran.code == 3
    assert ran.err_lines == [
        "rossum-trio: queue 999 does not exist at the embedded emulator (or this user cannot "
        "see it); nothing was sent (30 files)"
    ]


def test_unreachable_host_fails_once(cli: CLI, closed_port: int, tmp_path: pathlib.Path) -> None:
    files = sample_paths(tmp_path, 20)
    base_url = f"http://127.0.0.1:{closed_port}/api/v1"
    ran = cli("bulk", "--base-url", base_url, "--token", "t", "--queue", 1, "--retries", 1, *files)
    assert ran.code == 3
    assert len(ran.err_lines) == 1, ran.err
    assert ran.err.startswith("rossum-trio: cannot reach 127.0.0.1:")
    assert "nothing was sent (20 files)" in ran.err


def test_a_base_url_without_api_v1_says_so(cli: CLI, tmp_path: pathlib.Path) -> None:
    files = sample_paths(tmp_path, 1)
    ran = cli("bulk", "--base-url", "https://acme.rossum.app", "--token", "t", "--queue", 1, *files)
    assert ran.code == 2
    assert "--base-url (or ROSSUM_BASE_URL) must end with /api/v1" in ran.err
    assert "did you mean https://acme.rossum.app/api/v1?" in ran.err


def test_a_token_with_a_newline_is_refused_before_sending(cli: CLI, tmp_path: pathlib.Path) -> None:
    files = sample_paths(tmp_path, 1)
    ran = cli(
        "bulk", "--base-url", "https://acme.rossum.app/api/v1", "--token", "abc\n",
        "--queue", 1, *files,
    )  # fmt: skip
    assert ran.code == 2
    assert "--token: the token contains whitespace" in ran.err
    assert "abc" not in ran.err


def test_retries_and_429_pauses_show_on_the_progress_not_as_log_lines(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    # The first request is answered 429 (Retry-After: 1 s), the second 503: a pause, a retry.
    faults = Faults(storm_429=1, retry_after_s=1, fail_next=1, fail_status=503)
    emulator = Emulator(import_delay_s=0.1, faults=faults)
    base_url = serve(emulator)
    files = sample_paths(tmp_path, 3)
    ran = cli(
        "bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300,
        "--sleep", 0.1, "--output", tmp_path / "out.csv", *files,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert "paused 1 s by the API's rate limit (429)" in ran.err
    assert "retrying in " in ran.err and "(HTTP 503 from GET /api/v1/queues/300" in ran.err
    assert "stamina" not in ran.err
    assert "1 answers 429 waited out (paused 1.0 s by the API's rate limit)" in ran.err


# -- per-file errors never stop the batch ----------------------------------------------------


def test_empty_and_non_pdf_files_fail_alone_and_are_not_exported(
    cli: CLI, tmp_path: pathlib.Path
) -> None:
    files = sample_paths(tmp_path / "in", 3)
    empty = tmp_path / "in" / "empty.pdf"
    empty.write_bytes(b"")
    notes = tmp_path / "in" / "notes.txt"
    notes.write_text("not an invoice\n")
    fake = tmp_path / "in" / "fake.pdf"
    fake.write_text("<p>hello</p>")
    out, report = tmp_path / "out.csv", tmp_path / "report.json"
    ran = cli(
        "bulk", *files, empty, notes, fake, "--import-delay", 0, "--sleep", 0.05,
        "--output", out, "--report", report,
    )  # fmt: skip
    assert ran.code == 1
    assert "6 files in" in ran.err and "3 imported, 3 failed" in ran.err
    assert "failed: empty.pdf: not sent: the file is empty (0 bytes)" in ran.err
    assert "failed: notes.txt: not sent: not a document the API imports" in ran.err
    assert "failed: fake.pdf: not sent: named .pdf but its content is an XML document" in ran.err
    assert "export: 3 annotation(s) (csv)" in ran.err
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert len({row[0] for row in rows[1:]}) == 3  # three invoices, no empty row
    assert all(row[0] for row in rows[1:])
    entries = {f["filename"]: f for f in json.loads(report.read_text())["files"]}
    assert entries["empty.pdf"]["status"] == "failed"
    assert entries["empty.pdf"]["annotation_ids"] == []


def test_a_failed_import_is_counted_failed_with_the_reason_and_not_exported(
    cli: CLI, tmp_path: pathlib.Path
) -> None:
    (invoice,) = sample_paths(tmp_path / "in", 1)
    empty = tmp_path / "in" / "empty.pdf"
    empty.write_bytes(b"")
    out = tmp_path / "out.json"
    ran = cli(
        "bulk", invoice, empty, "--no-file-check", "--export-format", "json",
        "--import-delay", 0, "--sleep", 0.05, "--output", out,
    )  # fmt: skip
    assert ran.code == 1
    assert "1 imported, 1 failed" in ran.err
    assert "failed: empty.pdf: import failed: The file is empty." in ran.err
    assert [item["document"]["file_name"] for item in json.loads(out.read_text())] == [invoice.name]


# -- check before doing ----------------------------------------------------------------------


def test_sample_files_are_never_uploaded_to_a_real_account(
    cli: CLI, serve: Callable[[Emulator], str]
) -> None:
    emulator = Emulator()
    base_url = serve(emulator)
    ran = cli("bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300)
    assert ran.code == 2
    assert "give the files to upload (sample invoices are never uploaded" in ran.err
    ran = cli(
        "bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300,
        "--samples", 5,
    )  # fmt: skip
    assert ran.code == 2
    assert "--samples uploads generated invoices and works only with the embedded" in ran.err
    assert len(emulator.requests) == 0


def test_an_output_directory_that_does_not_exist_is_noticed_first(
    cli: CLI, tmp_path: pathlib.Path
) -> None:
    ran = cli("bulk", "--samples", 3, "--output", "/no/such/dir/x.csv")
    assert ran.code == 2
    assert ran.err_lines == [
        "rossum-trio bulk: error: --output /no/such/dir/x.csv: the directory /no/such/dir "
        "does not exist"
    ]
    ran = cli("bulk", "--samples", 3, "--output", tmp_path)
    assert ran.code == 2
    assert f"--output {tmp_path} is a directory" in ran.err
    ran = cli("bulk", "--samples", 3, "--report", tmp_path / "nope" / "r.json")
    assert ran.code == 2
    assert "--report" in ran.err and "does not exist" in ran.err


def test_a_directory_given_as_a_file(cli: CLI, tmp_path: pathlib.Path) -> None:
    ran = cli("bulk", tmp_path)
    assert ran.code == 2
    assert f"{tmp_path} is a directory, not a file (to upload the files in it:" in ran.err
    ran = cli("bulk", tmp_path / "missing.pdf")
    assert ran.code == 2
    assert "no such file" in ran.err


@pytest.mark.parametrize("value", ["-1", "0", "many"])
def test_counts_must_be_positive(cli: CLI, value: str) -> None:
    ran = cli("bulk", "--samples", value)
    assert ran.code == 2
    assert "argument --samples: must be" in ran.err
    ran = cli("bulk", "--max-in-flight", value)
    assert ran.code == 2
    assert "argument --max-in-flight: must be" in ran.err


def test_flags_that_do_not_apply_are_refused(cli: CLI, tmp_path: pathlib.Path) -> None:
    ran = cli("bulk", "--token", "t", "--samples", 1)
    assert ran.code == 2
    assert "--token needs --base-url" in ran.err
    ran = cli("bulk", "--resume", tmp_path / "none.json")
    assert ran.code == 2
    assert "--resume" in ran.err


# -- exports that are the API's ----------------------------------------------------------------


def test_json_export_is_the_apis_export(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    emulator = Emulator(import_delay_s=0.05)
    base_url = serve(emulator)
    files = sample_paths(tmp_path / "in", 3)
    out = tmp_path / "out.json"
    ran = cli(
        "bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300,
        "--rate-limit", 100, "--sleep", 0.05, "--export-format", "json", "--output", out,
        *files,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    exported = json.loads(out.read_text())
    ids = ",".join(str(a["id"]) for a in emulator.objects("annotations"))
    answer = httpx.get(
        f"{base_url}/queues/300/export",
        params={"format": "json", "id": ids, "page_size": 100},
        headers={"Authorization": f"Bearer {emulator.token}"},
    ).json()
    assert exported == answer["results"]
    assert {item["document"]["file_name"] for item in exported} == {p.name for p in files}
    assert documents_by_name(emulator) == {p.name: 1 for p in files}


def test_an_error_that_fails_every_file_mid_run_is_said_once(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    # After three uploads the API refuses the token (as when it is revoked during a run).
    emulator = Emulator(import_delay_s=0.05, faults=Faults(path_pattern="/upload$"))
    base_url = serve(emulator)
    files = sample_paths(tmp_path / "in", 30)
    report = tmp_path / "report.json"

    def revoke_after_three() -> None:
        deadline = time.monotonic() + 20
        while len(uploads(emulator)) < 3 and time.monotonic() < deadline:
            time.sleep(0.002)
        emulator.faults.update(fail_next=100, fail_status=401)

    watcher = threading.Thread(target=revoke_after_three, daemon=True)
    watcher.start()
    ran = cli(
        "bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300,
        "--max-in-flight", 1, "--sleep", 0.05, "--rate-limit", 20, "--report", report,
        "--output", tmp_path / "out.csv", *files,
    )  # fmt: skip
    watcher.join()
    assert ran.code == 3
    assert sum("401" in line for line in ran.err_lines) == 1, ran.err
    fatal = f"rossum-trio: the API at {base_url} refused the token (HTTP 401: Injected fault.)"
    assert any(line.startswith(fatal) for line in ran.err_lines), ran.err
    data = json.loads(report.read_text())
    assert data["outcome"] == "stopped"
    statuses = [f["status"] for f in data["files"]]
    assert statuses.count("not_sent") >= 25
    assert "refused: see the error above" in ran.err
    assert f"rossum-trio bulk --resume {report}" in ran.err
    assert "export: not written" in ran.err


def test_one_file_the_api_refuses_fails_alone(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    faults = Faults(path_pattern="/upload$", fail_next=1, fail_status=400)
    emulator = Emulator(import_delay_s=0.05, faults=faults)
    base_url = serve(emulator)
    files = sample_paths(tmp_path / "in", 6)
    out = tmp_path / "out.csv"
    ran = cli(
        "bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300,
        "--sleep", 0.05, "--rate-limit", 100, "--output", out, *files,
    )  # fmt: skip
    assert ran.code == 1
    assert "5 imported, 1 failed" in ran.err
    assert "HTTP 400 from POST /api/v1/queues/300/upload: Injected fault." in ran.err
    assert "export: 5 annotation(s) (csv)" in ran.err
    assert len(documents_by_name(emulator)) == 5


def test_uploads_of_unknown_outcome_are_named_with_the_way_to_finish(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    # Every answer to an upload is lost on the way: the run ends, but it cannot tell whether
    # the files reached the server, so it names them and says how to finish the job.
    faults = Faults(path_pattern="/upload$", drop_rate=1.0)
    emulator = Emulator(import_delay_s=0.05, faults=faults)
    base_url = serve(emulator)
    files = sample_paths(tmp_path / "in", 2)
    report = tmp_path / "report.json"
    ran = cli(
        "bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300,
        "--sleep", 0.05, "--rate-limit", 100, "--retries", 1, "--report", report,
        "--output", tmp_path / "out.csv", *files,
    )  # fmt: skip
    assert ran.code == 1, ran.err
    assert "2 outcome unknown (may be on the server)" in ran.err
    for path in files:
        assert any(
            line.startswith(f"  outcome unknown: {path.name}: ") for line in ran.err_lines
        ), ran.err
    assert f"rossum-trio bulk --resume {report}" in ran.err
    assert [f["status"] for f in json.loads(report.read_text())["files"]] == ["unknown"] * 2
