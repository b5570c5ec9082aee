"""Emulator tests: shared fixtures (``emulator_support`` is importable via pytest's pythonpath)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from rossum_trio.emulator import Emulator


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
