"""Messages of running hostbot: progress of long work (chat), `hostbot doctor` and `hostbot backup` (admin console)."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- progress of long work (bot/core/answer/progress.py) ---------------------------------------------
    "progress_reassign": {"en": "⏳ {done}/{total} reassigned…", "zh": "⏳ 已转移 {done}/{total}…"},
    "progress_invite": {"en": "⏳ {done}/{total} invited…", "zh": "⏳ 已邀请 {done}/{total}…"},
    # ---- hostbot doctor: the table -------------------------------------------------------------
    "doctor_head": {"en": "hostbot doctor: {checks} checks, {failed} failed",
                    "zh": "hostbot doctor：共 {checks} 项检查，{failed} 项未通过"},
    "doctor_all_ok": {"en": "Everything checked is ready.", "zh": "检查的各项均已就绪。"},
    "doctor_col_area": {"en": "area", "zh": "范围"},
    "doctor_col_check": {"en": "check", "zh": "检查项"},
    "doctor_col_result": {"en": "result", "zh": "结果"},
    "doctor_fix": {"en": "fix: {fix}", "zh": "修复：{fix}"},
    "doctor_none": {"en": "none", "zh": "无"},
    # ---- settings ------------------------------------------------------------------------------
    "doctor_what_settings": {"en": "settings from the environment and .env", "zh": "环境变量与 .env 中的设置"},
    "doctor_settings_ok": {"en": "read; chat: {chat}; vendors: {vendors}",
                           "zh": "已读取；聊天平台：{chat}；会议服务：{vendors}"},
    "doctor_fix_settings": {
        "en": "correct that variable (.env.example describes each one), then run hostbot doctor again",
        "zh": "修正该变量（.env.example 中有每个变量的说明），然后重新运行 hostbot doctor",
    },
    "doctor_what_tz": {"en": "HOSTBOT_TZ is a time zone", "zh": "HOSTBOT_TZ 是有效时区"},
    # ---- database ------------------------------------------------------------------------------
    "doctor_what_db_write": {"en": "database {path} is writable", "zh": "数据库 {path} 可写"},
    "doctor_db_new": {"en": "not created yet; its folder is writable (created and migrated at start)",
                      "zh": "尚未创建；所在文件夹可写（启动时创建并迁移）"},
    "doctor_db_writable": {"en": "yes (SQLite {version}, journal {journal})",
                           "zh": "是（SQLite {version}，日志模式 {journal}）"},
    "doctor_db_not_writable": {"en": "cannot write: {error}", "zh": "无法写入：{error}"},
    "doctor_fix_db_write": {
        "en": "let the user that runs hostbot write {path} and its folder (SQLite also writes {path}-wal and "
              "{path}-shm beside it), or point HOSTBOT_DB elsewhere",
        "zh": "让运行 hostbot 的用户可以写入 {path} 及其文件夹（SQLite 还会在旁边写 {path}-wal 和 {path}-shm），"
              "或把 HOSTBOT_DB 指向别处",
    },
    "doctor_db_no_folder": {"en": "folder {folder} does not exist", "zh": "文件夹 {folder} 不存在"},
    "doctor_fix_db_folder": {"en": "create {folder}, or point HOSTBOT_DB at a file in an existing folder",
                             "zh": "创建 {folder}，或把 HOSTBOT_DB 指向已存在文件夹中的文件"},
    "doctor_db_unreadable": {"en": "not a hostbot database, or damaged: {error}",
                             "zh": "不是 hostbot 数据库，或已损坏：{error}"},
    "doctor_fix_db_unreadable": {
        "en": "restore a backup (README: “Backing up and restoring”) or point HOSTBOT_DB at another file",
        "zh": "恢复备份（见 README 的“Backing up and restoring”），或把 HOSTBOT_DB 指向其他文件",
    },
    "doctor_what_db_migrated": {"en": "database schema is up to date", "zh": "数据库结构为最新"},
    "doctor_what_retention": {"en": "retention (HOSTBOT_RETENTION_DAYS, HOSTBOT_DELIVERY_RETENTION_HOURS)",
                              "zh": "保留期限（HOSTBOT_RETENTION_DAYS、HOSTBOT_DELIVERY_RETENTION_HOURS）"},
    "doctor_retention_ok": {"en": "audit {audit}, deliveries and proposals {hours} h; oldest audit row: {oldest}",
                            "zh": "审计 {audit}，投递与提议 {hours} 小时；最早的审计记录：{oldest}"},
    "doctor_retention_behind": {
        "en": "rows older than the window are still there (oldest {table} row: {oldest})",
        "zh": "仍有超出保留期限的记录（最早的 {table} 记录：{oldest}）"},
    "doctor_fix_retention": {
        "en": "hostbot run prunes them hourly: check that it is running and that its log shows no retention errors",
        "zh": "hostbot run 每小时清理一次：请确认它在运行，且日志中没有 retention 错误"},
    "doctor_retention_forever": {"en": "kept for ever", "zh": "永久保留"},
    "doctor_retention_days": {"en": "{days} days", "zh": "{days} 天"},
    "doctor_retention_none": {"en": "none", "zh": "无"},
    "doctor_db_migrated": {"en": "{count} migrations applied, none pending", "zh": "已应用 {count} 个迁移，无待应用"},
    "doctor_db_pending": {"en": "{count} pending: {names}", "zh": "{count} 个待应用：{names}"},
    "doctor_fix_db_pending": {
        "en": "make a backup (hostbot backup PATH), then start hostbot once: migrations run at start",
        "zh": "先备份（hostbot backup PATH），再启动一次 hostbot：迁移在启动时执行",
    },
    "doctor_db_newer": {"en": "migrated by a newer hostbot: {names} unknown here",
                        "zh": "已被更新版本的 hostbot 迁移：本版本不认识 {names}"},
    "doctor_fix_db_newer": {
        "en": "run the hostbot version that migrated it, or restore the backup made before that upgrade",
        "zh": "运行做过该迁移的 hostbot 版本，或恢复升级前的备份",
    },
    "doctor_what_db_pg": {"en": "PostgreSQL {where} is reachable and writable",
                          "zh": "PostgreSQL {where} 可连接且可写"},
    "doctor_db_pg_ok": {"en": "yes (PostgreSQL {version})", "zh": "是（PostgreSQL {version}）"},
    "doctor_db_pg_empty": {"en": "empty; the first replica to start creates the schema",
                           "zh": "空库；第一个启动的副本会创建表结构"},
    "doctor_db_pg_failed": {"en": "no: {error}", "zh": "否：{error}"},
    "doctor_fix_db_pg": {
        "en": "check HOSTBOT_DB (postgresql://USER:PASSWORD@HOST:PORT/DB), that the server is up and that USER may "
              "connect to DB and create tables in it",
        "zh": "检查 HOSTBOT_DB（postgresql://用户:密码@主机:端口/库）、服务器是否运行，以及该用户能否连接该库并在其中建表",
    },
    # ---- the token vault ------------------------------------------------------------------------
    "doctor_what_secret": {"en": "HOSTBOT_SECRET_KEY for Feishu user tokens",
                           "zh": "用于飞书用户令牌的 HOSTBOT_SECRET_KEY"},
    "doctor_secret_ok": {"en": "set; opens the {count} stored user tokens",
                         "zh": "已设置；能打开已存的 {count} 个用户令牌"},
    "doctor_secret_ok_empty": {"en": "set; no user token stored yet", "zh": "已设置；尚未存有用户令牌"},
    "doctor_secret_missing": {"en": "not set", "zh": "未设置"},
    "doctor_secret_short": {"en": "too short ({length} characters, at least 16)",
                            "zh": "太短（{length} 个字符，至少 16 个）"},
    "doctor_fix_secret": {
        "en": "set HOSTBOT_SECRET_KEY to a passphrase of at least 16 characters (e.g. the output of "
              "python -c 'import secrets; print(secrets.token_urlsafe(32))') and keep it: Feishu invite stores "
              "each person's authorization encrypted with it",
        "zh": "把 HOSTBOT_SECRET_KEY 设为至少 16 个字符的口令（例如 python -c 'import secrets; "
              "print(secrets.token_urlsafe(32))' 的输出）并妥善保存：飞书邀请会用它加密保存每个人的授权",
    },
    "doctor_secret_wrong": {"en": "does not open the user tokens stored in {path}",
                            "zh": "打不开 {path} 中已存的用户令牌"},
    "doctor_fix_secret_wrong": {
        "en": "put the previous key back, or delete the stored tokens (table user_tokens) so that people authorize "
              "hostbot again",
        "zh": "换回原来的密钥，或删除已存的令牌（user_tokens 表），让大家重新授权 hostbot",
    },
    # ---- any remote check -------------------------------------------------------------------------
    "doctor_unreachable": {"en": "no answer from {url}: {error}", "zh": "{url} 无应答：{error}"},
    "doctor_fix_unreachable": {
        "en": "check {var} ({url}), DNS, the firewall and this machine's proxy (HTTPS_PROXY), then run hostbot "
              "doctor again",
        "zh": "检查 {var}（{url}）、DNS、防火墙和本机代理（HTTPS_PROXY），然后重新运行 hostbot doctor",
    },
    "doctor_bad_answer": {"en": "{url} answered HTTP {status}", "zh": "{url} 返回 HTTP {status}"},
    "doctor_fix_bad_answer": {
        "en": "check {var} ({url}): it does not answer like the {service} API; if it is right, the service may "
              "be down, so try again later",
        "zh": "检查 {var}（{url}）：它的应答不像 {service} 接口；如果地址无误，可能是服务故障，请稍后再试",
    },
    # ---- Slack ------------------------------------------------------------------------------------
    "doctor_what_slack_token": {"en": "SLACK_BOT_TOKEN is valid (auth.test)",
                                "zh": "SLACK_BOT_TOKEN 有效（auth.test）"},
    "doctor_slack_token_ok": {"en": "bot {user} in workspace {team}", "zh": "工作区 {team} 中的机器人 {user}"},
    "doctor_slack_says": {"en": "Slack says {error}", "zh": "Slack 返回 {error}"},
    "doctor_fix_slack_token": {
        "en": "copy the Bot User OAuth Token (xoxb-…) from your app's OAuth & Permissions page into "
              "SLACK_BOT_TOKEN (reinstalling the app issues a new one)",
        "zh": "从应用的 OAuth & Permissions 页面复制 Bot User OAuth Token（xoxb-…）到 SLACK_BOT_TOKEN"
              "（重新安装应用会签发新令牌）",
    },
    "doctor_what_slack_scopes": {"en": "granted scopes cover manifest.yaml", "zh": "已授予的权限覆盖 manifest.yaml"},
    "doctor_slack_scopes_ok": {"en": "all {count} granted", "zh": "{count} 项均已授予"},
    "doctor_slack_scopes_missing": {"en": "missing {missing}", "zh": "缺少 {missing}"},
    "doctor_fix_slack_scopes": {
        "en": "add {missing} under OAuth & Permissions → Scopes → Bot Token Scopes (or paste manifest.yaml "
              "again under App Manifest), then reinstall the app (Install App → Reinstall to Workspace)",
        "zh": "在 OAuth & Permissions → Scopes → Bot Token Scopes 中添加 {missing}（或在 App Manifest 中重新粘贴 "
              "manifest.yaml），然后重新安装应用（Install App → Reinstall to Workspace）",
    },
    "doctor_slack_scopes_unknown": {"en": "Slack did not list the token's scopes (no x-oauth-scopes header)",
                                    "zh": "Slack 没有列出令牌的权限（无 x-oauth-scopes 响应头）"},
    "doctor_fix_slack_scopes_unknown": {
        "en": "compare OAuth & Permissions → Bot Token Scopes with manifest.yaml by hand",
        "zh": "请手动对照 OAuth & Permissions → Bot Token Scopes 与 manifest.yaml",
    },
    "doctor_what_slack_inbound": {"en": "Slack can deliver events", "zh": "Slack 能投递事件"},
    "doctor_slack_http_mode": {
        "en": "HTTP mode: requests are verified with SLACK_SIGNING_SECRET (a wrong secret shows as 401s)",
        "zh": "HTTP 模式：用 SLACK_SIGNING_SECRET 校验请求（密钥错误时请求会得到 401）",
    },
    "doctor_slack_socket_ok": {"en": "Socket Mode: SLACK_APP_TOKEN is valid (apps.connections.open)",
                               "zh": "Socket Mode：SLACK_APP_TOKEN 有效（apps.connections.open）"},
    "doctor_fix_slack_app_token": {
        "en": "create an app-level token with connections:write under Basic Information → App-Level Tokens, put "
              "it (xapp-…) in SLACK_APP_TOKEN, and turn Socket Mode on",
        "zh": "在 Basic Information → App-Level Tokens 中创建带 connections:write 的应用级令牌，填入 "
              "SLACK_APP_TOKEN（xapp-…），并开启 Socket Mode",
    },
    # ---- Feishu -----------------------------------------------------------------------------------
    "doctor_what_feishu_token": {"en": "FEISHU_APP_ID / FEISHU_APP_SECRET give a tenant token",
                                 "zh": "FEISHU_APP_ID / FEISHU_APP_SECRET 能换取 tenant token"},
    "doctor_yes_at": {"en": "yes ({url})", "zh": "是（{url}）"},
    "doctor_feishu_says": {"en": "Feishu says {code}: {msg}", "zh": "飞书返回 {code}：{msg}"},
    "doctor_fix_feishu_app_id": {
        "en": "copy the App ID (cli_…) from Credentials & Basic Info into FEISHU_APP_ID; for Lark set "
              "FEISHU_DOMAIN=https://open.larksuite.com",
        "zh": "从“凭证与基础信息”复制 App ID（cli_…）到 FEISHU_APP_ID；Lark 请设置 "
              "FEISHU_DOMAIN=https://open.larksuite.com",
    },
    "doctor_fix_feishu_secret": {
        "en": "copy the App Secret from Credentials & Basic Info into FEISHU_APP_SECRET (resetting it there "
              "makes the old one invalid)",
        "zh": "从“凭证与基础信息”复制 App Secret 到 FEISHU_APP_SECRET（在那里重置后旧的即失效）",
    },
    "doctor_fix_feishu_generic": {
        "en": "check FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_DOMAIN (https://open.feishu.cn or "
              "https://open.larksuite.com)",
        "zh": "检查 FEISHU_APP_ID、FEISHU_APP_SECRET 和 FEISHU_DOMAIN（https://open.feishu.cn 或 "
              "https://open.larksuite.com）",
    },
    "doctor_what_feishu_bot": {"en": "the app has an active bot (bot/v3/info)",
                               "zh": "应用已启用机器人（bot/v3/info）"},
    "doctor_feishu_bot_ok": {"en": "bot “{name}” ({open_id})", "zh": "机器人“{name}”（{open_id}）"},
    "doctor_feishu_bot_inactive": {"en": "bot “{name}” is not active (activate_status {status})",
                                   "zh": "机器人“{name}”未启用（activate_status {status}）"},
    "doctor_fix_feishu_bot": {
        "en": "enable Add Features → Bot, publish a version (Version Management & Release) and have the tenant "
              "admin approve it",
        "zh": "在“添加应用能力”中启用机器人，在“版本管理与发布”中发布版本，并请企业管理员审核通过",
    },
    "doctor_what_feishu_events": {"en": "Feishu can deliver events", "zh": "飞书能投递事件"},
    "doctor_feishu_webhook_ok": {"en": "webhook: FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN are set",
                                 "zh": "webhook：已设置 FEISHU_ENCRYPT_KEY 和 FEISHU_VERIFICATION_TOKEN"},
    "doctor_feishu_events_unused": {
        "en": "not used: chat arrives from Slack, Feishu is a meeting vendor here (hostbot run takes no Feishu events)",
        "zh": "未使用：聊天来自 Slack，这里飞书只作为会议服务（hostbot run 不接收飞书事件）"},
    "doctor_feishu_webhook_missing": {"en": "webhook mode, but {missing} not set",
                                      "zh": "webhook 模式，但未设置 {missing}"},
    "doctor_fix_feishu_webhook": {
        "en": "copy the Encrypt Key and Verification Token from Events & Callbacks → Encryption Strategy into "
              "FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN (or use FEISHU_MODE=ws)",
        "zh": "从“事件与回调 → 加密策略”复制 Encrypt Key 和 Verification Token 到 FEISHU_ENCRYPT_KEY 和 "
              "FEISHU_VERIFICATION_TOKEN（或改用 FEISHU_MODE=ws）",
    },
    "doctor_feishu_ws_ok": {"en": "long connection: the endpoint answers for this app",
                            "zh": "长连接：接入点对本应用有应答"},
    "doctor_fix_feishu_ws": {
        "en": "check FEISHU_APP_ID and FEISHU_APP_SECRET; under Events & Callbacks choose “Receive events "
              "through persistent connection”",
        "zh": "检查 FEISHU_APP_ID 和 FEISHU_APP_SECRET；在“事件与回调”中选择“使用长连接接收事件”",
    },
    "doctor_what_public_url": {"en": "HOSTBOT_PUBLIC_URL for invite's authorization link",
                               "zh": "邀请授权链接所需的 HOSTBOT_PUBLIC_URL"},
    "doctor_public_url_missing": {"en": "not set (hostbot never takes its address from a request's headers)",
                                  "zh": "未设置（hostbot 从不根据请求头推断自己的地址）"},
    "doctor_fix_public_url": {
        "en": "set HOSTBOT_PUBLIC_URL to hostbot's public HTTPS address and add <that address>/feishu/oauth/callback "
              "under Security Settings → Redirect URLs",
        "zh": "把 HOSTBOT_PUBLIC_URL 设为 hostbot 的公网 HTTPS 地址，并在“安全设置 → 重定向 URL”中添加 "
              "<该地址>/feishu/oauth/callback",
    },
    # ---- DingTalk, Webex, Zoom ----------------------------------------------------------------------
    "doctor_what_dingtalk": {"en": "DINGTALK_APP_KEY / DINGTALK_APP_SECRET give an access token",
                             "zh": "DINGTALK_APP_KEY / DINGTALK_APP_SECRET 能换取 access token"},
    "doctor_token_ok": {"en": "yes, valid for {seconds} s", "zh": "是，有效期 {seconds} 秒"},
    "doctor_vendor_says": {"en": "{service} says {code}: {msg}", "zh": "{service} 返回 {code}：{msg}"},
    "doctor_fix_dingtalk": {
        "en": "copy the Client ID (AppKey) and Client Secret (AppSecret) from the app's Credentials & Basic Info "
              "page at open-dev.dingtalk.com into DINGTALK_APP_KEY and DINGTALK_APP_SECRET",
        "zh": "从 open-dev.dingtalk.com 应用的“凭证与基础信息”复制 Client ID（AppKey）和 Client Secret（AppSecret）到 "
              "DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET",
    },
    "doctor_what_webex": {"en": "WEBEX_TOKEN is accepted (people/me)", "zh": "WEBEX_TOKEN 可用（people/me）"},
    "doctor_webex_ok": {"en": "{name} <{email}>", "zh": "{name} <{email}>"},
    "doctor_fix_webex": {
        "en": "put a current access token of a Webex admin (an Integration or a Service App with the meeting admin "
              "scopes) in WEBEX_TOKEN; personal tokens from the developer portal expire after 12 hours",
        "zh": "在 WEBEX_TOKEN 中填入 Webex 管理员当前有效的访问令牌（带会议管理权限的 Integration 或 Service App）；"
              "开发者门户的个人令牌 12 小时后失效",
    },
    "doctor_what_zoom_token": {"en": "ZOOM_ACCOUNT_ID / ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET give a token",
                               "zh": "ZOOM_ACCOUNT_ID / ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET 能换取令牌"},
    "doctor_zoom_token_ok": {"en": "yes; scopes: {scopes}", "zh": "是；权限：{scopes}"},
    "doctor_fix_zoom": {
        "en": "copy the Account ID, Client ID and Client Secret of your Server-to-Server OAuth app "
              "(marketplace.zoom.us → Manage → App Credentials) and make sure the app is activated",
        "zh": "复制 Server-to-Server OAuth 应用的 Account ID、Client ID 和 Client Secret（marketplace.zoom.us → "
              "Manage → App Credentials），并确认应用已激活",
    },
    "doctor_what_zoom_api": {"en": "ZOOM_API_BASE accepts that token", "zh": "ZOOM_API_BASE 接受该令牌"},
    "doctor_zoom_api_ok": {"en": "yes ({who})", "zh": "是（{who}）"},
    "doctor_zoom_api_users": {"en": "yes (an account-level app; it reads the account's {count} users)",
                              "zh": "是（账号级应用；可读取账号下的 {count} 个用户）"},
    "doctor_fix_zoom_api": {
        "en": "ZOOM_API_BASE and ZOOM_OAUTH_URL must belong to the same Zoom cloud (zoom.us or zoomgov.com): "
              "check both",
        "zh": "ZOOM_API_BASE 与 ZOOM_OAUTH_URL 必须属于同一个 Zoom 云（zoom.us 或 zoomgov.com）：请检查两者",
    },
    # ---- hostbot backup -----------------------------------------------------------------------------
    "backup_done": {"en": "Backed up {source} to {dest}: {tables} tables, {rows} rows, integrity ok.",
                    "zh": "已把 {source} 备份到 {dest}：{tables} 张表，{rows} 行，完整性检查通过。"},
    "backup_no_source": {"en": "No database at {path} (HOSTBOT_DB): nothing to back up.",
                         "zh": "{path}（HOSTBOT_DB）处没有数据库：无可备份。"},
    "backup_exists": {"en": "{dest} exists; give another path, or --force to replace it.",
                      "zh": "{dest} 已存在；请换一个路径，或用 --force 覆盖。"},
    "backup_failed": {"en": "Backup failed: {error}. {dest} was not written.",
                      "zh": "备份失败：{error}。未写入 {dest}。"},
    "backup_postgres": {
        "en": "HOSTBOT_DB is PostgreSQL ({where}): nothing was written to {dest}. Back it up with PostgreSQL's own "
              "tool, which takes one consistent snapshot while every replica keeps running:\n"
              "  pg_dump --format=custom --file={dest} \"$HOSTBOT_DB\"\n"
              "Restore with every replica stopped:\n"
              "  pg_restore --clean --if-exists --no-owner --dbname=\"$HOSTBOT_DB\" {dest}\n"
              "Use the pg_dump of the server's major version or newer; the file holds the sealed user tokens, so "
              "keep it as private as the database (HOSTBOT_SECRET_KEY opens them).",
        "zh": "HOSTBOT_DB 是 PostgreSQL（{where}）：未向 {dest} 写入任何内容。请用 PostgreSQL 自带的工具备份，"
              "它在所有副本继续运行时取一个一致的快照：\n"
              "  pg_dump --format=custom --file={dest} \"$HOSTBOT_DB\"\n"
              "恢复时先停止所有副本：\n"
              "  pg_restore --clean --if-exists --no-owner --dbname=\"$HOSTBOT_DB\" {dest}\n"
              "请使用与服务器主版本相同或更新的 pg_dump；备份文件含加密的用户令牌，请像数据库一样妥善保管"
              "（HOSTBOT_SECRET_KEY 可解密它们）。",
    },
}
