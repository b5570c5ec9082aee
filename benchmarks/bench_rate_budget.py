"""Uploading many files under the API's rate budget: four clients side by side in one run.

The Rossum API allows about 10 requests per second and answers 429 + ``Retry-After`` beyond.
Each client uploads the same sample invoices to a loopback emulator (``rossum-trio emulator``,
its own process, a fresh one per client) and waits until every file is imported:

a. rossum-trio ``bulk_upload_and_wait`` (default settings);
b. rossum-trio ``upload_and_wait_until_imported`` per file, all at once in a trio nursery;
c. official ``rossum_api.AsyncRossumAPIClient``: ``asyncio.gather`` of its per-file
   ``upload_and_wait_until_imported`` (``return_exceptions=True``, so failures are counted);
d. official ``rossum_api.SyncRossumAPIClient``: the same helper, one file after another.

Scenario 1 (the real budget): emulator ``--rate-limit 10 --import-delay 3``. Scenario 2 (no
budget, 20 ms per request): ``--rate-limit 0 --latency 0.02``, (a) against (b), with default
settings and with client pacing off (``rate_limit_per_second=None``).

Requests and 429s are counted on the server (the emulator's request log), so every client is
counted the same way. The floor of a run is ``requests / 10 + import delay``: the time the
requests it sent need under the budget, plus one import. The official package is installed
into ``benchmarks/.official-venv`` on first use (needs the package index).

    .venv/bin/python benchmarks/bench_rate_budget.py            # full run: writes docs/
    .venv/bin/python benchmarks/bench_rate_budget.py --quick    # smoke run: out/rate-budget-quick

Results: ``OUT/benchmarks/rate-budget.json`` (data), ``OUT/benchmarks/rate-budget.svg`` (chart)
and a section of ``OUT/benchmarks.md`` between the ``rate-budget`` markers (tables).

This file is also the client side of each measurement (``--client KIND``), run in a
subprocess with our venv's python or the official venv's, so at its top level it imports only
the standard library (and ``rate_budget_report`` beside it, which does the same).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import venv
from collections import Counter
from typing import Any

# This folder is on sys.path when the script runs (the report needs the standard library only).
from rate_budget_report import (
    API_BUDGET,
    CLIENTS,
    Row,
    machine_note,
    markdown,
    targets,
    write_results,
)

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
OFFICIAL = "rossum-api==3.17.0"
OFFICIAL_VENV = HERE / ".official-venv"
#: The emulator keeps this many requests in its log (more: the oldest are forgotten).
LOG_CAPACITY = 10_000
#: A client still running after this long is stopped (and its files counted as failed).
CLIENT_TIMEOUT_S = 1200.0


# -- the client side (runs in a subprocess) ------------------------------------------------------


def _files(folder: str, n: int) -> list[tuple[pathlib.Path, str]]:
    paths = sorted(pathlib.Path(folder).glob("*.pdf"))[:n]
    return [(p, p.name) for p in paths]


def _error_name(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__} {status}" if status else type(exc).__name__


def _ours(kind: str, base: str, token: str, queue: int, folder: str, n: int, pace: bool) -> dict:
    import trio

    from rossum_trio import AsyncRossumAPIClient, Token

    files = _files(folder, n)
    options: dict[str, Any] = {} if pace else {"rate_limit_per_second": None}
    errors: Counter[str] = Counter()
    out: dict[str, Any] = {}

    async def main() -> None:
        async with AsyncRossumAPIClient(base, Token(token), **options) as client:
            start = time.perf_counter()
            if kind == "ours-bulk":
                results = await client.bulk_upload_and_wait(queue, files)
                done = sum(r.ok for r in results)
                errors.update(_error_name(r.error) for r in results if r.error is not None)
            else:
                done = 0

                async def one(path: pathlib.Path, name: str) -> None:
                    nonlocal done
                    try:
                        annotation = await client.upload_and_wait_until_imported(queue, path, name)
                    except Exception as exc:
                        errors[_error_name(exc)] += 1
                    else:
                        done += annotation.status == "to_review"

                async with trio.open_nursery() as nursery:
                    for path, name in files:
                        nursery.start_soon(one, path, name)
            out["wall_s"] = time.perf_counter() - start
            out["done"] = done
            stats = client.request_stats
            out["client_requests"], out["client_429s"] = stats.requests, stats.rate_limited

    trio.run(main)
    return {**out, "files": len(files), "errors": dict(errors)}


def _official(kind: str, base: str, token: str, queue: int, folder: str, n: int) -> dict:
    import asyncio
    import warnings

    from rossum_api import AsyncRossumAPIClient, SyncRossumAPIClient
    from rossum_api.dtos import Token

    # The official helper calls its own deprecated import_document.
    warnings.simplefilter("ignore", DeprecationWarning)
    files = _files(folder, n)
    outcomes: list[Any] = []
    start = time.perf_counter()
    if kind == "official-async":

        async def main() -> list[Any]:
            client = AsyncRossumAPIClient(base_url=base, credentials=Token(token))
            calls = [client.upload_and_wait_until_imported(queue, p, name) for p, name in files]
            return await asyncio.gather(*calls, return_exceptions=True)

        outcomes = asyncio.run(main())
    else:
        sync = SyncRossumAPIClient(base_url=base, credentials=Token(token))
        for path, name in files:
            try:
                outcomes.append(sync.upload_and_wait_until_imported(queue, path, name))
            except Exception as exc:
                outcomes.append(exc)
    wall = time.perf_counter() - start
    errors = Counter(_error_name(o) for o in outcomes if isinstance(o, BaseException))
    done = sum(getattr(o, "status", None) == "to_review" for o in outcomes)
    return {"files": len(files), "done": done, "wall_s": wall, "errors": dict(errors)}


def client_main(options: argparse.Namespace) -> None:
    """``--client KIND``: run one client, print one JSON line with what it saw."""
    args = (options.client, options.base, options.token, options.queue, options.folder)
    if options.client.startswith("ours"):
        result = _ours(*args, options.files, not options.no_pace)
    else:
        result = _official(*args, options.files)
    print(json.dumps(result))


# -- the emulator (its own process) --------------------------------------------------------------


def emulator_command(*, rate_limit: float, import_delay: float, latency: float) -> list[str]:
    """The emulator's command line (``rossum-trio emulator --help``); rate limit 0: none."""
    return [
        sys.executable,
        "-m",
        "rossum_trio.emulator",
        "--port",
        "0",
        "--preload",
        "0",
        "--rate-limit",
        f"{rate_limit:g}",
        "--import-delay",
        f"{import_delay:g}",
        "--latency",
        f"{latency:g}",
    ]


