"""The job queue (core/jobs.py) on a real SQLite file: progress and a queue made by an older version."""

import sqlite3

from kennisbank.core.jobs import JobQueue


def test_progress_is_recorded_and_cleared_when_the_job_is_queued_again(tmp_path):
    queue = JobQueue(tmp_path / "console.sqlite")
    job = queue.enqueue("add", "rapport", "beheerder", file="a.pdf")
    assert job["progress"] == {}
    claimed = queue.claim()
    queue.stage(claimed["id"], "indexeren: pagina 3 van 10", {"pages": 10, "pages_done": 3, "passages": 40,
                                                              "passages_done": 12})
    running = queue.get(job["id"])
    assert running["stage"] == "indexeren: pagina 3 van 10"
    assert running["progress"] == {"pages": 10, "pages_done": 3, "passages": 40, "passages_done": 12}
    assert queue.requeue(job["id"])
    assert queue.get(job["id"])["progress"] == {}


def test_a_queue_made_before_progress_existed_gets_the_column(tmp_path):
    path = tmp_path / "console.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, doc_id TEXT NOT NULL, user TEXT NOT NULL, "
        "state TEXT NOT NULL, file TEXT NOT NULL DEFAULT '', original_name TEXT NOT NULL DEFAULT '', "
        "content_hash TEXT NOT NULL DEFAULT '', meta TEXT NOT NULL DEFAULT '{}', report TEXT NOT NULL DEFAULT '{}', "
        "stage TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, "
        "started_at REAL, finished_at REAL);"
        "INSERT INTO jobs (id, kind, doc_id, user, state, created_at) VALUES ('j1', 'add', 'd', 'u', 'done', 1);"
    )
    db.commit()
    db.close()
    queue = JobQueue(path)
    assert queue.get("j1")["progress"] == {}
    queue.stage("j1", "klaar", {"pages": 1, "pages_done": 1, "passages": 2, "passages_done": 2})
    assert queue.get("j1")["progress"]["passages"] == 2
