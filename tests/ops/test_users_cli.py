"""`hostbot users import/list/set`: the admin's mappings, in the store the bot reads (HOSTBOT_DB)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.core.identity.resolver import IdentityResolver
from bot.ops.users import merged_people
from bot.store import Store


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no stray .env
    return CliRunner(env={"HOSTBOT_DB": str(tmp_path / "h.db")})


def _rows(tmp_path: Path) -> dict[tuple[str, str], dict[str, str]]:
    store = Store(str(tmp_path / "h.db"))
    try:
        return {(r["platform"], r["chat_user"]): r for r in merged_people(store)}
    finally:
        store.close()


def test_import_then_list(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "\ufeffplatform,chat_user,name,email,feishu,dingtalk_union_id,zoom\n"
        "slack,U0ALICE,alice,alice@example.com,ou_alice,,\n"
        "feishu,ou_bob,bob,,,dt-union-bob,bob.zoom@example.com\n", encoding="utf-8")
    result = runner.invoke(main, ["users", "import", "people.csv"])
    assert result.exit_code == 0, result.output
    assert result.output == "Imported 2 people from people.csv.\n"
    rows = _rows(tmp_path)
    assert rows[("slack", "U0ALICE")]["feishu_open_id"] == "ou_alice"
    assert rows[("feishu", "ou_bob")]["dingtalk_union_id"] == "dt-union-bob"
    assert rows[("feishu", "ou_bob")]["zoom_email"] == "bob.zoom@example.com"
    assert rows[("slack", "U0ALICE")]["source"] == "email=mapping, feishu_open_id=mapping"
    assert rows[("feishu", "ou_bob")]["source"] == "dingtalk_union_id=mapping, zoom_email=mapping"

    listed = runner.invoke(main, ["users", "list", "--format", "json"])
    people = json.loads(listed.output)
    assert [(p["platform"], p["chat_user"], p["name"]) for p in people] == [("feishu", "ou_bob", "bob"),
                                                                           ("slack", "U0ALICE", "alice")]
    table = runner.invoke(main, ["users", "list", "--platform", "slack"]).output.splitlines()
    assert table[0].split() == ["platform", "chat_user", "name", "email", "feishu_open_id", "source", "updated_at"]
    assert table[2].split()[:6] == ["slack", "U0ALICE", "alice", "alice@example.com", "ou_alice", "email=mapping,"]


def test_a_bad_row_imports_nothing(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "chat_user,platform,webex\nU0A,slack,a@example.com\n,slack,\nU0C,teams,\nU0D,slack,not-an-email\n")
    result = runner.invoke(main, ["users", "import", "people.csv"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "people.csv line 3: chat_user is empty",
        "people.csv line 4: platform must be one of slack, feishu, console, got “teams”",
        "people.csv line 5: “not-an-email” is not an email address (webex_email)",
        "Nothing was imported: fix the lines above and run the import again.",
    ]
    assert _rows(tmp_path) == {}


def test_import_needs_a_platform(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("chat_user,name\nalice,Alice\n")
    assert "no `platform` column" in runner.invoke(main, ["users", "import", "p.csv"]).output
    ok = runner.invoke(main, ["users", "import", "p.csv", "--platform", "console"])
    assert ok.exit_code == 0 and _rows(tmp_path)[("console", "alice")]["name"] == "Alice"


def test_set_guesses_the_platform_and_keeps_other_ids(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["users", "set", "U0ERIN", "dingtalk=dt-erin", "name=erin", "--new"])
    assert result.exit_code == 0, result.output
    assert result.output == "slack user U0ERIN: dingtalk_union_id=dt-erin, name=erin\n"
    runner.invoke(main, ["users", "set", "U0ERIN", "zoom=erin@example.com", "--new"])
    row = _rows(tmp_path)[("slack", "U0ERIN")]
    assert (row["dingtalk_union_id"], row["zoom_email"]) == ("dt-erin", "erin@example.com")
    assert row["source"] == "dingtalk_union_id=mapping, zoom_email=mapping"
    assert runner.invoke(main, ["users", "set", "ou_x", "feishu=ou_x", "--new"]).output.startswith("feishu user ou_x")
    dave = runner.invoke(main, ["users", "set", "dave", "webex=dave@example.com", "--new"])
    assert dave.output.startswith("console user")


async def test_a_mapping_set_by_cli_is_what_the_resolver_uses(runner: CliRunner, tmp_path: Path) -> None:
    await asyncio.to_thread(runner.invoke, main, ["users", "set", "erin", "feishu=ou_erin", "--platform", "console",
                                                  "--new"])
    store = await asyncio.to_thread(Store, str(tmp_path / "h.db"))
    people = IdentityResolver(store.aio())
    person = await people.resolve("@erin", "console", "you")
    assert people.vendor_user(person, "feishu").id == "ou_erin"
    await people.store.aclose()
    store.close()


@pytest.mark.parametrize(("args", "words"), [
    (["users", "set", "U0ERIN", "skype=x"], "“skype=x” is not vendor=id; vendors: feishu, feishu_union, dingtalk"),
    (["users", "set", "U0ERIN", "zoom"], "“zoom” is not vendor=id"),
    (["users", "set", "U0ERIN", "zoom=nope"], "“nope” is not an email address (zoom_email)"),
])
def test_set_refuses_bad_pairs(runner: CliRunner, tmp_path: Path, args: list[str], words: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and words in result.output
    assert _rows(tmp_path) == {}


def test_list_when_empty(runner: CliRunner) -> None:
    assert runner.invoke(main, ["users", "list"]).output.startswith("No people yet.")


async def test_a_one_vendor_mapping_keeps_every_other_id_and_a_pin_removes_one(runner: CliRunner,
                                                                                tmp_path: Path) -> None:
    def seed() -> None:  # the command line's side runs off the event loop, as `hostbot users` does
        store = Store(str(tmp_path / "h.db"))
        store.upsert_person("console", "host", source="profile", name="host", email="host@example.com",
                            feishu_open_id="ou_host")
        store.close()

    await asyncio.to_thread(seed)
    await asyncio.to_thread(runner.invoke, main, ["users", "set", "host", "dingtalk=union_host", "--platform",
                                                  "console", "--new"])
    store = await asyncio.to_thread(Store, str(tmp_path / "h.db"))
    people = IdentityResolver(store.aio())
    person = await people.resolve("host", "console", "host")
    assert {v: person.vendor_id(v) for v in ("feishu", "dingtalk", "zoom", "webex")} == {
        "feishu": "ou_host", "dingtalk": "union_host", "zoom": "host@example.com", "webex": "host@example.com"}
    assert (person.source_of("dingtalk"), person.source_of("feishu"), person.source_of("zoom")) == (
        "mapping", "profile", "email")
    await people.store.aclose()
    store.close()
    result = await asyncio.to_thread(runner.invoke, main, ["users", "set", "host", "zoom=-", "--platform", "console",
                                                           "--new"])
    assert result.output == "console user host: zoom_email=(none)\n"
    store = await asyncio.to_thread(Store, str(tmp_path / "h.db"))
    aio = store.aio()
    person = await IdentityResolver(aio).resolve("host", "console", "host")
    assert person.vendor_id("zoom") == "" and person.vendor_id("webex") == "host@example.com"
    await aio.aclose()
    store.close()
    listed = json.loads((await asyncio.to_thread(runner.invoke, main, ["users", "list", "--format", "json"])).output)
    assert listed[0]["zoom_email"] == "(none)"
    assert listed[0]["source"] == "email=profile, feishu_open_id=profile, dingtalk_union_id=mapping, zoom_email=mapping"
