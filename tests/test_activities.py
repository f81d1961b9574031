"""Activity log → first touch, attempts and connected (SPEC section 1), by hand-computed cases."""
from __future__ import annotations

import pytest

from ingest_support import Loader, csv_bytes

LEADS = csv_bytes([
    ["lead_id", "created_at", "handed_at", "first_touch_at", "attempts", "connected"],
    ["A", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", "2024-03-01T11:00:00Z", "3", "true"],
    ["B", "2024-03-01T09:00:00Z", "2024-03-01T10:00:00Z", "", "0", "false"],
    ["C", "2024-03-02T09:00:00Z", "2024-03-02T10:00:00Z", "2024-03-02T12:00:00Z", "2", "false"],
])
# A: one call before hand-off (ignored), then no answer, voicemail, connected, a later email (after connect).
# C: two unanswered attempts. B: nothing in the log.
ACTIVITIES = csv_bytes([
    ["lead_id", "activity_at", "type", "outcome"],
    ["A", "2024-03-01T09:30:00Z", "call", "No answer"],
    ["A", "2024-03-01T11:00:00Z", "call", "No answer"],
    ["A", "2024-03-01T13:00:00Z", "call", "Left voicemail"],
    ["A", "2024-03-01T15:00:00Z", "call", "Connected"],
    ["A", "2024-03-02T09:00:00Z", "email", "Sent"],
    ["C", "2024-03-02T12:00:00Z", "email", "Sent"],
    ["C", "2024-03-03T12:00:00Z", "call", "No answer"],
])


@pytest.fixture
def loader(con, tmp_path):
    return Loader(con, tmp_path / "session")


def facts(loader):
    return {r[0]: r[1:] for r in loader.rows(
        "SELECT lead_id, strftime(first_touch_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M'), attempts, connected "
        "FROM leads ORDER BY lead_id")}


def test_activity_log_derives_first_touch_attempts_connected(loader):
    loader.load(LEADS, activities=ACTIVITIES)
    assert facts(loader) == {
        "A": ("2024-03-01 11:00", 3, True),   # first at/after hand-off; 3 attempts up to and incl. the connect
        "B": (None, 0, False),
        "C": ("2024-03-02 12:00", 2, False),
    }


def test_log_agrees_with_the_same_figures_given_directly(loader):
    """The lead file's own columns hold what the log implies: both routes give the same table."""
    loader.load(LEADS, activities=ACTIVITIES)
    from_log = facts(loader)
    loader.load(LEADS)
    assert facts(loader) == from_log
