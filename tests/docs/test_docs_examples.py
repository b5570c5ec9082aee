"""Every Python example in ``README.md`` and ``docs/**/*.md`` runs, against the emulator.

Each fenced ``python`` block (also ``py``, ``python3``, ``pycon``) carries a marker on the line
before it (blank lines may sit between), an HTML comment that renders as nothing::

    <!-- example: KIND [OPTION ...] -->

``trio``
    Async code that uses a ready client: the body of ``async def example(client, queue_id,
    annotation_id, emulator)``. ``client`` is an ``AsyncRossumAPIClient`` on a fresh in-process
    emulator (token auth), ``queue_id`` its queue, ``annotation_id`` an imported annotation
    (``to_review``) in it, ``emulator`` the ``Emulator``. Top-level ``await``/``async with``
    read naturally this way.
``sync``
    The same with ``client`` a ``SyncRossumAPIClient`` (the body of a plain ``def``).
``program``
    A whole script (trio or blocking) that needs nothing else, e.g. one that starts its own
    emulator. Run as written, in a subprocess.
``real-account``
    A whole script written for a real account. It must name the base URL
    ``https://acme.rossum.app/api/v1`` (or read ``ROSSUM_BASE_URL``) and read its credentials
    from ``ROSSUM_TOKEN`` or ``ROSSUM_USERNAME``/``ROSSUM_PASSWORD``. CI replaces the URL with a
    loopback emulator's, the queue id ``8199`` and the workspace id ``7540`` with the emulator's,
    sets those variables, and runs it in a subprocess.
``pytest``
    A test module, run by pytest in an empty directory. Option ``trio_mode``: the directory's
    ``pytest.ini`` sets ``trio_mode = true`` (say so in the text around the block).
``fragment``
    Not runnable alone (a signature, an excerpt): neither run nor type-checked. Use sparingly.

Every block that runs is also checked with ``mypy --strict``. Blocks run in a directory holding
``invoice.pdf`` and ``invoices/`` (three sample invoice PDFs); ``PYTHONWARNINGS=error`` for
subprocesses, pytest's ``filterwarnings = error`` in process. A python block with no marker, an
unknown kind or an unknown option fails ``test_every_python_block_has_a_marker``: nothing
escapes silently. Error messages and tracebacks name the Markdown file and its line numbers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trio

from rossum_trio import AsyncRossumAPIClient
from rossum_trio.emulator import Emulator, open_emulator_server
from tests.support.clients import emulator_client, sync_emulator_client
from tests.support.files import write_sample, write_samples

ROOT = Path(__file__).parents[2]
PYTHON_FENCES = {"python", "py", "python3", "pycon"}
KINDS = {
    "trio": set(),
    "sync": set(),
    "program": set(),
    "real-account": set(),
    "pytest": {"trio_mode"},
    "fragment": set(),
}
MARKER = re.compile(r"^\s*<!--\s*example:\s*(?P<words>[^>]*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})\s*(?P<info>[^`]*)$")

#: What a real-account block must name, and what CI puts in its place.
PLACEHOLDER_URL = "https://acme.rossum.app/api/v1"
PLACEHOLDER_QUEUE_ID = "8199"
PLACEHOLDER_WORKSPACE_ID = "7540"


@dataclass(frozen=True)
class Block:
    path: str  # relative to the repository root, e.g. "docs/trio.md"
    line: int  # 1-based line of the block's first code line in that file
    language: str
    kind: str | None
    options: tuple[str, ...]
    code: str

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"

    def problem(self) -> str | None:
        """Why this block breaks the convention, or None."""
        if self.kind is None:
            return "no <!-- example: KIND --> marker before it"
        if self.kind not in KINDS:
            return f"unknown kind {self.kind!r} (known: {', '.join(sorted(KINDS))})"
        unknown = set(self.options) - KINDS[self.kind]
        if unknown:
            return f"unknown option(s) {sorted(unknown)} for kind {self.kind!r}"
        if self.language == "pycon" and self.kind != "fragment":
            return "pycon blocks can only be fragments"
        if self.kind == "real-account" and not (
            PLACEHOLDER_URL in self.code or "ROSSUM_BASE_URL" in self.code
        ):
            return f"a real-account block must name {PLACEHOLDER_URL} or ROSSUM_BASE_URL"
        return None


def find_blocks(text: str, path: str) -> list[Block]:
    """The fenced Python blocks of a Markdown text, with the marker before each."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        indent, ticks = fence["indent"], fence["ticks"]
        info = fence["info"].strip()
        end = i + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(ticks) and not lines[end].strip()[len(ticks) :].strip()
        ):
            end += 1
        language = info.split()[0].lstrip(".{").rstrip("}") if info else ""
        if language in PYTHON_FENCES:
            kind: str | None = None
            options: tuple[str, ...] = ()
            before = i - 1
            while before >= 0 and not lines[before].strip():
                before -= 1
            marker = MARKER.match(lines[before]) if before >= 0 else None
            if marker is not None:
                words = marker["words"].split()
                kind, options = (words[0], tuple(words[1:])) if words else ("", ())
            body = [
                line[len(indent) :] if line.startswith(indent) else line.lstrip()
                for line in lines[i + 1 : end]
            ]
            blocks.append(Block(path, i + 2, language, kind, options, "\n".join(body) + "\n"))
        i = end + 1
    return blocks


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def all_blocks() -> list[Block]:
    return [
        block
        for path in doc_files()
        for block in find_blocks(path.read_text(), path.relative_to(ROOT).as_posix())
    ]


