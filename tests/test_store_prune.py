"""Garbage collection of the file store (`flexos-mcp files prune`): real PostgreSQL, real files in
a temporary store. A file goes only when no row of anyone names it and it is older than the grace
period; a dry run changes nothing and reports the same; deleting items or projects frees their
bytes; the command runs as a process."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from flexos_mcp.domain.context_items import FilePolicy, Upload, create_context_item, delete_context_item
from flexos_mcp.domain.projects import delete_project
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.stored_files import StoreNotReferenced, prune_stored_files
from flexos_mcp.store import LocalFileStore, file_url

from helpers.bundle_support import scope_on
from helpers.cli_process import run_flexos
from helpers.context_files import b64, png_bytes
from helpers.mcp_client import new_email
from helpers.project_fixtures import add_page, make_project

DAY = timedelta(hours=24)


def unique_text(label: str) -> bytes:
    return f"# {label}\n\nNotes {uuid.uuid4().hex}\n".encode()


def age(store: LocalFileStore, digest: str, hours: float = 48) -> None:
    """Make a stored file look written `hours` ago."""
    moment = time.time() - hours * 3600
    os.utime(store.path_of(digest), (moment, moment))


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of the store with its size and mtime: what 'changes nothing' compares."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


async def upload(scope: Scope, project: uuid.UUID, store: LocalFileStore, data: bytes, item_type: str = "file") -> dict:
    policy = FilePolicy(store=store, max_bytes=10 * 1024 * 1024)
    item = await create_context_item(
        scope, project, {"item_type": item_type}, Upload(content_base64=b64(data), file_name="x.md"), policy
    )
    return item.model_dump()


async def test_only_old_files_no_row_names_are_removed_and_a_dry_run_changes_nothing(database_url, db, tmp_path):
    store = LocalFileStore(tmp_path / "store")
    owner, other = new_email(), new_email()
    async with scope_on(database_url, owner) as alice, scope_on(database_url, other) as bob:
        alice_project = await make_project(db, owner)
        bob_project = await make_project(db, other)
        shared = png_bytes(31, 17)  # both users add the same screenshot: stored once
        mine = await upload(alice, alice_project, store, shared, "screenshot")
        theirs = await upload(bob, bob_project, store, shared, "screenshot")
        assert mine["content_url"] == theirs["content_url"]
        await delete_context_item(alice, mine["id"])  # still referenced from Bob's project
        named = store.put(unique_text("named in a mockup only"))  # export carries it: it stays
        await add_page(db, bob_project, "home", "Home", html=f'<img src="{file_url(named)}">')
        orphan = unique_text("nobody's")
        unreferenced = store.put(orphan)
        fresh = store.put(unique_text("just put, its item not yet committed"))
        shared_digest = mine["content_url"].rsplit("/", 1)[1]
        for digest in (shared_digest, named, unreferenced):
            age(store, digest)

        before = snapshot(store.root)
        dry = await prune_stored_files(alice.db, store, older_than=DAY, dry_run=True)
        assert snapshot(store.root) == before
        assert [e.digest for e in dry.removed] == [unreferenced] and dry.freed_bytes == len(orphan)
        assert (dry.stored, dry.referenced, dry.recent) == (4, 2, 1)

        done = await prune_stored_files(alice.db, store, older_than=DAY)
        assert ([e.digest for e in done.removed], done.freed_bytes) == ([unreferenced], len(orphan))
        assert (done.stored, done.referenced, done.recent, done.dry_run) == (4, 2, 1, False)
        assert not store.exists(unreferenced)
        assert all(store.exists(d) for d in (shared_digest, named, fresh))
        assert store.read(shared_digest) == shared
        assert not list((store.root / "tmp").iterdir())  # nothing left half-way

        again = await prune_stored_files(alice.db, store, older_than=DAY)
        assert (again.removed, again.stored) == ([], 3)
        # a shorter grace period takes the fresh file too, once it is old enough for it
        age(store, fresh, hours=2)
        assert [
            e.digest for e in (await prune_stored_files(alice.db, store, older_than=timedelta(hours=1))).removed
        ] == [fresh]


async def test_deleting_an_item_or_a_project_then_pruning_frees_the_bytes(database_url, db, tmp_path):
    store = LocalFileStore(tmp_path / "store")
    email = new_email()
    async with scope_on(database_url, email) as scope:
        keep_project, gone_project = await make_project(db, email), await make_project(db, email)
        kept = await upload(scope, keep_project, store, unique_text("kept"))
        item_bytes = unique_text("item deleted")
        item = await upload(scope, keep_project, store, item_bytes)
        project_bytes = [unique_text("project deleted 1"), unique_text("project deleted 2")]
        for data in project_bytes:
            await upload(scope, gone_project, store, data)
        for entry in list(store.entries()):
            age(store, entry.digest)

        nothing = await prune_stored_files(scope.db, store, older_than=DAY)
        assert (nothing.removed, nothing.referenced) == ([], 4)

        await delete_context_item(scope, item["id"])
        freed = await prune_stored_files(scope.db, store, older_than=DAY)
        assert [e.digest for e in freed.removed] == [item["content_url"].rsplit("/", 1)[1]]
        assert freed.freed_bytes == len(item_bytes)

        await delete_project(scope, gone_project)
        freed = await prune_stored_files(scope.db, store, older_than=DAY)
        assert freed.freed_bytes == sum(len(b) for b in project_bytes) and len(freed.removed) == 2
        assert [e.digest for e in store.entries()] == [kept["content_url"].rsplit("/", 1)[1]]


async def test_a_store_the_database_does_not_know_is_not_pruned_without_force(database_url, tmp_path):
    store = LocalFileStore(tmp_path / "store")
    digests = [store.put(unique_text(f"orphan {n}")) for n in range(3)]
    for digest in digests:
        age(store, digest)
    async with scope_on(database_url, new_email()) as scope:
        with pytest.raises(StoreNotReferenced, match=r"none of the 3 files .* wrong database.*--force"):
            await prune_stored_files(scope.db, store, older_than=DAY)
        assert all(store.exists(d) for d in digests)
        assert len((await prune_stored_files(scope.db, store, older_than=DAY, dry_run=True)).removed) == 3
        forced = await prune_stored_files(scope.db, store, older_than=DAY, force=True)
        assert len(forced.removed) == 3 and not list(store.entries())


def test_a_file_put_again_while_it_is_pruned_stays(tmp_path):
    store = LocalFileStore(tmp_path)
    data = unique_text("re-put")
    digest = store.put(data)
    age(store, digest)
    [listed] = store.entries()
    assert store.put(data) == digest  # the same bytes again: the file is freshened, not rewritten
    assert store.path_of(digest).stat().st_mtime_ns > listed.mtime_ns
    assert store.remove_unchanged(listed) is False and store.read(digest) == data
    [current] = store.entries()
    assert store.remove_unchanged(current) is True and not store.exists(digest)
    assert store.remove_unchanged(current) is False  # already gone: nothing to do
    assert store.put(data) == digest and store.read(digest) == data  # a put after a prune writes it anew
    # leftovers of interrupted writes are listed; links and stray names are no stored files
    (tmp_path / "tmp" / ".put-interrupted").write_bytes(b"half")
    (tmp_path / "sha256" / "zz").mkdir()
    (tmp_path / "sha256" / "zz" / "notes.txt").write_bytes(b"not ours")
    (tmp_path / "sha256" / digest[:2] / ("0" * 64)).symlink_to(store.path_of(digest))
    assert [e.digest for e in store.entries()] == [digest]
    assert [t.path.name for t in store.temporaries()] == [".put-interrupted"]
    # a file another prune is moving out right now keeps its old mtime; its age is the move
    moving = tmp_path / "tmp" / f".prune-{digest}-1234abcd"
    moving.write_bytes(data)
    long_ago = time.time() - 72 * 3600
    for path in (moving, tmp_path / "tmp" / ".put-interrupted"):
        os.utime(path, (long_ago, long_ago))
    ages = {t.path.name: (time.time_ns() - t.since_ns) / 3.6e12 for t in store.temporaries()}
    assert ages[".put-interrupted"] > 71 and ages[moving.name] < 1


async def test_the_prune_command(database_url, db, tmp_path):
    store = LocalFileStore(tmp_path / "store")
    email = new_email()
    project = await make_project(db, email)
    referenced = store.put(unique_text("referenced"))
    await db.execute(
        "INSERT INTO user_context_items (project_id, item_type, content_url) VALUES ($1, 'file', $2)",
        project,
        file_url(referenced),
    )
    orphan = unique_text("orphan")
    unreferenced = store.put(orphan)
    for digest in (referenced, unreferenced):
        age(store, digest, hours=30)
    (store.root / "tmp" / ".put-crashed").write_bytes(b"12345")
    os.utime(store.root / "tmp" / ".put-crashed", (time.time() - 30 * 3600,) * 2)
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "FLEXOS_STORE_DIR": str(store.root),
        "FLEXOS_LOG_LEVEL": "WARNING",
    }

    before = snapshot(store.root)
    dry = run_flexos("files", "prune", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "flexos-mcp: using PostgreSQL at" in dry.stderr and f"file store in {store.root}" in dry.stderr
    freed = len(orphan) + 5
    assert dry.stdout.splitlines() == [
        f"would remove sha256:{unreferenced} ({len(orphan):,} bytes)",
        f"would remove 1 unreferenced stored file(s) of 2, freeing {freed:,} bytes (0.0 MB); would remove 1 "
        f"temporary file(s) of interrupted writes; kept 1 referenced, 0 newer than 24h; nothing was changed "
        f"(--dry-run)",
    ]
    assert snapshot(store.root) == before

    longer = run_flexos("files", "prune", "--older-than", "2d", env=env)  # 30 hours is not old enough
    assert longer.returncode == 0 and "removed 0 unreferenced stored file(s) of 2" in longer.stdout
    assert "kept 1 referenced, 1 newer than 2d" in longer.stdout and store.exists(unreferenced)

    done = run_flexos("files", "prune", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"removed sha256:{unreferenced} ({len(orphan):,} bytes)"
    assert f"removed 1 unreferenced stored file(s) of 2, freeing {freed:,} bytes" in done.stdout
    assert not store.exists(unreferenced) and store.exists(referenced)
    assert not list((store.root / "tmp").iterdir())

    for bad in ("nonsense", "0h", "3 weeks", "24"):
        refused = run_flexos("files", "prune", "--older-than", bad, env=env)
        assert refused.returncode == 2 and refused.stdout == ""
        assert f"argument --older-than: {bad!r} is not a duration; use a whole number with d, h or m, e.g. 24h" in (
            refused.stderr
        )
    assert store.exists(referenced)

    elsewhere = LocalFileStore(tmp_path / "other-store")  # a store this database never referenced
    age(elsewhere, elsewhere.put(unique_text("elsewhere")))
    wrong = run_flexos("files", "prune", env=env | {"FLEXOS_STORE_DIR": str(elsewhere.root)})
    assert wrong.returncode == 1 and "looks like the wrong database" in wrong.stderr
    assert len(list(elsewhere.entries())) == 1
