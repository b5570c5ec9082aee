"""rossum-trio against the official rossum-api 3.17.0, side by side in one run.

Both clients talk to the same loopback emulator (``rossum-trio emulator``) with a fixed latency
per request, so the numbers compare how the clients schedule requests, not the machine. Each
scenario runs in its own process; we print wall times, ratios and request counts. The emulator
enforces no rate budget here, so ours runs with ``rate_limit_per_second=None`` (by default it
keeps to 9 requests/s against any network host, which would measure the pacer instead of the
scheduling; ``bench_rate_budget.py`` measures both clients under the real budget).

Scenarios:

1. sync listing of all annotations of a queue (many pages);
2. async listing of the same (official: asyncio; ours: trio);
3. upload N invoices and wait until every one is imported (async), the way each client's API
   leads you to do it: official ``upload_document`` + ``poll_task_until_succeeded`` +
   ``retrieve_upload`` + ``poll_annotation_until_imported`` per file (asyncio.gather); ours
   ``bulk_upload_and_wait``.

The official package is installed into ``benchmarks/.official-venv`` on first use (needs the
package index). Run:

    .venv/bin/python benchmarks/bench_vs_official.py [--latency 0.02] [--annotations 1000]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import textwrap
import urllib.request
import venv

HERE = pathlib.Path(__file__).parent
OFFICIAL_VENV = HERE / ".official-venv"

OURS_SYNC_LIST = """
import sys, time
from rossum_trio import SyncRossumAPIClient, Token
base, token, queue = sys.argv[1], sys.argv[2], int(sys.argv[3])
with SyncRossumAPIClient(base, Token(token), rate_limit_per_second=None) as client:
    start = time.perf_counter()
    n = sum(1 for _ in client.list_annotations(queue=queue))
    print(n, time.perf_counter() - start)
"""

OFFICIAL_SYNC_LIST = """
import sys, time
from rossum_api import SyncRossumAPIClient
from rossum_api.dtos import Token
base, token, queue = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = SyncRossumAPIClient(base_url=base, credentials=Token(token))
start = time.perf_counter()
n = sum(1 for _ in client.list_annotations(queue=queue))
print(n, time.perf_counter() - start)
"""

OURS_ASYNC_LIST = """
import sys, time, trio
from rossum_trio import AsyncRossumAPIClient, Token
base, token, queue = sys.argv[1], sys.argv[2], int(sys.argv[3])
async def main():
    async with AsyncRossumAPIClient(base, Token(token), rate_limit_per_second=None) as client:
        start = time.perf_counter()
        n = 0
        async for _ in client.list_annotations(queue=queue):
            n += 1
        print(n, time.perf_counter() - start)
trio.run(main)
"""

OFFICIAL_ASYNC_LIST = """
import sys, time, asyncio
from rossum_api import AsyncRossumAPIClient
from rossum_api.dtos import Token
base, token, queue = sys.argv[1], sys.argv[2], int(sys.argv[3])
async def main():
    client = AsyncRossumAPIClient(base_url=base, credentials=Token(token))
    start = time.perf_counter()
    n = 0
    async for _ in client.list_annotations(queue=queue):
        n += 1
    print(n, time.perf_counter() - start)
asyncio.run(main())
"""

OURS_UPLOAD = """
import sys, time, trio, pathlib
from rossum_trio import AsyncRossumAPIClient, Token
base, token, queue, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
files = [(p, p.name) for p in sorted(pathlib.Path(folder).glob("*.pdf"))]
async def main():
    async with AsyncRossumAPIClient(base, Token(token), rate_limit_per_second=None) as client:
        start = time.perf_counter()
        results = await client.bulk_upload_and_wait(queue, files, sleep_s=0.5)
        assert all(r.ok for r in results)
        print(len(results), time.perf_counter() - start)
trio.run(main)
"""

OFFICIAL_UPLOAD = """
import sys, time, asyncio, pathlib
from rossum_api import AsyncRossumAPIClient
from rossum_api.dtos import Token
base, token, queue, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
files = [(str(p), p.name) for p in sorted(pathlib.Path(folder).glob("*.pdf"))]
async def one(client, task):
    task = await client.poll_task_until_succeeded(task.id, sleep_s=0.5)
    upload = await client.retrieve_upload(int(task.content["upload"].rstrip("/").rsplit("/", 1)[1]))
    aid = int(upload.annotations[0].rstrip("/").rsplit("/", 1)[1])
    return await client.poll_annotation_until_imported(aid, sleep_s=0.5)
