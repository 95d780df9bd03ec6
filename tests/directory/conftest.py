"""Fixtures for the directory tests: the emulator in-process and a directory on it."""

from __future__ import annotations

from typing import Any

import pytest

from app.directory import CustomerDirectory
from app.square import SquareService
from tests.conftest import CountingTransport


@pytest.fixture
def transport(service: SquareService) -> CountingTransport:
    found: CountingTransport = service.transport  # type: ignore[attr-defined]
    return found


@pytest.fixture
async def directory(service: SquareService, clock: Any) -> CustomerDirectory:
    return CustomerDirectory(service, clock=clock)


@pytest.fixture
async def loaded(directory: CustomerDirectory) -> CustomerDirectory:
    await directory.load()
    return directory