def blocks_of(kind: str) -> list[Any]:
    return [pytest.param(b, id=b.id) for b in all_blocks() if b.kind == kind and not b.problem()]


# -- the source each block runs as ---------------------------------------------------------------

SNIPPET_HEADERS = {
    "trio": [
        "from rossum_trio import AsyncRossumAPIClient as _Client; "
        "from rossum_trio.emulator import Emulator as _Emulator",
        "async def example(client: _Client, queue_id: int, annotation_id: int, "
        "emulator: _Emulator) -> None:",
    ],
    "sync": [
        "from rossum_trio import SyncRossumAPIClient as _Client; "
        "from rossum_trio.emulator import Emulator as _Emulator",
        "def example(client: _Client, queue_id: int, annotation_id: int, "
        "emulator: _Emulator) -> None:",
    ],
}


def source(block: Block) -> str:
    """The block as a Python module whose line numbers are the Markdown file's."""
    header = SNIPPET_HEADERS.get(block.kind or "", [])
    body = block.code
    if header:
        body = "".join(f"    {line}\n" if line.strip() else "\n" for line in body.splitlines())
        body += "    pass\n"  # a block of only comments or imports is still a body
    padding = block.line - 1 - len(header)
    assert padding >= 0, f"{block.id}: the marker and the fence take two lines"
    return "\n" * padding + "".join(f"{line}\n" for line in header) + body


def real_account_source(block: Block, base_url: str, emulator: Emulator) -> str:
    code = source(block).replace(PLACEHOLDER_URL, base_url)
    code = re.sub(rf"\b{PLACEHOLDER_QUEUE_ID}\b", str(emulator.seeded.queue_id), code)
    return re.sub(rf"\b{PLACEHOLDER_WORKSPACE_ID}\b", str(emulator.seeded.workspace_id), code)


def prepare_directory(directory: Path) -> None:
    """What blocks may use: ``invoice.pdf`` and ``invoices/*.pdf``."""
    write_sample(directory / "invoice.pdf")
    write_samples(directory / "invoices", 3, seed=1)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSSUM_")}
    return {**env, "PYTHONWARNINGS": "error", **extra}


def check_finished(block: Block, returncode: int, stdout: str, stderr: str) -> None:
    assert returncode == 0, f"{block.id} failed:\n{stdout}\n{stderr}"


async def imported_annotation(client: AsyncRossumAPIClient, queue_id: int) -> int:
    annotation = await client.upload_and_wait_until_imported(
        queue_id, "invoice.pdf", "invoice.pdf", sleep_s=0
    )
    return annotation.id


def load(block: Block) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"__name__": f"example_{block.line}"}
    exec(compile(source(block), block.path, "exec"), namespace)
    return namespace["example"]  # type: ignore[no-any-return]


# -- the convention ------------------------------------------------------------------------------


def test_every_python_block_has_a_marker() -> None:
    problems = [f"{block.id}: {problem}" for block in all_blocks() if (problem := block.problem())]
    assert not problems, "\n".join(problems)


def test_the_examples_are_found() -> None:
    readme = [b.kind for b in all_blocks() if b.path == "README.md"]
    assert readme.count("real-account") >= 2 and "program" in readme
    kinds = {b.kind for b in all_blocks()}
    assert {"trio", "sync", "program", "real-account"} <= kinds


