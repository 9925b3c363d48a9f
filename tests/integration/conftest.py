"""Fixtures for integration tests (real database, Django test client)."""

from __future__ import annotations

import pytest

from tests.integration.support import World, build_world


@pytest.fixture
def world(db: None) -> World:
    """Two clinics (north, south), staff of every role in each, patients with records."""
    return build_world()
