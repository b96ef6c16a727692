"""Messages of admins named by group (doctor) and of "this meeting" found at the vendors."""

CATALOG: dict[str, dict[str, str]] = {
    "doctor_what_admin_group": {
        "en": "HOSTBOT_ADMINS group {group} can be read",
        "zh": "可以读取 HOSTBOT_ADMINS 中的群组 {group}",
    },
    "admin_group_says": {"en": "{platform} says {what}", "zh": "{platform} 返回 {what}"},
    "admin_group_unanswered": {"en": "{platform} did not answer ({what})", "zh": "{platform} 没有应答（{what}）"},
    "admin_group_no_handle": {"en": "Slack has no user group @{handle}", "zh": "Slack 没有用户组 @{handle}"},
    "admin_group_not_configured": {"en": "{platform} is not configured", "zh": "未配置 {platform}"},
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
    "running_found": {
        "en": "{vendor} meeting {meeting} “{topic}”, which you are hosting now:",
        "zh": "你正在主持的{vendor}会议 {meeting}“{topic}”：",
    },
    "running_none": {
        "en": "Which meeting? You are not hosting a meeting right now that I can see (I looked at {vendors}), and "
        "nothing is linked here. Name it by number or link, e.g. “make @alice host of meeting 123456789”, or "
        "link this channel first: “link this channel to meeting 123456789”.",
        "zh": "是哪个会议？我没有看到你正在主持的会议（查看了{vendors}），这里也没有关联会议。请给出会议号或链接，"
        "例如“把 @alice 设为主持人 123456789”，或先关联本频道：“绑定会议 123456789”。",
    },
    "running_none_failed": {
        "en": "Which meeting? You are not hosting a meeting right now that I can see (I looked at {vendors}; "
        "{failed} did not answer, so I may have missed one there), and nothing is linked here. Name it by number "
        "or link, e.g. “make @alice host of meeting 123456789”.",
        "zh": "是哪个会议？我没有看到你正在主持的会议（查看了{vendors}；{failed}没有应答，可能漏掉了那里的会议），"
        "这里也没有关联会议。请给出会议号或链接，例如“把 @alice 设为主持人 123456789”。",
    },
    "running_several": {
        "en": "You are hosting {count} meetings right now. Which one do you mean?",
        "zh": "你现在正在主持 {count} 个会议。你指的是哪一个？",
    },
    "running_several_failed": {
        "en": "You are hosting {count} meeting(s) right now that I can see ({failed} did not answer, so there may "
        "be another). Which one do you mean? If it is none of these, name it by number or link.",
        "zh": "我看到你现在正在主持 {count} 个会议（{failed}没有应答，可能还有别的）。你指的是哪一个？"
        "如果都不是，请给出会议号或链接。",
    },
    "button_pick": {"en": "This one", "zh": "就是这个"},
}
