"""Bad storage gets a clear error at start-up, never a traceback or a silently new chain."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import start_node


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "chain"
    not_a_dir.write_text("not a directory")
    with pytest.raises(RuntimeError, match="cannot use data directory"):
        start_node("--data-dir", str(not_a_dir), timeout=15)
    assert not_a_dir.read_text() == "not a directory"


def test_garbage_database_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    data_dir.mkdir()
    garbage = b"this is not an sqlite database" * 100
    (data_dir / "chain.sqlite").write_bytes(garbage)
    with pytest.raises(RuntimeError, match="cannot open the chain database"):
        start_node("--data-dir", str(data_dir), timeout=15)
    assert (data_dir / "chain.sqlite").read_bytes() == garbage
