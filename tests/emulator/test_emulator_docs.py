"""Every Python example of docs/emulator.md runs: scripts as scripts, pytest examples as test
files of a fresh project (with the page's own pytest configuration where it says so).

Each ``python`` block carries a marker comment just before it: ``<!-- doctest: script -->``,
``<!-- doctest: pytest -->`` or ``<!-- doctest: pytest trio_mode -->``; a block without one fails
this test, so no example goes unexercised.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

DOC = pathlib.Path(__file__).parents[2] / "docs" / "emulator.md"
BLOCK = re.compile(r"(?:<!-- doctest: ([\w -]+) -->\n)?```(\w+)\n(.*?)```", re.S)
ENV = {**os.environ, "PYTHONWARNINGS": "error"}


def blocks(kind: str) -> list[str]:
    found = []
    for marker, language, code in BLOCK.findall(DOC.read_text()):
        if language == "python":
            assert marker, f"a python example without a doctest marker:\n{code[:200]}"
        if marker.strip() == kind:
            found.append(code)
    return found


def test_every_python_example_is_marked() -> None:
    kinds = {"script", "pytest", "pytest trio_mode"}
    total = sum(len(blocks(k)) for k in kinds)
    assert total == len(re.findall(r"```python\n", DOC.read_text())) >= 5


@pytest.mark.parametrize("index", range(len(blocks("script"))))
def test_script_examples(index: int, tmp_path: pathlib.Path) -> None:
    code = blocks("script")[index]
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("mode", ["pytest", "pytest trio_mode"])
def test_pytest_examples(mode: str, tmp_path: pathlib.Path) -> None:
    examples = blocks(mode)
    assert examples
    if mode == "pytest trio_mode":
        [config] = blocks("pytest-config")
        assert "trio_mode = true" in config
    else:
        config = "[tool.pytest.ini_options]\n"
    (tmp_path / "pyproject.toml").write_text(config + 'filterwarnings = ["error"]\n')
    for i, code in enumerate(examples):
        (tmp_path / f"test_example_{i}.py").write_text(code)
    expected = sum(len(re.findall(r"^(?:async )?def test_", code, re.M)) for code in examples)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert f"{expected} passed" in run.stdout, run.stdout[-1000:]
