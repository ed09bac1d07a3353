"""The guard in `tests/conftest.py` sees a read beside the repository, so the suite would fail on
code that needs a sibling folder a user's clone does not have."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(REPO.parent == Path(REPO.anchor), reason="a repository at / has no neighbours")
def test_an_open_beside_the_repository_is_seen(outside_reads):
    beside = REPO.parent / "a-folder-beside-the-repository" / "capture.json"
    already = len(outside_reads)
    with pytest.raises(OSError):
        beside.read_text()  # audited before the file system answers, present or not
    seen = outside_reads[already:]
    del outside_reads[already:]  # this test's own escape is the point, not a defect
    assert seen == [str(beside)]


def test_reads_inside_the_repository_are_not_counted(outside_reads):
    already = len(outside_reads)
    (REPO / "pyproject.toml").read_text()
    assert outside_reads[already:] == []
