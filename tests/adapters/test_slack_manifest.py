"""manifest.yaml matches the code: the command, the events, and exactly the scopes the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.adapters.slack import adapter as slack_adapter

ROOT = Path(__file__).resolve().parents[2]
# Web API method -> the bot scope it needs (docs.slack.dev method pages)
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "users_info": {"users:read"},
    "users_lookupByEmail": {"users:read.email"},
    # replies in public and private channels alike
    "conversations_replies": {"channels:history", "groups:history"},
    # the channels a person is in, public and private (the Home tab's linked meetings)
    "users_conversations": {"channels:read", "groups:read"},
    # modals and the Home tab need no scope (a trigger_id, or the app's own Home tab)
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
    # HOSTBOT_ADMINS naming a user group: its members, a handle's id
    "usergroups_list": {"usergroups:read"},
    "usergroups_users_list": {"usergroups:read"},
}
EVENT_SCOPES = {"app_mention": {"app_mentions:read"}, "message.im": {"im:history"}, "app_home_opened": set()}


def manifest() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "manifest.yaml").read_text())


def methods_called(*sources: Path) -> set[str]:
    text = "\n".join(p.read_text() for p in sources)
    called = set(re.findall(r'\bcall\("(\w+)"', text)) | set(re.findall(r"\bclient\.(\w+)\(", text))
    return {m for m in called if m in METHOD_SCOPES or "_" in m}


def test_manifest_command_events_and_scopes_match_the_code() -> None:
    m = manifest()
    commands = m["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [slack_adapter.COMMAND]
    assert commands[0]["should_escape"] is True and commands[0]["usage_hint"]
    assert tuple(m["settings"]["event_subscriptions"]["bot_events"]) == slack_adapter.BOT_EVENTS
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert m["features"]["app_home"]["home_tab_enabled"] is True  # app_home_opened comes only with a Home tab

    slack_dir, core_dir = ROOT / "bot" / "adapters" / "slack", ROOT / "bot" / "core"
    sources = [*sorted(slack_dir.glob("*.py")), *sorted(core_dir.glob("*.py"))]
    used = methods_called(*sources)
    assert {"chat_postMessage", "chat_update", "chat_postEphemeral", "users_info",
            "conversations_replies", "views_open", "views_update", "views_publish", "users_conversations"} <= used
    unknown = used - set(METHOD_SCOPES)
    assert not unknown, f"add these Slack methods to METHOD_SCOPES: {unknown}"
    needed = {"commands"} | set().union(*(METHOD_SCOPES[u] for u in used))
    needed |= set().union(*(EVENT_SCOPES[e] for e in slack_adapter.BOT_EVENTS))
    needed.add("users:read.email")  # users.info returns the email (identity) only with this scope
    granted = set(m["oauth_config"]["scopes"]["bot"])
    assert granted == needed == set(slack_adapter.BOT_SCOPES)


def test_every_url_points_at_the_one_endpoint() -> None:
    m = manifest()
    urls = [m["features"]["slash_commands"][0]["url"], m["settings"]["event_subscriptions"]["request_url"],
            m["settings"]["interactivity"]["request_url"]]
    assert all(u.endswith("/slack/events") for u in urls)
