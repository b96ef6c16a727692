"""The peer hostbot is measured against: a bare slack-bolt AsyncApp that acks /host and posts one message.

Served exactly as `hostbot run` serves Slack (Starlette + Bolt's AsyncSlackRequestHandler under
uvicorn, one process, access log off), with the same Web API client settings. Environment:
SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL (the sandbox), PEER_PORT.
"""

from __future__ import annotations

import os
from typing import Any

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ANSWER = "peer: done"  # what the benchmark counts in the sandbox


def build() -> Starlette:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=10)
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/host")
    async def host(ack: Any, command: dict[str, Any]) -> None:
        await ack()
        await client.chat_postMessage(channel=command["channel_id"], text=f"{ANSWER}: {command.get('text', '')}")

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"]),
                             Route("/healthz", healthz, methods=["GET"])])


def main() -> None:
    uvicorn.run(build(), host="127.0.0.1", port=int(os.environ["PEER_PORT"]), log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