class EmulatorProcess:
    """A loopback emulator in a subprocess; ``info`` holds what it announced (base_url ...)."""

    def __init__(self, command: list[str]) -> None:
        # The server's stderr, kept for the error message if it fails; closed in close().
        self._log = tempfile.TemporaryFile()  # noqa: SIM115
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._log, text=True, env=env
        )
        self.info: dict[str, str] = {}
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            key, sep, value = line.strip().partition(":")
            if sep and key and " " not in key:
                self.info[key] = value.strip()
            if line.startswith("Press Ctrl-C"):
                break
        if "base_url" not in self.info:
            self.close()
            self._log.seek(0)
            raise RuntimeError(f"the emulator did not start: {self._log.read().decode()[-2000:]}")

    @property
    def base_url(self) -> str:
        return self.info["base_url"]

    @property
    def queue_id(self) -> int:
        return int(self.info["queue"].rstrip("/").rsplit("/", 1)[1])

    def control_headers(self) -> dict[str, str]:
        """Headers for the control endpoints (an admin token, if the emulator announces one)."""
        admin = self.info.get("admin_token") or self.info.get("admin")
        return {"Authorization": f"Bearer {admin}"} if admin else {}

    def request_log(self) -> list[dict[str, Any]]:
        """The requests the emulator has served (control requests left out)."""
        url = f"{self.base_url}/_emulator/requests"
        for _ in range(30):
            request = urllib.request.Request(url, headers=self.control_headers())
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    records: list[dict[str, Any]] = json.load(response)
                break
            except urllib.error.HTTPError as exc:
                if exc.code != 429:  # the control endpoint is rate-limited too
                    raise
                time.sleep(float(exc.headers.get("Retry-After") or 1))
        else:
            raise RuntimeError("the emulator's request log stayed rate-limited")
        return [r for r in records if "/_emulator/" not in r["path"]]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()


