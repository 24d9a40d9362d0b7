"""`triage users role`: the same account function as the admin page's role change; earlier tokens stop working."""

from __future__ import annotations

import os
import subprocess
import sys

from app.users import UserStore
from tests.support.servers import REPO


def users_cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRIAGE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "users", *args],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_new_role_from_the_command_line_revokes_the_earlier_tokens(tmp_path):
    store = UserStore(f"sqlite:///{tmp_path / 'triage.db'}")
    store.create_schema()
    before = store.create("dr.lee", "clinician", "a long enough passphrase")

    changed = users_cli(tmp_path, "role", "--username", "dr.lee", "--role", "compliance")
    assert changed.returncode == 0, changed.stderr
    after = store.get("dr.lee")
    assert after.role == "compliance" and after.token_version == before.token_version + 1

    unknown = users_cli(tmp_path, "role", "--username", "nobody", "--role", "admin")
    assert unknown.returncode == 2 and "no user 'nobody'" in unknown.stderr
    store.engine.dispose()
