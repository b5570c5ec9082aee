"""Interrupts and timeouts keep the work: a summary, a report, and a resume that uploads
nothing twice."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from rossum_trio.emulator import Emulator, Faults
from tests.support.cli import Ran, sample_paths, uploads
from tests.support.emulator import documents_by_name

CLI = Callable[..., Ran]


def _environment() -> dict[str, str]:
    # Every warning is an error: an interrupted run leaves nothing to trio's finaliser.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ROSSUM_", "PYTHONWARN"))}
    return {**env, "PYTHONWARNINGS": "error"}


def test_ctrl_c_in_a_200_file_run_then_resume(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    emulator = Emulator(import_delay_s=0.3, faults=Faults(latency_s=0.02))
    base_url = serve(emulator)
    files = sample_paths(tmp_path / "in", 200)
    report, out = tmp_path / "report.json", tmp_path / "export.csv"
    command = [
        sys.executable, "-m", "rossum_trio.cli", "bulk", "--base-url", base_url,
        "--token", emulator.token, "--queue", "300", "--rate-limit", "200",
        "--sleep", "0.1", "--report", str(report), "--output", str(out), *map(str, files),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment()
    )
    try:
        deadline = time.monotonic() + 30
        while len(uploads(emulator)) < 16:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the uploads did not start"
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)  # what Ctrl-C does
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stdout == ""
    assert not out.exists()  # no half export

    data = json.loads(report.read_text())
    assert data["outcome"] == "interrupted"
    entries = data["files"]
    assert [e["filename"] for e in entries] == [p.name for p in files]
    on_server = [e for e in entries if e["annotation_ids"]]
    unknown = [e for e in entries if e["status"] == "unknown"]
    not_sent = [e for e in entries if e["status"] == "not_sent"]
    assert len(on_server) + len(unknown) + len(not_sent) == 200
    assert len(on_server) >= 1 and not_sent
    # The summary says the same as the report (no counter running on to 200/200).
    assert "interrupted after " in stderr
    assert f"{len(not_sent)} not sent (of 200 files)" in stderr
    for entry in on_server[:20]:
        ids = ", ".join(map(str, entry["annotation_ids"]))
        assert f"on the server: {entry['filename']} (annotation {ids}" in stderr
    assert f"rossum-trio bulk --resume {report}" in stderr
    # What the report says is on the server is there; what was not sent is not.
    annotations = {a["id"]: a for a in emulator.objects("annotations")}
    documents = {d["url"]: d for d in emulator.objects("documents")}
    for entry in on_server:
        for annotation_id in entry["annotation_ids"]:
            document = documents[annotations[annotation_id]["document"]]
            assert document["original_file_name"] == entry["filename"]
    names = documents_by_name(emulator)
    assert not any(e["filename"] in names for e in not_sent)
    assert len(names) <= len(on_server) + len(unknown)

    # Resume: nothing is uploaded twice, everything ends imported and exported.
    report2 = tmp_path / "report2.json"
    ran = cli(
        "bulk", "--resume", report, "--token", emulator.token, "--rate-limit", 200,
        "--sleep", 0.1, "--report", report2, "--output", out,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert "of unknown outcome found on the server" in ran.err or not unknown
    assert "200 files in" in ran.err and "200 imported" in ran.err
    assert documents_by_name(emulator) == {p.name: 1 for p in files}
    assert len(emulator.objects("annotations")) == 200
    final = json.loads(report2.read_text())
    assert final["outcome"] == "completed"
    assert {e["status"] for e in final["files"]} == {"imported"}
    for before, after in zip(entries, final["files"], strict=True):
        if before["annotation_ids"]:
            assert after["annotation_ids"] == before["annotation_ids"]
    rows = out.read_text().splitlines()
    assert len({row.split(",")[0] for row in rows[1:]}) == 200


def test_timeout_stops_cleanly_and_reports(cli: CLI, tmp_path: pathlib.Path) -> None:
    report = tmp_path / "report.json"
    ran = cli(
        "bulk", "--samples", 8, "--import-delay", 30, "--timeout", 0.2, "--report", report,
        "--output", tmp_path / "out.csv",
    )  # fmt: skip
    assert ran.code == 124
    assert "TooSlowError" not in ran.err and "ExceptionGroup" not in ran.err
    assert "timed out (--timeout 0.2 s): " in ran.err and "(of 8 files)" in ran.err
    assert "export: not written (the run did not finish)" in ran.err
    data = json.loads(report.read_text())
    assert data["outcome"] == "timed_out"
    on_server = [e for e in data["files"] if e["annotation_ids"]]
    assert {e["status"] for e in on_server} <= {"uploaded"}  # none imported in 0.2 s
    for entry in on_server:
        ids = ", ".join(map(str, entry["annotation_ids"]))
        assert f"on the server: {entry['filename']} (annotation {ids}, uploaded)" in ran.err
    assert {e["status"] for e in data["files"]} <= {"uploaded", "unknown", "not_sent"}
    assert not (tmp_path / "out.csv").exists()
    assert list(tmp_path.iterdir()) == [report]  # no partial file left behind


def test_resume_waits_for_what_was_uploaded_and_looks_up_unknown_uploads(
    cli: CLI, serve: Callable[[Emulator], str], tmp_path: pathlib.Path
) -> None:
    """A report with a file on the server (import unfinished), one of unknown outcome that did
    reach the server, one of unknown outcome that did not, and one not sent."""
    emulator = Emulator(import_delay_s=0.2)
    base_url = serve(emulator)
    files = sample_paths(tmp_path / "in", 4)
    first = tmp_path / "first.json"
    # Put files 0 and 1 on the server, as the interrupted run did.
    ran = cli(
        "bulk", "--base-url", base_url, "--token", emulator.token, "--queue", 300,
        "--rate-limit", 100, "--sleep", 0.05, "--report", first, "--output", tmp_path / "x.csv",
        files[0], files[1],
    )  # fmt: skip
    assert ran.code == 0, ran.err
    data = json.loads(first.read_text())
    uploaded, reached = data["files"]
    uploaded["status"] = "uploaded"
    reached_ids = reached["annotation_ids"]
    reached.update(status="unknown", annotation_ids=[], error="stopped while sending")
    lost = {"path": str(files[2]), "filename": files[2].name, "status": "unknown"}
    lost.update(annotation_ids=[], error="stopped while sending")
    waiting = {"path": str(files[3]), "filename": files[3].name, "status": "not_sent"}
    waiting.update(annotation_ids=[], error="the run was stopped")
    data["files"] += [lost, waiting]
    data["outcome"] = "interrupted"
    first.write_text(json.dumps(data))

    second = tmp_path / "second.json"
    ran = cli(
        "bulk", "--resume", first, "--token", emulator.token, "--rate-limit", 100,
        "--sleep", 0.05, "--report", second, "--output", tmp_path / "out.csv",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert "1 of 2 upload(s) of unknown outcome found on the server" in ran.err
    assert "uploading 1 file(s)" in ran.err and "1 already there from the report" in ran.err
    assert "2 of unknown outcome looked up first" in ran.err
    assert documents_by_name(emulator) == {p.name: 1 for p in files}
    result = json.loads(second.read_text())
    assert [e["status"] for e in result["files"]] == ["imported"] * 4
    assert result["files"][0]["annotation_ids"] == uploaded["annotation_ids"]
    assert result["files"][1]["annotation_ids"] == reached_ids  # found, not sent again
    assert len(uploads(emulator)) == 4


def test_resume_refuses_a_report_of_another_target(cli: CLI, tmp_path: pathlib.Path) -> None:
    report = tmp_path / "r.json"
    ran = cli("bulk", "--samples", 2, "--import-delay", 0, "--sleep", 0.05, "--report", report)
    assert ran.code == 0, ran.err
    ran = cli("bulk", "--resume", report)
    assert ran.code == 2
    assert "used the embedded emulator, which keeps nothing between runs" in ran.err
    data = json.loads(report.read_text())
    data["base_url"] = "https://acme.rossum.app/api/v1"
    report.write_text(json.dumps(data))
    ran = cli("bulk", "--resume", report, "--token", "t", "--queue", 7)
    assert ran.code == 2
    assert "is a run into queue 300, not 7" in ran.err
    report.write_text("{}")
    ran = cli("bulk", "--resume", report)
    assert ran.code == 2
    assert "not a rossum-trio bulk report" in ran.err


def test_an_unexpected_error_still_leaves_the_report(
    cli: CLI, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rossum_trio.cli import _bulk

    async def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("a bug in the export")

    monkeypatch.setattr(_bulk, "export_ids", broken)
    report = tmp_path / "report.json"
    ran = cli("bulk", "--samples", 3, "--import-delay", 0, "--sleep", 0.05, "--report", report)
    assert ran.code == 3
    assert "rossum-trio: unexpected error: RuntimeError: a bug in the export" in ran.err
    data = json.loads(report.read_text())
    assert data["outcome"] == "stopped"
    assert [f["status"] for f in data["files"]] == ["imported"] * 3
