"""Share tokens: unguessable, stored only as a hash, expiring, revocable, one generic refusal."""
from __future__ import annotations

import random
import string
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from sla_core import queries
from sla_core.store import share

from sla_core.store import file as store_file, workspaces
from sla_core.ingest.mapping import Mapping
from tests.store_support import session_with_leads

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _records(token: str, **changes) -> dict:
    record = share.LinkRecord(share.token_hash(token), "w1", "s1", 1, None, None)
    return {record.token_sha256: share.LinkRecord(**{**record.__dict__, **changes})}


def _denied(token, table) -> str:
    with pytest.raises(share.ShareDenied) as info:
        share.resolve_token(token, table.get, NOW)
    return str(info.value)


def test_token_has_256_bits_and_only_its_hash_is_kept():
    token = share.new_token()
    assert share.TOKEN_RE.fullmatch(token) and len(token) == 43
    assert share.token_hash(token) != token and len(share.token_hash(token)) == 64
    assert len({share.new_token() for _ in range(1000)}) == 1000


def test_valid_token_opens_exactly_its_target():
    token = share.new_token()
    assert share.resolve_token(token, _records(token).get, NOW) == share.ShareTarget("w1", "s1", 1)


def test_expired_and_revoked_tokens_get_the_generic_message():
    token = share.new_token()
    assert _denied(token, _records(token, expires_at=NOW)) == share.GENERIC_DENIAL
    assert _denied(token, _records(token, revoked_at=NOW - timedelta(days=1))) == share.GENERIC_DENIAL
    assert share.resolve_token(token, _records(token, expires_at=NOW + timedelta(seconds=1)).get, NOW)


def test_ten_thousand_random_and_mutated_tokens_are_all_rejected_alike():
    rng = random.Random(7)
    token = share.new_token()
    table = _records(token)
    alphabet = string.ascii_letters + string.digits + "-_"
    candidates = []
    for i in range(10_000):
        kind = i % 5
        if kind == 0:
            candidates.append(share.new_token())
        elif kind == 1:  # one character changed
            pos = rng.randrange(len(token))
            candidates.append(token[:pos] + rng.choice(alphabet.replace(token[pos], "")) + token[pos + 1:])
        elif kind == 2:  # truncated or extended
            candidates.append(token[:rng.randrange(len(token))] if i % 2 else token + rng.choice(alphabet))
        elif kind == 3:  # junk of any shape
            candidates.append("".join(rng.choice(string.printable) for _ in range(rng.randrange(0, 80))))
        else:  # the hash itself, case changes, padding
            candidates.append(rng.choice([share.token_hash(token), token.swapcase(), token + "=", " " + token]))
    messages = {_denied(c, table) for c in candidates if c != token}
    assert messages == {share.GENERIC_DENIAL}


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=100), st.binary(max_size=60), st.none(), st.integers(), st.lists(st.text())))
def test_any_value_is_refused_with_the_generic_message(value):
    assert _denied(value, {}) == share.GENERIC_DENIAL


@pytest.fixture
def db(tmp_path):
    connection = store_file.open_store(tmp_path / "store.duckdb")
    con, dataset = session_with_leads(tmp_path / "s", 20)
    yield connection, *workspaces.save_workspace(connection.cursor(), con, "Plan", dataset, Mapping().to_json(), "{}")
    connection.close()


def test_store_keeps_hash_not_token_and_revocation_takes_effect(db):
    connection, wid, sid = db
    cur = connection.cursor()
    token = share.create_link(cur, wid, sid, 1, label="board")
    assert token not in str(cur.execute("SELECT * FROM share_links").fetchall())
    assert share.open_link(cur, token) == share.ShareTarget(wid, sid, 1)
    listed = share.links(cur, wid)
    assert list(listed["label"]) == ["board"] and listed["revoked_at"].isna().all()
    share.revoke_link(cur, wid, listed["token_sha256"][0])
    with pytest.raises(share.ShareDenied, match="not valid"):
        share.open_link(cur, token)


def test_expiry_in_the_store_and_deleted_workspace(db):
    connection, wid, sid = db
    cur = connection.cursor()
    soon = datetime.now(timezone.utc) + timedelta(hours=1)
    token = share.create_link(cur, wid, sid, 1, expires_at=soon)
    assert share.open_link(cur, token, now=soon - timedelta(seconds=1)).workspace_id == wid
    with pytest.raises(share.ShareDenied):
        share.open_link(cur, token, now=soon)
    with pytest.raises(store_file.StoreError, match="future"):
        share.create_link(cur, wid, sid, 1, expires_at=NOW)
    workspaces.delete_workspace(cur, wid)
    with pytest.raises(share.ShareDenied):
        share.open_link(cur, token, now=soon - timedelta(seconds=1))


def test_link_cannot_point_at_another_workspaces_scenario(db, tmp_path):
    connection, wid, sid = db
    con, dataset = session_with_leads(tmp_path / "other", 5)
    other, _ = workspaces.save_workspace(connection.cursor(), con, "Other", dataset, "{}", "{}")
    with pytest.raises(store_file.StoreError):
        share.create_link(connection.cursor(), other, sid, 1)