def test_find_blocks_reads_markers_fences_and_indentation() -> None:
    text = (
        "<!-- example: trio -->\n```python\nawait x()\n```\n\n"
        "```python\nunmarked()\n```\n"
        "<!-- example: pytest trio_mode -->\n\n```py title='t.py'\ndef test(): ...\n```\n"
        "1. step\n\n    <!-- example: sync -->\n    ```python\n    client.list_queues()\n    ```\n"
        "```sh\necho not python\n```\n"
        "<!-- example: nonsense -->\n```python\nx\n```\n"
    )
    blocks = find_blocks(text, "t.md")
    assert [(b.line, b.kind, b.options, b.code) for b in blocks] == [
        (3, "trio", (), "await x()\n"),
        (7, None, (), "unmarked()\n"),
        (12, "pytest", ("trio_mode",), "def test(): ...\n"),
        (18, "sync", (), "client.list_queues()\n"),
        (25, "nonsense", (), "x\n"),
    ]
    assert [b.problem() is None for b in blocks] == [True, False, True, True, False]


def test_source_keeps_the_markdown_line_numbers() -> None:
    block = Block("t.md", 10, "python", "trio", (), "x = 1\nraise ValueError(x)\n")
    with pytest.raises(ValueError) as info:
        trio.run(load(block), None, 0, 0, None)
    last = traceback.extract_tb(info.tb)[-1]
    assert (last.filename, last.lineno) == ("t.md", 11)


# -- running them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks_of("trio"))
async def test_trio_example(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    prepare_directory(tmp_path)
    example = load(block)
    emulator = Emulator(import_delay_s=0)
    async with emulator_client(emulator) as client:
        queue_id = emulator.seeded.queue_id
        annotation_id = await imported_annotation(client, queue_id)
        with trio.fail_after(60):
            await example(client, queue_id, annotation_id, emulator)


@pytest.mark.parametrize("block", blocks_of("sync"))
def test_sync_example(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    prepare_directory(tmp_path)
    example = load(block)
    emulator = Emulator(import_delay_s=0)
    with sync_emulator_client(emulator) as client:
        queue_id = emulator.seeded.queue_id
        annotation_id = client.upload_and_wait_until_imported(
            queue_id, "invoice.pdf", "invoice.pdf", sleep_s=0
        ).id
        example(client, queue_id, annotation_id, emulator)


@pytest.mark.parametrize("block", blocks_of("program"))
def test_program_example(block: Block, tmp_path: Path) -> None:
    prepare_directory(tmp_path)
    script = tmp_path / "example.py"
    script.write_text(source(block))
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    check_finished(block, proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.parametrize("block", blocks_of("real-account"))
async def test_real_account_example(block: Block, tmp_path: Path) -> None:
    prepare_directory(tmp_path)
    emulator = Emulator(import_delay_s=0)
    async with open_emulator_server(emulator, port=0) as base_url:
        script = tmp_path / "example.py"
        script.write_text(real_account_source(block, base_url, emulator))
        env = subprocess_env(
            ROSSUM_BASE_URL=base_url,
            ROSSUM_TOKEN=emulator.token,
            ROSSUM_USERNAME=emulator.username,
            ROSSUM_PASSWORD=emulator.password,
        )
        with trio.fail_after(120):
            proc = await trio.run_process(
                [sys.executable, str(script)],
                cwd=tmp_path,
                env=env,
                capture_stdout=True,
                capture_stderr=True,
                check=False,
            )
    check_finished(block, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert emulator.requests.filter(), f"{block.id} sent no request to the emulator"


@pytest.mark.parametrize("block", blocks_of("pytest"))
def test_pytest_example(block: Block, tmp_path: Path) -> None:
    prepare_directory(tmp_path)
    (tmp_path / "test_example.py").write_text(source(block))
    ini = "[pytest]\n" + ("trio_mode = true\n" if "trio_mode" in block.options else "")
    (tmp_path / "pytest.ini").write_text(ini)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    check_finished(block, proc.returncode, proc.stdout, proc.stderr)
    assert re.search(r"\b\d+ passed\b", proc.stdout) and "skipped" not in proc.stdout, proc.stdout


# -- types ----------------------------------------------------------------------------------------


def test_examples_pass_mypy_strict(tmp_path: Path) -> None:
    """One ``mypy --strict`` run over every block that runs; errors name the Markdown lines."""
    typed = [
        b for b in all_blocks() if b.kind in KINDS and b.kind != "fragment" and not b.problem()
    ]
    files: dict[str, Block] = {}
    for n, block in enumerate(typed):
        name = "example_{}_{}.py".format(n, re.sub(r"\W", "_", block.id))
        (tmp_path / name).write_text(source(block))
        files[name] = block
    # From the repository root, with its configuration: the cache of ``mypy --strict src`` is
    # reused, so this takes seconds.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            *(str(tmp_path / name) for name in sorted(files)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = proc.stdout
    for name, block in files.items():
        errors = errors.replace(f"{tmp_path / name}:", f"{block.path}:")
    assert proc.returncode == 0, errors + proc.stderr
