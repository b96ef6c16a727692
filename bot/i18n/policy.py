"""Messages of the policy layer: confirmations, approval requests, refusals."""

CATALOG: dict[str, dict[str, str]] = {
    "policy_confirm_question": {
        "en": "Go ahead?",
        "zh": "确定执行吗？",
    },
    "policy_approval_request": {
        "en": "{host}, {requester} asks: {summary} Only you, as the current host, can approve.",
        "zh": "{host}，{requester} 请求：{summary}只有你（当前主持人）可以批准。",
    },
    "policy_host_unmapped": {
        "en": "Only the meeting's host, its organizer or a hostbot admin can do this, and I can't find the "
        "current host ({host}) on {platform} to ask them. Ask them or an admin; an admin can map them with "
        "`hostbot users set THEIR_CHAT_ID {field}={id}`.",
        "zh": "只有会议主持人、组织者或 hostbot 管理员可以执行此操作，"
        "而我在{platform}上找不到当前主持人（{host}）来征求同意。请直接联系主持人或管理员；"
        "管理员可以用 `hostbot users set 对方的聊天ID {field}={id}` 为其建立映射。",
    },
    "policy_host_unreachable": {
        "en": "Only the meeting's host, its organizer or a hostbot admin can do this, and I can't reach "
        "the current host ({host}) to ask. Ask them or an admin.",
        "zh": "只有会议主持人、组织者或 hostbot 管理员可以执行此操作，而我无法联系当前主持人（{host}）征求同意。"
        "请直接联系主持人或管理员。",
    },
    "policy_reassign_admin_only": {
        "en": "Only hostbot admins can reassign somebody else's meetings. Ask an admin (HOSTBOT_ADMINS).",
        "zh": "只有 hostbot 管理员可以转移他人的会议。请联系管理员（HOSTBOT_ADMINS）。",
    },
    "policy_declined": {
        "en": "{who} declined; nothing was changed.",
        "zh": "{who} 拒绝了请求，没有做任何更改。",
    },
    "button_approve": {"en": "Approve", "zh": "批准"},
    "button_decline": {"en": "Decline", "zh": "拒绝"},
    "summary_set_host": {
        "en": "{target} becomes host of {vendor} meeting {meeting}; {loser} stops being host.",
        "zh": "{target} 将成为{vendor}会议 {meeting} 的主持人；{loser} 将不再是主持人。",
    },
    "summary_set_host_you": {
        "en": "{target} becomes host of {vendor} meeting {meeting}; you stop being host.",
        "zh": "{target} 将成为{vendor}会议 {meeting} 的主持人；你将不再是主持人。",
    },
    "choice_only_owner_confirm": {
        "en": "Only {owner} can confirm this.",
        "zh": "只有 {owner} 可以确认此操作。",
    },
    "choice_only_owner_approve": {
        "en": "Only {owner} can approve this.",
        "zh": "只有 {owner} 可以批准此请求。",
    },
    "choice_used": {
        "en": "This was already answered; nothing was done again.",
        "zh": "这个请求已经处理过了，不会重复执行。",
    },
    # ---- a click after the world moved (bot/core/model/bound.py) --------------------------------------
    "changed_since_asked": {
        "en": "⚠️ Changed since you were asked; nothing was done:\n{changes}",
        "zh": "⚠️ 在征求确认之后情况有变，没有执行任何操作：\n{changes}",
    },
    "changed_plan": {
        "en": "the request no longer gives the change that was shown",
        "zh": "这个请求现在得到的更改与当时展示的不同",
    },
    "changed_scope": {
        "en": "the {vendor} meetings to change are not the ones shown: {meetings}",
        "zh": "现在需要更改的{vendor}会议与当时列出的不同：{meetings}",
    },
    "changed_host": {
        "en": "the host of {vendor} meeting {meeting} is now {now} (was {was})",
        "zh": "{vendor}会议 {meeting} 的主持人现在是 {now}（当时是 {was}）",
    },
    "changed_targets": {
        "en": "the {vendor} accounts of the people named are not the ones shown",
        "zh": "所提到的人的{vendor}账号与当时展示的不同",
    },
    "changed_cohosts": {
        "en": "the co-hosts of {vendor} meeting {meeting} are now {now} (were {was})",
        "zh": "{vendor}会议 {meeting} 的联席主持人现在是 {now}（当时是 {was}）",
    },
    "changed_nobody": {"en": "nobody", "zh": "无人"},
}
