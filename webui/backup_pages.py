"""`POST /api/backup` (staff): the running server writes a consistent backup of the data directory it owns and
sends it (``application/gzip``), so a backup never needs a second process on the data directory
(`kennisbank backup DEST --url URL --token-stdin`). The job worker is paused meanwhile (the running job is
finished first), so no job is half in the copy; the signing key is never included. Audited.
"""

from __future__ import annotations

import secrets
import shutil
import time

from flask import Blueprint, Flask, current_app, g, send_file

from kennisbank.backup import write_backup
from kennisbank.webui.auth import accounts, staff_required
from kennisbank.webui.staff_pages import JOBS
from kennisbank.webui.state import knowledge_base

bp = Blueprint("backup", __name__)
bp.before_request(staff_required)


@bp.post("/api/backup")
def backup():
    settings = current_app.config["KENNISBANK_SETTINGS"]
    folder = settings.data_dir / ".backups" / secrets.token_hex(6)
    folder.mkdir(parents=True, mode=0o700)
    worker = current_app.extensions.get(JOBS + ".worker")
    try:
        if worker is not None:
            with worker.paused():
                knowledge_base().store.flush()
                archive = write_backup(settings, folder / "kennisbank.tar.gz")
        else:
            knowledge_base().store.flush()
            archive = write_backup(settings, folder / "kennisbank.tar.gz")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    accounts().audit(g.user, "backup", size=archive.stat().st_size)
    response = send_file(archive, mimetype="application/gzip", as_attachment=True,
                         download_name=f"kennisbank-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz")
    response.call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
