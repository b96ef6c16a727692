"""Messages of the conversation itself: help, people, meetings, set_host, buttons, console."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- generic -------------------------------------------------------------------------
    "help_title": {"en": "hostbot · what to say", "zh": "hostbot · 可以这样说"},
    "help_intro": {
        "en": "I change who hosts a meeting. Try:",
        "zh": "我可以更换会议主持人。试试：",
    },
    "not_understood": {
        "en": "Sorry, I didn't understand “{text}”.",
        "zh": "抱歉，我没看懂“{text}”。",
    },
    "not_understood_closest": {"en": "Closest to what I can do:", "zh": "我能做的事里最接近的是："},
    "not_understood_more": {
        "en": "Say “help” for everything I can do.",
        "zh": "发送“帮助”查看我能做的全部事情。",
    },
    "internal_error": {
        "en": "Something went wrong on my side; nothing was changed. Please try again.",
        "zh": "我这边出了点问题，没有做任何更改。请再试一次。",
    },
    "button_retry": {"en": "Retry", "zh": "重试"},
    "button_cancel": {"en": "Cancel", "zh": "取消"},
    "button_confirm": {"en": "Confirm", "zh": "确认"},
    "choice_expired": {
        "en": "This request has expired; nothing was done. Ask again if you still want it.",
        "zh": "这个请求已过期，没有执行任何操作。如仍需要，请重新发起。",
    },
    "choice_not_yours": {
        "en": "Only {owner} can use this button.",
        "zh": "只有 {owner} 可以使用这个按钮。",
    },
    "cancelled": {"en": "Cancelled; nothing was changed.", "zh": "已取消，没有做任何更改。"},
    # ---- people --------------------------------------------------------------------------
    "unknown_user": {
        "en": "I don't know who {who} is. An admin can add them with `hostbot users set`.",
        "zh": "我不知道 {who} 是谁。管理员可以用 `hostbot users set` 添加。",
    },
    "ambiguous_user": {
        "en": "{who} could be several people: {candidates}. Please @mention the one you mean.",
        "zh": "{who} 可能是以下几个人：{candidates}。请 @ 你指的那一位。",
    },
    "no_vendor_id": {
        "en": "I know {who}, but not their {vendor} account. An admin can add it with "
        "`hostbot users set {chat_user} {vendor}=<id>`.",
        "zh": "我认识 {who}，但不知道其 {vendor} 账号。管理员可以用 "
        "`hostbot users set {chat_user} {vendor}=<id>` 添加。",
    },
    "need_target": {
        "en": "Who should become host? For example: “make @alice host of meeting 123456789”.",
        "zh": "要把谁设为主持人？例如：“把 @alice 设为主持人 123456789”。",
    },
    # ---- meetings ------------------------------------------------------------------------
    "need_meeting": {
        "en": "Which meeting? Give its number or link, e.g. “make @alice host of meeting 123456789”.",
        "zh": "是哪个会议？请给出会议号或链接，例如“把 @alice 设为主持人 123456789”。",
    },
    "linked_other_vendor": {
        "en": "You named a {named} meeting, but the meeting linked here is a {linked} meeting, so I left it "
              "alone. Give the {named} meeting's number or link.",
        "zh": "您说的是{named}会议，但这里绑定的是{linked}会议，所以我没有动它。请给出该{named}会议的会议号或链接。",
    },
    "which_vendor": {
        "en": "Meeting {meeting} could be on {vendors}. Say which, e.g. “feishu meeting {meeting}”.",
        "zh": "会议 {meeting} 可能属于 {vendors}。请说明是哪个，例如“飞书会议 {meeting}”。",
    },
    "vendor_not_configured": {
        "en": "{vendor} is not set up here, so I can't change hosts there. An admin must configure it.",
        "zh": "这里还没有配置{vendor}，无法更换主持人。请管理员先完成配置。",
    },
    "meeting_no_match": {
        "en": "I found no {vendor} meeting with number {meeting} in the last 24 hours.",
        "zh": "过去 24 小时内没有找到会议号为 {meeting} 的{vendor}会议。",
    },
    "meeting_several_matches": {
        "en": "Number {meeting} matches {count} {vendor} meetings: {candidates}. Use the meeting id instead.",
        "zh": "会议号 {meeting} 对应 {count} 个{vendor}会议：{candidates}。请改用会议 ID。",
    },
    # ---- set_host ------------------------------------------------------------------------
    "set_host_done": {
        "en": "✅ {target} is now host of {vendor} meeting {meeting}.",
        "zh": "✅ 已将 {target} 设为{vendor}会议 {meeting} 的主持人。",
    },
    "already_host": {
        "en": "{target} is already host of {vendor} meeting {meeting}; nothing to do.",
        "zh": "{target} 已经是{vendor}会议 {meeting} 的主持人，无需操作。",
    },
    "set_host_failed": {
        "en": "❌ Could not make {target} host of {vendor} meeting {meeting}: {reason}",
        "zh": "❌ 未能将 {target} 设为{vendor}会议 {meeting} 的主持人：{reason}",
    },
    "host_changed": {
        "en": "⚠️ The host of {vendor} meeting {meeting} changed meanwhile: it is now {current}. "
        "Retry with {current} as the current host?",
        "zh": "⚠️ {vendor}会议 {meeting} 的主持人刚刚变了，现在是 {current}。要以 {current} 为当前主持人重试吗？",
    },
    "remedy_prefix": {"en": "What to do: {remedy}", "zh": "建议：{remedy}"},
    "console_choose": {
        "en": "Reply with a number to choose.",
        "zh": "回复数字进行选择。",
    },
    "console_bad_choice": {
        "en": "There is no choice {n} right now.",
        "zh": "当前没有选项 {n}。",
    },}
