"""Emulator tests: shared fixtures; makes ``emulator_support`` importable (importlib mode)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from rossum_trio.emulator import Emulator

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture
def emu() -> Emulator:
    """A fresh emulator with a 2 s import delay (tests run on the autojump clock)."""
    return Emulator(import_delay_s=2.0, task_delay_s=0.5)


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client bound in-process to ``emu``, authenticated with its token."""
    async with httpx.AsyncClient(
        transport=emu.transport(),
        base_url=emu.base_url,
        headers={"Authorization": f"Bearer {emu.token}"},
    ) as client:
        yield client
