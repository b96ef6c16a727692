"""The operator's day (issue 28, item 7), each through the `hostbot` command as a subprocess: a CSV from
Excel in any of its encodings, `users set` on somebody unknown, audit by name, backup on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.store import Store
from tests.support.run import _inherited

CSV = "platform,chat_user,name,zoom,webex\nslack,U0CAROL,carol,carol@example.com,carol@example.com\n" \
      "feishu,ou_wang,小王,wang@example.com,\n"


def hostbot(args: list[str], tmp_path: Path, db: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={**_inherited(), "HOSTBOT_DB": db or str(tmp_path / "h.db")})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_users_import_reads_what_excel_saves(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "people.csv").write_bytes(CSV.encode(encoding))
    done = hostbot(["users", "import", "people.csv"], tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    listed = hostbot(["users", "list"], tmp_path).stdout
    assert "小王" in listed and "wang@example.com" in listed and "U0CAROL" in listed


def test_users_import_names_the_bad_row_and_a_file_that_is_no_text(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(CSV + "skype,U9,x,,\n", encoding="utf-8")
    bad = hostbot(["users", "import", "bad.csv"], tmp_path)
    assert bad.returncode == 1 and "bad.csv line 4: platform must be one of" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr
    (tmp_path / "binary.csv").write_bytes(b"\x81\x30\xff\xfe\x00" * 10)
    binary = hostbot(["users", "import", "binary.csv"], tmp_path)
    assert binary.returncode == 1 and "not UTF-8, UTF-16 or GB18030" in binary.stderr and "Traceback" not in \
        binary.stderr, binary.stderr


def test_users_set_refuses_somebody_unknown_unless_new(tmp_path: Path) -> None:
    refused = hostbot(["users", "set", "alice", "zoom=alice@example.com"], tmp_path)
    assert refused.returncode == 2 and "does not know console user alice" in refused.stderr, refused.stderr
    assert "alice" not in hostbot(["users", "list"], tmp_path).stdout
    added = hostbot(["users", "set", "alice", "zoom=alice@example.com", "--new"], tmp_path)
    assert added.returncode == 0 and "alice@example.com" in hostbot(["users", "list"], tmp_path).stdout
    again = hostbot(["users", "set", "alice", "webex=alice@example.com"], tmp_path)  # known now: no --new
    assert again.returncode == 0, again.stderr


def test_audit_finds_and_shows_people_by_name(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "h.db"))
    store.upsert_person("slack", "U0CAROL", name="carol")
    store.audit(platform="slack", chat_user="U0CAROL", intent="set_host", event="request")
    store.audit(platform="slack", chat_user="U0BOB", intent="help", event="request")
    store.close()
    by_name = hostbot(["audit", "--user", "carol"], tmp_path).stdout
    assert "set_host" in by_name and "help" not in by_name and "carol" in by_name, by_name
    assert "set_host" in hostbot(["audit", "--user", "U0CAROL"], tmp_path).stdout
    assert "carol" in hostbot(["audit", "--format", "csv"], tmp_path).stdout.splitlines()[1]


def test_backup_on_postgresql_into_a_folder_suggests_a_file_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    out = hostbot(["backup", str(folder)], tmp_path, db="postgresql://hostbot@127.0.0.1:9/hostbot")
    assert out.returncode == 1
    line = next(x for x in (out.stdout + out.stderr).splitlines() if x.strip().startswith("pg_dump"))
    dump = line.split("--file=", 1)[1].split()[0]
    assert Path(dump).parent == folder and dump.endswith(".dump"), line


def test_the_demo_refuses_to_speak_as_nobody(tmp_path: Path) -> None:
    demo = subprocess.run([sys.executable, "-m", "bot", "demo"], cwd=tmp_path, input="!as nobody\nhelp\n",
                          capture_output=True, text=True, timeout=120, env=_inherited())
    assert "(sandbox: don't know how to '!as nobody'; people are you, alice" in demo.stdout, demo.stdout[-800:]
    assert "nobody> help" not in demo.stdout and "you> help" in demo.stdout
