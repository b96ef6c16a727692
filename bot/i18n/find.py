"""Messages of admins named by group (doctor) and of "this meeting" found at the vendors."""

CATALOG: dict[str, dict[str, str]] = {
    "doctor_what_admin_group": {
        "en": "HOSTBOT_ADMINS group {group} can be read",
        "zh": "可以读取 HOSTBOT_ADMINS 中的群组 {group}",
    },
    "doctor_admin_group_ok": {"en": "yes, {count} members", "zh": "可以，{count} 名成员"},
    "doctor_admin_group_failed": {"en": "no: {reason}", "zh": "不可以：{reason}"},
    "doctor_fix_admin_group_scope": {
        "en": "grant the {platform} app the scope {scope} (Slack: paste manifest.yaml again under App Manifest, "
        "then reinstall the app; Feishu: Permissions & Scopes, then publish a new version), then run hostbot "
        "doctor again",
        "zh": "为 {platform} 应用开通权限 {scope}（Slack：在 App Manifest 中重新粘贴 manifest.yaml 后重新安装应用；"
        "飞书：在“权限管理”中开通后发布新版本），然后再运行 hostbot doctor",
    },
    "doctor_fix_admin_group": {
        "en": "check the id in HOSTBOT_ADMINS ({group}): a Slack user group (S… or @handle), a Feishu group chat "
        "the bot is in (oc_…) or a Feishu department (od-…) within the app's contact range",
        "zh": "检查 HOSTBOT_ADMINS 中的 {group}：Slack 用户组（S… 或 @handle）、机器人所在的飞书群（oc_…），"
        "或应用通讯录权限范围内的飞书部门（od-…）",
    },
}
