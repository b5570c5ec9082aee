"""The official documentation's examples run against a fresh emulator (``invoice``: the
shared fixture of ``tests/conftest.py``)."""

from __future__ import annotations

import pytest

from rossum_trio.emulator import Emulator


@pytest.fixture
def emulator() -> Emulator:
    """A fresh emulator that imports at once."""
    return Emulator(import_delay_s=0.0)
