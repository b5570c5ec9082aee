"""Emulator tests: shared fixtures (the helpers: ``tests/support/emulator.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from rossum_trio.emulator import Emulator
from tests.support.clients import emulator_http


@pytest.fixture
def emu() -> Emulator:
    """A fresh emulator with a 2 s import delay (tests run on the autojump clock)."""
    return Emulator(import_delay_s=2.0, task_delay_s=0.5)


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client bound in-process to ``emu``, authenticated with its token."""
    async with emulator_http(emu) as client:
        yield client
