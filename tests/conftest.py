"""Test settings shared by every layer: no network, a throwaway data folder."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("TANDEM_ENV", "test")
os.environ.setdefault("TANDEM_DATA_DIR", tempfile.mkdtemp(prefix="tandem-test-"))