def test_share_url_keeps_only_the_token():
    token = share.new_token()
    assert share.share_url("https://sla.example.com/workspace?quota=5&x=1", token) == \
        f"https://sla.example.com/?share={token}"


def test_link_status(db):
    connection, wid, sid = db
    cur = connection.cursor()
    later = datetime.now(timezone.utc) + timedelta(days=1)
    share.create_link(cur, wid, sid, 1, label="a")
    share.create_link(cur, wid, sid, 1, label="b", expires_at=later)
    share.create_link(cur, wid, sid, 1, label="c")
    listed = share.links(cur, wid)
    share.revoke_link(cur, wid, listed.loc[listed["label"] == "c", "token_sha256"].iloc[0])
    status = share.link_status(share.links(cur, wid), later)
    assert dict(zip(status["label"], status["status"], strict=True)) == {"a": "active", "b": "expired", "c": "revoked"}


def test_a_link_write_that_fails_is_refused_clearly_and_leaves_nothing_half_done(db, monkeypatch):
    # creating and revoking go through the store's one all-or-nothing write, as saves do
    connection, wid, sid = db
    cur = connection.cursor()
    monkeypatch.setattr(share, "new_token", lambda: "T" * 43)
    share.create_link(cur, wid, sid, 1, label="first")
    with pytest.raises(store_file.StoreError,
                       match=r"^the share link could not be created \(.+\); nothing was stored$"):
        share.create_link(cur, wid, sid, 1, label="same token")
    assert list(share.links(cur, wid)["label"]) == ["first"]  # and the cursor is usable again

    other = connection.cursor()
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE share_links SET revoked_at = now()")  # a revocation of the same link, not committed yet
    with pytest.raises(store_file.StoreError,
                       match=r"^the link could not be revoked \(.+\); it still works; try again$"):
        share.revoke_link(cur, wid, share.token_hash("T" * 43))
    other.execute("ROLLBACK")
    assert share.open_link(cur, "T" * 43) == share.ShareTarget(wid, sid, 1)
    share.revoke_link(cur, wid, share.token_hash("T" * 43))
    with pytest.raises(share.ShareDenied):
        share.open_link(cur, "T" * 43)


@pytest.mark.parametrize("read_first", [True, False], ids=["after-a-read", "before-any-read"])
def test_a_link_created_while_its_workspace_is_deleted_is_refused_and_leaves_no_row(db, monkeypatch, read_first):
    """Two sessions interleaved: the link's write has begun (and, in one case, already read the scenario) when
    another session's delete of the workspace commits; the link is refused, and nothing points at the deleted
    workspace."""
    connection, wid, sid = db
    creating, deleting = connection.cursor(), connection.cursor()
    run = queries.records

    def delete_in_between(cur, name, **params):
        if name == "store/scenarios:claim":
            if read_first:  # the write's snapshot is taken here and still shows the scenario
                assert creating.execute("SELECT count(*) FROM scenarios WHERE scenario_id = ?", [sid]).fetchone() \
                    == (1,)
            workspaces.delete_workspace(deleting, wid)  # commits while the link's transaction is open
        return run(cur, name, **params)

    monkeypatch.setattr(queries, "records", delete_in_between)
    why = (r"the share link could not be created \(the workspace changed at the same moment; reload and try "
           r"again\); nothing was stored" if read_first else "that scenario revision does not exist in this workspace")
    with pytest.raises(store_file.StoreError, match=f"^{why}$"):
        share.create_link(creating, wid, sid, 1, label="too late")
    monkeypatch.undo()
    for table in ("share_links", "scenarios", "workspaces", "workspace_leads"):
        assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    assert creating.execute("SELECT 1").fetchone() == (1,)  # the cursor is out of its transaction, usable


def test_a_delete_while_a_link_is_being_created_is_refused_and_leaves_no_orphan(db, monkeypatch):
    """The other order: the link's write claimed the revision first, so the delete fails and keeps everything;
    the link is stored and works, and a second delete removes both."""
    connection, wid, sid = db
    creating, deleting = connection.cursor(), connection.cursor()
    claim = queries.records
    refused = []

    def delete_after_the_claim(cur, name, **params):
        found = claim(cur, name, **params)
        if name == "store/scenarios:claim":
            with pytest.raises(store_file.StoreError, match="^the workspace could not be deleted") as info:
                workspaces.delete_workspace(deleting, wid)
            refused.append(info.value)
        return found

    monkeypatch.setattr(queries, "records", delete_after_the_claim)
    token = share.create_link(creating, wid, sid, 1, label="first")
    monkeypatch.undo()
    assert refused and share.open_link(connection.cursor(), token) == share.ShareTarget(wid, sid, 1)
    workspaces.delete_workspace(deleting, wid)
    assert connection.execute("SELECT count(*) FROM share_links").fetchone() == (0,)
