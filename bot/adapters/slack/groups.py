"""Slack user groups as admins (HOSTBOT_ADMINS=S0614TZR7 or @handle): their members, through the one
AsyncWebClient. usergroups.users.list gives a group's user ids; a handle is looked up in
usergroups.list first. Both need the bot scope usergroups:read (manifest.yaml); without it Slack answers
`missing_scope` with `needed`, which becomes the DirectoryError doctor shows."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.identity.admins import DirectoryError, GroupRef

GROUPS_SCOPE = "usergroups:read"


class SlackGroups:
    platform = "slack"

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client  # the one Slack Web API client (bot/app.py builds it)

    async def members(self, ref: GroupRef) -> frozenset[str]:
        try:
            group = ref.id if ref.kind == "usergroup" else await self._by_handle(ref.id)
            resp = await self.client.usergroups_users_list(usergroup=group)
        except SlackApiError as err:
            raise _directory_error(err) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError, OSError) as err:
            raise DirectoryError("admin_group_unanswered", platform="Slack", what=type(err).__name__) from None
        return frozenset(str(u) for u in resp.get("users") or [])

    async def _by_handle(self, handle: str) -> str:
        resp = await self.client.usergroups_list()
        for group in resp.get("usergroups") or []:
            if str(group.get("handle", "")).lower() == handle:
                return str(group["id"])
        raise DirectoryError("admin_group_no_handle", handle=handle)


def _directory_error(err: SlackApiError) -> DirectoryError:
    data: Any = err.response.data if err.response is not None else {}
    code = str(data.get("error", "")) if isinstance(data, dict) else ""
    if code == "missing_scope":
        return DirectoryError("admin_group_says", scope=str(data.get("needed") or GROUPS_SCOPE), platform="Slack",
                              what=code)
    return DirectoryError("admin_group_says", platform="Slack", what=code or str(err.response.status_code))
