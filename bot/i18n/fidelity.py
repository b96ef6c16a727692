"""Messages of issue 17 (vendor fidelity): lost answers, Feishu invite's own errors, Webex sites and
tokens, DingTalk's silent refusals, what a Webex reassignment does, ended meetings."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- a change whose answer was lost (bot/vendors/calls.py) -------------------------------------
    "vendor_answer_lost": {
        "en": "{vendor} received the change but its answer was lost on the way back, and reading the meeting "
        "back did not tell whether it happened.",
        "zh": "{vendor}收到了变更请求，但响应在返回途中丢失，回读会议状态也无法确定是否已生效。",
    },
    "remedy_check_then_retry": {
        "en": "check the meeting in the {vendor} app before asking again (asking again blindly could do it twice).",
        "zh": "请先在{vendor}客户端中查看会议，再决定是否重试（盲目重试可能会重复操作）。",
    },
    "first_answer_lost": {"en": "{vendor}'s first answer was lost on the way back",
                          "zh": "{vendor}的第一次响应在返回途中丢失"},
    "first_answer_error": {"en": "{vendor} answered the first request with a server error (HTTP {status})",
                           "zh": "{vendor}对第一次请求返回了服务器错误（HTTP {status}）"},
    "answer_lost_verified": {
        "en": "({first}; I read the meeting back: the change had gone through, so nothing was sent twice.)",
        "zh": "（{first}；回读会议后确认变更已生效，因此没有重复发送。）",
    },
    "answer_lost_resent_one": {
        "en": "({first}; I read the meeting back: the change had not happened, so I sent it once more.)",
        "zh": "（{first}；回读会议后发现变更未生效，因此重新发送了一次。）",
    },
    "answer_lost_resent": {
        "en": "({first}; I read the state back and sent again only the {count} changes that had not happened.)",
        "zh": "（{first}；回读状态后，只重新发送了尚未生效的 {count} 项变更。）",
    },
    # ---- Feishu set_host ---------------------------------------------------------------------------
    "feishu_host_not_target": {
        "en": "{vendor} accepted the request but reports someone else as host.",
        "zh": "{vendor}接受了请求，但报告的主持人是其他人。",
    },
    # ---- Feishu invite (vendor-docs/feishu-vc-invite.md: its own table) ------------------------------
    "invite_meeting_not_running": {
        "en": "the meeting is not in progress (not started, or already over), so nobody can be called into it.",
        "zh": "会议不在进行中（尚未开始或已结束），无法呼叫他人入会。",
    },
    "remedy_invite_when_running": {
        "en": "ask again once the meeting has started.",
        "zh": "请在会议开始后再邀请。",
    },
    "invite_not_supported": {
        "en": "{vendor} does not support inviting into this meeting (e.g. a meeting type or invitee the API "
        "cannot call).",
        "zh": "{vendor}不支持向该会议发出邀请（例如接口无法呼叫该类会议或该类用户）。",
    },
    "remedy_invite_in_client": {
        "en": "invite them from the {vendor} meeting window instead.",
        "zh": "请改在{vendor}会议窗口中邀请。",
    },
    "invite_no_permission": {
        "en": "{vendor} says you may not invite into this meeting.",
        "zh": "{vendor}表示你无权邀请他人加入该会议。",
    },
    "remedy_feishu_invite_permission": {
        "en": "the meeting must belong to this tenant and you must be in it.",
        "zh": "会议需属于本企业且你需在会中。",
    },
    "remedy_feishu_invite_permission_admin": {
        "en": "grant the app the `vc:meeting` scope.",
        "zh": "为应用开通 `vc:meeting` 权限。",
    },
    "invite_self": {
        "en": "you cannot invite yourself.",
        "zh": "不能邀请自己。",
    },
    "remedy_invite_someone_else": {
        "en": "name the people to call, not yourself.",
        "zh": "请指定要呼叫的其他人。",
    },
    # ---- Webex -----------------------------------------------------------------------------------
    "webex_token_not_admin": {
        "en": "{vendor} refused hostbot's token: it is not a Webex admin's (it lacks the admin scopes or role).",
        "zh": "{vendor}拒绝了 hostbot 的令牌：它不属于 Webex 管理员（缺少管理员权限范围或角色）。",
    },
    "remedy_webex_admin_token": {
        "en": "nothing on your side or {target}'s: an admin must change hostbot's Webex token.",
        "zh": "你和 {target} 都无需操作：需由管理员更换 hostbot 的 Webex 令牌。",
    },
    "remedy_webex_admin_token_admin": {
        "en": "set WEBEX_TOKEN to a full or meeting admin's token (an integration or Service App authorized by an "
        "admin).",
        "zh": "把 WEBEX_TOKEN 换成完全管理员或会议管理员的令牌（由管理员授权的集成或 Service App）。",
    },
    "webex_third_party_meeting": {
        "en": "the meeting was scheduled from Outlook or Google (a third-party integration); Webex cannot reassign "
        "such meetings.",
        "zh": "该会议是通过 Outlook 或 Google（第三方集成）预约的，Webex 无法转移这类会议。",
    },
    "remedy_webex_third_party": {
        "en": "change the organizer in Outlook or Google Calendar, or ask the host to schedule a new Webex meeting "
        "for {target}.",
        "zh": "请在 Outlook 或 Google 日历中更换组织者，或请主持人为 {target} 重新预约 Webex 会议。",
    },
    "webex_reassign_effects": {
        "en": "Webex moves the whole series: every future occurrence of {meeting} goes to {target}. The old host "
        "gets a cancellation email, and occurrences that already ended stay with the old host.",
        "zh": "Webex 会转移整个系列：{meeting} 之后的每一次会议都归 {target} 主持。原主持人会收到取消邮件，"
        "已结束的会议仍归原主持人。",
    },
    # ---- DingTalk ---------------------------------------------------------------------------------
    "dingtalk_success_false": {
        "en": "{vendor} answered without an error code but said the change did not succeed (success: false).",
        "zh": "{vendor}没有返回错误码，但表示变更未成功（success: false）。",
    },
    "remedy_dingtalk_success_false": {
        "en": "check that the conference is running and that {targets} belong to this organisation, then try again; "
        "if it keeps failing, an admin should report the request id to DingTalk.",
        "zh": "请确认会议正在进行、{targets} 属于本组织后重试；如持续失败，请管理员把请求 ID 反馈给钉钉。",
    },
    "dingtalk_conference_not_started": {
        "en": "the {vendor} conference has not started yet; co-hosts can only be set while it runs.",
        "zh": "{vendor}会议尚未开始，只能在会议进行中设置联席主持人。",
    },
    "remedy_dingtalk_when_running": {
        "en": "ask again once the conference has started.",
        "zh": "请在会议开始后再试。",
    },
    "dingtalk_conference_ended": {
        "en": "the {vendor} conference has ended.",
        "zh": "{vendor}会议已结束。",
    },
    # ---- Zoom ------------------------------------------------------------------------------------
    "zoom_cohost_offer": {
        "en": "{vendor} will not make {target} host of meeting {meeting}. Make {target} a co-host "
        "(alternative host) instead? That needs nobody's permission.",
        "zh": "{vendor}无法把 {target} 设为会议 {meeting} 的主持人。要改为把 {target} 设为联席主持人（备选主持人）吗？"
        "这不需要任何人授权。",
    },
    # ---- who is host -----------------------------------------------------------------------------
    "who_meeting_ended": {
        "en": "{vendor} meeting {meeting} has ended; its host was {host}.",
        "zh": "{vendor}会议 {meeting} 已结束；主持人是 {host}。",
    },
}