# -- measuring -----------------------------------------------------------------------------------


def official_python(venv_dir: pathlib.Path) -> pathlib.Path:
    """A python with the official package, installed into ``venv_dir`` on first use.

    Exits with pip's output if the install fails.
    """
    python = venv_dir / "bin" / "python"
    if not (venv_dir / "ok").exists():
        print(f"installing {OFFICIAL} into {venv_dir}", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        proc = subprocess.run([*pip, OFFICIAL], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(
                f"cannot install {OFFICIAL} (pip: {(proc.stdout + proc.stderr)[-1500:]})\n"
                "Without the package index, --skip-official measures our clients only."
            )
        (venv_dir / "ok").write_text("ok")
    return python


def measure(
    kind: str,
    python: pathlib.Path | str,
    folder: str,
    n: int,
    *,
    rate_limit: float,
    import_delay: float,
    latency: float,
    pace: bool = True,
    timeout_s: float = CLIENT_TIMEOUT_S,
) -> Row:
    """Run one client against a fresh emulator; count its requests on the server."""
    row = Row(kind, CLIENTS[kind], n, import_delay_s=import_delay)
    row.pacing = "default" if pace else "off"
    emulator = EmulatorProcess(
        emulator_command(rate_limit=rate_limit, import_delay=import_delay, latency=latency)
    )
    try:
        command = [str(python), str(pathlib.Path(__file__).resolve()), "--client", kind]
        command += ["--base", emulator.base_url, "--token", emulator.info["token"]]
        command += ["--queue", str(emulator.queue_id), "--folder", folder, "--files", str(n)]
        command += [] if pace else ["--no-pace"]
        print(f"  {row.label} ({n} files, pacing {row.pacing}) ...", file=sys.stderr, flush=True)
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            row.note = f"stopped after {timeout_s:g} s"  # its requests are still counted
            row.wall_s, row.failed = timeout_s, n
        else:
            lines = proc.stdout.strip().splitlines()
            if proc.returncode != 0 or not lines:
                row.note = f"crashed: {proc.stderr.strip().splitlines()[-1:]}"
                row.failed = n
            else:
                seen = json.loads(lines[-1])
                row.done, row.wall_s, row.errors = seen["done"], seen["wall_s"], seen["errors"]
                row.failed = n - row.done
                row.client_requests = seen.get("client_requests")
                row.client_429s = seen.get("client_429s")
        log = emulator.request_log()
    finally:
        emulator.close()
    if len(log) >= LOG_CAPACITY:
        row.note = f"the emulator's request log is full ({len(log)}): counts are lower bounds"
    row.requests = len(log)
    row.rate_limited = sum(r["status"] == 429 for r in log)
    row.uploaded = sum(
        r["method"] == "POST" and r["status"] in (201, 202) and "upload" in r["path"] for r in log
    )
    print(
        f"    {row.done}/{n} done, {row.wall_s:.1f} s, {row.requests} requests "
        f"({row.requests_per_file:.2f}/file), {row.rate_limited} x 429 {row.note}",
        file=sys.stderr,
        flush=True,
    )
    return row


# -- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=None, help="files per client (200)")
    parser.add_argument("--official-sync-files", type=int, default=None, help="(d): 60")
    parser.add_argument("--quick", action="store_true", help="smoke run: 20 files, short delays")
    parser.add_argument("--out", type=pathlib.Path, default=None, help="docs/ (quick: out/...)")
    parser.add_argument("--import-delay", type=float, default=None, help="seconds (3)")
    parser.add_argument("--rate-limit", type=float, default=API_BUDGET)
    parser.add_argument("--latency", type=float, default=0.02, help="scenario 2 (seconds)")
    parser.add_argument("--official-venv", type=pathlib.Path, default=OFFICIAL_VENV)
    parser.add_argument(
        "--skip-official", action="store_true", help="only when the package index is unreachable"
    )
    parser.add_argument(
        "--from-json",
        type=pathlib.Path,
        metavar="FILE",
        help="measure nothing: write the page and chart again from a rate-budget.json",
    )
    # The client side of one measurement (internal).
    parser.add_argument("--client", choices=sorted(CLIENTS), help=argparse.SUPPRESS)
    for name in ("--base", "--token", "--folder"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    parser.add_argument("--queue", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-pace", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.client:
        client_main(options)
        return
    if options.from_json:
        data = json.loads(options.from_json.read_text())
        budget = [Row.from_dict(r) for r in data["budget"]]
        free = [Row.from_dict(r) for r in data["no_budget"]]
        data["targets"] = targets(budget, free)
        page = write_results(options.out or ROOT / "docs", data, budget, free)
        print(f"wrote {page} from {options.from_json}", file=sys.stderr)
        return
    quick = options.quick
    files = options.files or (20 if quick else 200)
    sync_files = options.official_sync_files or (3 if quick else min(files, 60))
    delay = options.import_delay if options.import_delay is not None else (1.0 if quick else 3.0)
    out = options.out or (ROOT / "out" / "rate-budget-quick" if quick else ROOT / "docs")
    official = None if options.skip_official else official_python(options.official_venv)

    from rossum_trio.emulator import sample_invoices

    with tempfile.TemporaryDirectory() as folder:
        for name, pdf in sample_invoices(files):
            (pathlib.Path(folder) / name).write_bytes(pdf)
        ours = sys.executable
        budget_kw: dict[str, Any] = dict(rate_limit=options.rate_limit, import_delay=delay)
        print(f"scenario 1: {options.rate_limit:g} requests/s, {delay:g} s import", file=sys.stderr)
        budget = [
            measure("ours-bulk", ours, folder, files, latency=0, **budget_kw),
            measure("ours-nursery", ours, folder, files, latency=0, **budget_kw),
        ]
        if official is not None:
            budget.append(
                measure("official-async", official, folder, files, latency=0, **budget_kw)
            )
            budget.append(
                measure("official-sync", official, folder, sync_files, latency=0, **budget_kw)
            )
        print(
            f"scenario 2: no rate limit, {options.latency * 1000:g} ms per request", file=sys.stderr
        )
        free_kw: dict[str, Any] = dict(rate_limit=0, import_delay=delay, latency=options.latency)
        free = [
            measure(kind, ours, folder, files, pace=pace, **free_kw)
            for pace in (True, False)
            for kind in ("ours-bulk", "ours-nursery")
        ]
    data = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine_note(),
        "settings": {
            "quick": quick,
            "files": files,
            "official_sync_files": sync_files,
            "rate_limit": options.rate_limit,
            "import_delay": delay,
            "latency": options.latency,
            "official": None if official is None else OFFICIAL,
        },
        "budget": [r.to_dict() for r in budget],
        "no_budget": [r.to_dict() for r in free],
        "targets": targets(budget, free),
    }
    page = write_results(out, data, budget, free)
    print(markdown(data, budget, free))
    print(f"wrote {page} and {out / 'benchmarks'}", file=sys.stderr)


if __name__ == "__main__":
    main()