async def main():
    client = AsyncRossumAPIClient(base_url=base, credentials=Token(token))
    start = time.perf_counter()
    tasks = await client.upload_document(queue, files)
    done = await asyncio.gather(*(one(client, t) for t in tasks))
    assert all(a.status == "to_review" for a in done)
    print(len(done), time.perf_counter() - start)
asyncio.run(main())
"""


def official_python() -> pathlib.Path:
    python = OFFICIAL_VENV / "bin" / "python"
    if not (OFFICIAL_VENV / "ok").exists():
        print("installing rossum-api==3.17.0 into", OFFICIAL_VENV, file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(OFFICIAL_VENV)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "rossum-api==3.17.0"], check=True
        )
        (OFFICIAL_VENV / "ok").write_text("ok")
    return python


def start_emulator(latency: float, preload: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rossum_trio.emulator",
            "--port",
            "0",
            "--latency",
            str(latency),
            "--preload",
            str(preload),
            "--import-delay",
            "1.0",
            "--task-delay",
            "0.3",
            # both clients get the whole loopback: compare clients, not the 10/s budget
            "--rate-limit",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    info: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        key, _, value = line.strip().partition(": ")
        if key in ("base_url", "token", "queue", "admin_token"):
            info[key] = value.strip()
        if line.startswith("Press Ctrl-C"):
            break
    return proc, info


ADMIN: dict[str, str] = {}
"""The ``Authorization`` header of the emulator's control endpoints (its admin token)."""


def requests_made(base: str) -> int:
    request = urllib.request.Request(f"{base}/_emulator/requests", headers=ADMIN)
    with urllib.request.urlopen(request) as response:
        return len(json.load(response))


def clear_requests(base: str) -> None:
    request = urllib.request.Request(f"{base}/_emulator/requests", method="DELETE", headers=ADMIN)
    urllib.request.urlopen(request).close()


def run(python: pathlib.Path | str, script: str, *args: str) -> tuple[int, float]:
    out = subprocess.run(
        [str(python), "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--annotations", type=int, default=1000)
    parser.add_argument("--uploads", type=int, default=40)
    options = parser.parse_args()
    official = official_python()
    proc, info = start_emulator(options.latency, options.annotations)
    try:
        base, token = info["base_url"], info["token"]
        ADMIN["Authorization"] = f"Bearer {info['admin_token']}"
        queue = info["queue"].rsplit("/", 1)[1]
        print(
            f"loopback emulator, {options.latency * 1000:.0f} ms per request, "
            f"{options.annotations} annotations"
        )
        for title, ours, theirs in [
            ("sync listing", OURS_SYNC_LIST, OFFICIAL_SYNC_LIST),
            ("async listing", OURS_ASYNC_LIST, OFFICIAL_ASYNC_LIST),
        ]:
            clear_requests(base)
            n1, t_official = run(official, theirs, base, token, queue)
            r_official = requests_made(base)
            clear_requests(base)
            n2, t_ours = run(sys.executable, ours, base, token, queue)
            r_ours = requests_made(base)
            assert n1 == n2 == options.annotations, (n1, n2)
            print(
                f"{title:>14}: official {t_official:6.2f} s ({r_official} requests)   "
                f"rossum-trio {t_ours:6.2f} s ({r_ours} requests)   "
                f"speed-up {t_official / t_ours:4.1f}x"
            )
        with tempfile.TemporaryDirectory() as folder:
            from rossum_trio.emulator import sample_invoices

            for name, pdf in sample_invoices(options.uploads):
                (pathlib.Path(folder) / name).write_bytes(pdf)
            clear_requests(base)
            n1, t_official = run(official, OFFICIAL_UPLOAD, base, token, queue, folder)
            r_official = requests_made(base)
            clear_requests(base)
            n2, t_ours = run(sys.executable, OURS_UPLOAD, base, token, queue, folder)
            r_ours = requests_made(base)
            assert n1 == n2 == options.uploads
            print(
                f"{'upload + wait':>14}: official {t_official:6.2f} s ({r_official} requests)   "
                f"rossum-trio {t_ours:6.2f} s ({r_ours} requests)   "
                f"speed-up {t_official / t_ours:4.1f}x, "
                f"{r_official / r_ours:.1f}x fewer requests"
            )
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
