"""The README's Python examples run, against the emulator instead of acme.rossum.app.

Only the target changes: the placeholder URL and credentials are replaced by the emulator's,
and every replacement must find its placeholder (so an edited README fails here instead of being
skipped).
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

README = pathlib.Path(__file__).parents[2] / "README.md"
PRELUDE = """\
from rossum_trio.emulator import Emulator, sample_invoices
emu = Emulator(import_delay_s=0.2)
with open("invoice.pdf", "wb") as f:
    f.write(sample_invoices(1)[0][1])
"""


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def substituted(code: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert old in code, f"README example changed: {old!r} not found"
        code = code.replace(old, new)
    return code


def run(code: str, cwd: pathlib.Path) -> str:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def blocks() -> list[str]:
    found = python_blocks()
    assert len(found) == 3
    return found


def test_readme_trio_example(blocks: list[str], tmp_path: pathlib.Path) -> None:
    code = substituted(
        blocks[0],
        [
            ('"https://acme.rossum.app/api/v1",', "emu.base_url,"),
            (
                'UserCredentials("me@example.com", "my-password"),',
                "UserCredentials(emu.username, emu.password), transport=emu.transport(),",
            ),
            ("8199", "emu.seeded.queue_id"),
            ("csv_bytes = await stream.read_all()", "print(len(await stream.read_all()))"),
        ],
    )
    out = run(PRELUDE + code, tmp_path).split()
    assert out[0] == "to_review"
    assert int(out[-1]) > 0  # the CSV export of the exported annotation


def test_readme_sync_example(blocks: list[str], tmp_path: pathlib.Path) -> None:
    code = substituted(
        blocks[1],
        [
            (
                'base_url="https://acme.rossum.app/api/v1", credentials=Token("...")',
                "base_url=emu.base_url, credentials=Token(emu.token), transport=emu.transport()",
            ),
            ("workspace=7540", "workspace=emu.seeded.workspace_id"),
        ],
    )
    assert run(PRELUDE + code, tmp_path).split() == ["Invoices"]


def test_readme_emulator_example(blocks: list[str], tmp_path: pathlib.Path) -> None:
    code = blocks[2] + (
        "import trio\n"
        "async def main():\n"
        "    async with client:\n"
        "        print([q.name async for q in client.list_queues()])\n"
        "trio.run(main)\n"
    )
    assert run(code, tmp_path).strip() == "['Invoices']"
