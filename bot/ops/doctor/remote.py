"""The remote checks of `hostbot doctor` (bot/ops/doctor/report.py): does each configured platform and vendor
answer at its base URL, and do its credentials give a token or an identity?

    Slack     auth.test (the token; granted scopes from its `x-oauth-scopes` header against
              BOT_SCOPES, which tests keep equal to manifest.yaml), apps.connections.open (the
              app-level token of Socket Mode) or the signing secret of HTTP mode
    Feishu    tenant_access_token/internal, bot/v3/info (an active bot), the long-connection
              endpoint (FEISHU_MODE=ws) or the webhook keys, HOSTBOT_PUBLIC_URL where needed
    DingTalk  v1.0/oauth2/accessToken
    Webex     GET people/me with WEBEX_TOKEN
    Zoom      the account_credentials token, then ZOOM_API_BASE with it (users/me)
A vendor that does not answer at all is reported with the variable holding its URL.
"""

from __future__ import annotations

from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from bot.config import Settings
from bot.ops.doctor.checks import Check, Say
from bot.vendors.http import json_body

FEISHU_BOT_ACTIVE = 2  # bot/v3/info activate_status: 2 = enabled in the tenant
FEISHU_BAD_APP_ID, FEISHU_BAD_SECRET = 10003, 10014
ZOOM_INVALID_TOKEN = 124


@dataclass(frozen=True)
class Probe:
    """One platform or vendor being checked: its area in the table and the variable holding its URL."""

    client: httpx.AsyncClient
    say: Say
    area: str
    var: str  # e.g. "WEBEX_API_BASE"
    base: str  # its value

    def ok(self, what: str, result: str) -> Check:
        return Check(self.area, what, True, result)

    def fail(self, what: str, result: str, fix: str) -> Check:
        return Check(self.area, what, False, result, fix)

    async def fetch(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response | Check:
        """The response, or the failed Check saying that the base URL did not answer."""
        try:
            return await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as err:
            return self.fail(what, self.say("doctor_unreachable", url=self.base, error=type(err).__name__),
                             self.say("doctor_fix_unreachable", var=self.var, url=self.base))

    def bad_answer(self, resp: httpx.Response, what: str, service: str) -> Check:
        return self.fail(what, self.say("doctor_bad_answer", url=self.base, status=resp.status_code),
                         self.say("doctor_fix_bad_answer", var=self.var, url=self.base, service=service))


def remote_checks(s: Settings, client: httpx.AsyncClient, say: Say) -> list[Coroutine[Any, Any, list[Check]]]:
    """One coroutine per configured platform or vendor; each gives its checks in order."""
    checks: list[Coroutine[Any, Any, list[Check]]] = []
    if s.slack_bot_token:
        checks.append(slack_checks(s, client, say))
    if s.feishu_configured:
        checks.append(feishu_checks(s, client, say))
    if s.dingtalk_app_key and s.dingtalk_app_secret:
        checks.append(dingtalk_checks(s, client, say))
    if s.webex_token:
        checks.append(webex_checks(s, client, say))
    if s.zoom_account_id and s.zoom_client_id and s.zoom_client_secret:
        checks.append(zoom_checks(s, client, say))
    return checks


# ---- Slack ------------------------------------------------------------------------------------------
async def slack_checks(s: Settings, client: httpx.AsyncClient, say: Say) -> list[Check]:
    from bot.adapters.slack.adapter import BOT_SCOPES

    base = s.slack_api_url if s.slack_api_url.endswith("/") else s.slack_api_url + "/"
    probe = Probe(client, say, "slack", "SLACK_API_URL", base)
    what = say("doctor_what_slack_token")
    resp = await probe.fetch("POST", base + "auth.test", what, headers={"Authorization": f"Bearer {s.slack_bot_token}"})
    if isinstance(resp, Check):
        return [resp]
    body = json_body(resp)
    if resp.status_code != 200 or "ok" not in body:
        return [probe.bad_answer(resp, what, "Slack Web")]
    if not body["ok"]:
        return [probe.fail(what, say("doctor_slack_says", error=body.get("error", "?")), say("doctor_fix_slack_token")),
                *await _slack_inbound(s, probe)]
    who = {"user": f"@{body.get('user', '?')}", "team": body.get("team", "?")}
    checks = [probe.ok(what, say("doctor_slack_token_ok", **who))]
    what = say("doctor_what_slack_scopes")
    header = resp.headers.get("x-oauth-scopes")
    if header is None:
        checks.append(probe.fail(what, say("doctor_slack_scopes_unknown"), say("doctor_fix_slack_scopes_unknown")))
    else:
        granted = {scope.strip() for scope in header.split(",") if scope.strip()}
        missing = ", ".join(scope for scope in BOT_SCOPES if scope not in granted)
        checks.append(probe.fail(what, say("doctor_slack_scopes_missing", missing=missing),
                                 say("doctor_fix_slack_scopes", missing=missing)) if missing else
                      probe.ok(what, say("doctor_slack_scopes_ok", count=len(BOT_SCOPES))))
    return checks + await _slack_inbound(s, probe)


async def _slack_inbound(s: Settings, probe: Probe) -> list[Check]:
    """How events reach hostbot: Socket Mode (the app-level token is checked) or HTTP (signed)."""
    say, what = probe.say, probe.say("doctor_what_slack_inbound")
    if s.slack_app_token:
        resp = await probe.fetch("POST", probe.base + "apps.connections.open", what,
                                 headers={"Authorization": f"Bearer {s.slack_app_token}"})
        if isinstance(resp, Check):
            return [resp]
        body = json_body(resp)
        if body.get("ok"):
            return [probe.ok(what, say("doctor_slack_socket_ok"))]
        return [probe.fail(what, say("doctor_slack_says", error=body.get("error", resp.status_code)),
                           say("doctor_fix_slack_app_token"))]
    if s.slack_signing_secret:
        return [probe.ok(what, say("doctor_slack_http_mode"))]
    return []  # neither: a settings row says so (bot/config.py startup_problems), and `hostbot run` stops


# ---- Feishu -------------------------------------------------------------------------------------------
async def feishu_checks(s: Settings, client: httpx.AsyncClient, say: Say) -> list[Check]:
    domain = s.feishu_domain.rstrip("/")
    probe = Probe(client, say, "feishu", "FEISHU_DOMAIN", domain)
    what = say("doctor_what_feishu_token")
    resp = await probe.fetch("POST", f"{domain}/open-apis/auth/v3/tenant_access_token/internal", what,
                             json={"app_id": s.feishu_app_id, "app_secret": s.feishu_app_secret})
    if isinstance(resp, Check):
        return [resp]
    body = json_body(resp)
    token = str(body.get("tenant_access_token") or "")
    if "code" not in body:
        return [probe.bad_answer(resp, what, "Feishu Open Platform")]
    if body.get("code") != 0 or not token:
        fix = {FEISHU_BAD_APP_ID: "doctor_fix_feishu_app_id", FEISHU_BAD_SECRET: "doctor_fix_feishu_secret"}.get(
            int(body.get("code") or -1), "doctor_fix_feishu_generic")
        return [probe.fail(what, say("doctor_feishu_says", code=body.get("code"), msg=body.get("msg", "")), say(fix))]
    checks = [probe.ok(what, say("doctor_yes_at", url=domain))]

    what = say("doctor_what_feishu_bot")
    resp = await probe.fetch("GET", f"{domain}/open-apis/bot/v3/info", what,
                             headers={"Authorization": f"Bearer {token}"})
    if isinstance(resp, Check):
        return [*checks, resp]
    body = json_body(resp)
    bot = body.get("bot")
    bot = bot if isinstance(bot, dict) else {}
    if body.get("code") != 0:
        checks.append(probe.fail(what, say("doctor_feishu_says", code=body.get("code", resp.status_code),
                                           msg=body.get("msg", "")), say("doctor_fix_feishu_bot")))
    elif bot.get("activate_status") != FEISHU_BOT_ACTIVE:
        checks.append(probe.fail(what, say("doctor_feishu_bot_inactive", name=bot.get("app_name", "?"),
                                           status=bot.get("activate_status", "?")), say("doctor_fix_feishu_bot")))
    else:
        checks.append(probe.ok(what, say("doctor_feishu_bot_ok", name=bot.get("app_name", "?"),
                                         open_id=bot.get("open_id", "?"))))
    return checks + await _feishu_inbound(s, probe)


async def _feishu_inbound(s: Settings, probe: Probe) -> list[Check]:
    say, what = probe.say, probe.say("doctor_what_feishu_events")
    if s.feishu_mode != "ws":
        missing = [n for n, v in (("FEISHU_ENCRYPT_KEY", s.feishu_encrypt_key),
                                  ("FEISHU_VERIFICATION_TOKEN", s.feishu_verification_token)) if not v]
        if len(missing) == 2 and s.slack_bot_token:  # chat arrives from Slack: Feishu is a meeting vendor here
            return [probe.ok(what, say("doctor_feishu_events_unused")), _public_url_check(s, probe)]
        if missing:  # both are needed: either alone lets forged or replayed requests in
            return [probe.fail(what, say("doctor_feishu_webhook_missing", missing=", ".join(missing)),
                               say("doctor_fix_feishu_webhook")), _public_url_check(s, probe)]
        return [probe.ok(what, say("doctor_feishu_webhook_ok")), _public_url_check(s, probe)]
    # The long-connection client asks this endpoint for its WebSocket URL first (lark-oapi ws/client.py).
    resp = await probe.fetch("POST", f"{probe.base}/callback/ws/endpoint", what,
                             json={"AppID": s.feishu_app_id, "AppSecret": s.feishu_app_secret})
    if isinstance(resp, Check):
        return [resp]
    body = json_body(resp)
    checks = [probe.ok(what, say("doctor_feishu_ws_ok")) if body.get("code") == 0 else
              probe.fail(what, say("doctor_feishu_says", code=body.get("code", resp.status_code),
                                   msg=body.get("msg", "")), say("doctor_fix_feishu_ws"))]
    return [*checks, _public_url_check(s, probe)]


def _public_url_check(s: Settings, probe: Probe) -> Check:
    """Invite's authorization link is built on HOSTBOT_PUBLIC_URL only (never on a request's Host)."""
    what = probe.say("doctor_what_public_url")
    return (probe.ok(what, s.public_url) if s.public_url else
            probe.fail(what, probe.say("doctor_public_url_missing"), probe.say("doctor_fix_public_url")))


# ---- DingTalk, Webex, Zoom ------------------------------------------------------------------------------
async def dingtalk_checks(s: Settings, client: httpx.AsyncClient, say: Say) -> list[Check]:
    base = s.dingtalk_api_base.rstrip("/")
    probe = Probe(client, say, "dingtalk", "DINGTALK_API_BASE", base)
    what = say("doctor_what_dingtalk")
    resp = await probe.fetch("POST", f"{base}/v1.0/oauth2/accessToken", what,
                             json={"appKey": s.dingtalk_app_key, "appSecret": s.dingtalk_app_secret})
    if isinstance(resp, Check):
        return [resp]
    body = json_body(resp)
    if resp.status_code == 200 and body.get("accessToken"):
        return [probe.ok(what, say("doctor_token_ok", seconds=body.get("expireIn", "?")))]
    if "code" not in body:
        return [probe.bad_answer(resp, what, "DingTalk")]
    return [probe.fail(what, say("doctor_vendor_says", service="DingTalk", code=body.get("code"),
                                 msg=body.get("message", "")), say("doctor_fix_dingtalk"))]


async def webex_checks(s: Settings, client: httpx.AsyncClient, say: Say) -> list[Check]:
    base = s.webex_api_base.rstrip("/")
    probe = Probe(client, say, "webex", "WEBEX_API_BASE", base)
    what = say("doctor_what_webex")
    resp = await probe.fetch("GET", f"{base}/people/me", what, headers={"Authorization": f"Bearer {s.webex_token}"})
    if isinstance(resp, Check):
        return [resp]
    body = json_body(resp)
    if resp.status_code == 200 and body:
        emails = body.get("emails") or ["?"]
        return [probe.ok(what, say("doctor_webex_ok", name=body.get("displayName", "?"), email=emails[0]))]
    if resp.status_code in (401, 403):
        return [probe.fail(what, say("doctor_vendor_says", service="Webex", code=resp.status_code,
                                     msg=body.get("message", "")), say("doctor_fix_webex"))]
    return [probe.bad_answer(resp, what, "Webex")]


async def zoom_checks(s: Settings, client: httpx.AsyncClient, say: Say) -> list[Check]:
    probe = Probe(client, say, "zoom", "ZOOM_OAUTH_URL", s.zoom_oauth_url)
    what = say("doctor_what_zoom_token")
    resp = await probe.fetch("POST", s.zoom_oauth_url, what, auth=(s.zoom_client_id, s.zoom_client_secret),
                             data={"grant_type": "account_credentials", "account_id": s.zoom_account_id})
    if isinstance(resp, Check):
        return [resp]
    body = json_body(resp)
    token = str(body.get("access_token") or "")
    if resp.status_code >= 500 or not body:
        return [probe.bad_answer(resp, what, "Zoom OAuth")]
    if not token:
        return [probe.fail(what, say("doctor_vendor_says", service="Zoom", code=body.get("error", "?"),
                                     msg=body.get("reason", "")), say("doctor_fix_zoom"))]
    checks = [probe.ok(what, say("doctor_zoom_token_ok", scopes=body.get("scope") or "?"))]

    base = s.zoom_api_base.rstrip("/")
    probe = Probe(client, say, "zoom", "ZOOM_API_BASE", base)
    what = say("doctor_what_zoom_api")
    resp = await probe.fetch("GET", f"{base}/users/me", what, headers={"Authorization": f"Bearer {token}"})
    if isinstance(resp, Check):
        return [*checks, resp]
    body = json_body(resp)
    if resp.status_code == 401 or body.get("code") == ZOOM_INVALID_TOKEN:
        checks.append(probe.fail(what, say("doctor_vendor_says", service="Zoom", code=resp.status_code,
                                           msg=body.get("message", "")), say("doctor_fix_zoom_api")))
    elif resp.status_code >= 500:
        checks.append(probe.bad_answer(resp, what, "Zoom"))
    elif resp.status_code == 404:
        checks.append(await _zoom_account_users(probe, what, token))
    elif resp.status_code >= 300 or not body.get("email"):
        checks.append(probe.bad_answer(resp, what, "Zoom"))
    else:
        checks.append(probe.ok(what, say("doctor_zoom_api_ok", who=str(body["email"]))))
    return checks


async def _zoom_account_users(probe: Probe, what: str, token: str) -> Check:
    """users/me is 404 for an account-level (Server-to-Server) app: it has no user of its own. That 404
    proves nothing (a wrong ZOOM_API_BASE answers 404 too), so ask what such an app can read: its users."""
    resp = await probe.fetch("GET", f"{probe.base}/users", what, params={"page_size": 1},
                             headers={"Authorization": f"Bearer {token}"})
    if isinstance(resp, Check):
        return resp
    body = json_body(resp)
    if resp.status_code == 200 and "total_records" in body:
        return probe.ok(what, probe.say("doctor_zoom_api_users", count=body["total_records"]))
    if resp.status_code in (401, 403) or "code" in body:
        return probe.fail(what, probe.say("doctor_vendor_says", service="Zoom", code=resp.status_code,
                                          msg=body.get("message", "")), probe.say("doctor_fix_zoom_api"))
    return probe.bad_answer(resp, what, "Zoom")
