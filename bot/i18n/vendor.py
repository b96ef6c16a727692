"""Messages that explain vendor answers: each Outcome reason and remedy, and vendor names."""

# Remedies only an admin can carry out: the requester is told to ask one (remedy_ask_admin) and the
# admin's steps are set apart ("For an admin: …"). A remedy with a part for each has a `<key>_admin`.
ADMIN_REMEDIES = frozenset({
    "remedy_feishu_permission", "remedy_feishu_credentials", "remedy_dingtalk_union_id", "remedy_dingtalk_permission",
    "remedy_dingtalk_credentials", "remedy_webex_host_privileges", "remedy_webex_token", "remedy_zoom_app_scopes",
    "remedy_check_zoom_email", "remedy_zoom_license", "remedy_zoom_credentials",
})

CATALOG: dict[str, dict[str, str]] = {
    "vendor_unavailable": {
        "en": "{vendor} had an internal error or did not answer in time.",
        "zh": "{vendor}内部出错或没有及时响应。",
    },
    "meeting_busy": {
        "en": "another change to this {vendor} meeting was still running, so this one was not sent.",
        "zh": "这个{vendor}会议的另一项更改仍在进行，本次更改未发送。",
    },
    "remedy_ask_admin": {
        "en": "ask a hostbot admin to fix this (below), then try again.",
        "zh": "请 hostbot 管理员处理（见下），然后再试。",
    },
    "remedy_admin_prefix": {"en": "For an admin: {remedy}", "zh": "管理员须知：{remedy}"},
    "vendor_said": {"en": "{vendor} said: “{detail}”.", "zh": "{vendor}返回：“{detail}”。"},
    "remedy_retry_later": {
        "en": "try again in a minute; if it keeps failing, tell an admin.",
        "zh": "请稍后再试；如持续失败，请联系管理员。",
    },
    "rate_limited": {
        "en": "{vendor} is rate-limiting us; retry in {seconds} s.",
        "zh": "{vendor}限流中，请 {seconds} 秒后重试。",
    },
    "not_supported": {
        "en": "{vendor} does not support this for this meeting.",
        "zh": "{vendor}暂不支持对该会议进行此操作。",
    },
    "param_error": {
        "en": "{vendor} rejected the request as malformed.",
        "zh": "{vendor}认为请求参数有误。",
    },
    "remedy_report_bug": {
        "en": "check the meeting id and the person; if they are right, report this to the hostbot admins.",
        "zh": "请核对会议 ID 和人员；如无误，请反馈给 hostbot 管理员。",
    },
    "no_permission": {
        "en": "{vendor} says hostbot may not do this for this meeting.",
        "zh": "{vendor}表示 hostbot 无权对该会议执行此操作。",
    },
    "remedy_feishu_permission": {
        "en": "grant the app the `vc:meeting` scope, and check that the meeting belongs to this tenant.",
        "zh": "为应用开通 `vc:meeting` 权限，并确认该会议属于本企业。",
    },
    "meeting_not_in_progress": {
        "en": "the meeting is not in progress (not started yet, or already ended).",
        "zh": "会议不在进行中（尚未开始或已结束）。",
    },
    "remedy_start_meeting": {
        "en": "the host can only be changed while the meeting is running.",
        "zh": "只能在会议进行中更换主持人。",
    },
    "meeting_not_found_anywhere": {
        "en": "there is no meeting {meeting} at {vendors}.",
        "zh": "在{vendors}都找不到会议 {meeting}。",
    },
    "meeting_not_found": {
        "en": "the meeting does not exist at {vendor}.",
        "zh": "{vendor}上不存在该会议。",
    },
    "remedy_check_meeting": {
        "en": "check the meeting number or link.",
        "zh": "请核对会议号或链接。",
    },
    "operator_not_in_meeting": {
        "en": "the one making the change must be in the meeting.",
        "zh": "执行操作的人必须在会中。",
    },
    "remedy_join_meeting": {
        "en": "join the meeting, then ask again.",
        "zh": "请先加入会议，然后再试。",
    },
    "target_not_in_meeting": {
        "en": "{target} is not in the meeting.",
        "zh": "{target} 不在会中。",
    },
    "remedy_target_join": {
        "en": "ask {target} to join the meeting first, then retry.",
        "zh": "请 {target} 先加入会议，然后重试。",
    },
    "cannot_operate_self": {
        "en": "a participant cannot do this to themselves.",
        "zh": "用户不能对自己执行此操作。",
    },
    "remedy_other_person": {
        "en": "pick somebody else, or ask the current host to do it.",
        "zh": "请选择其他人，或请当前主持人操作。",
    },
    "participant_status": {
        "en": "{target} is not in a state that allows this (e.g. still joining, or in the lobby).",
        "zh": "{target} 当前状态不允许此操作（例如正在入会或在等候室）。",
    },
    "remedy_wait_and_retry": {
        "en": "wait until {target} has fully joined, then retry.",
        "zh": "请等 {target} 完全入会后重试。",
    },
    "vendor_error_unknown": {
        "en": "{vendor} answered with an error I don't know (code {code}).",
        "zh": "{vendor}返回了未知错误（错误码 {code}）。",
    },
    "some_items_failed": {
        "en": "some items failed.",
        "zh": "部分条目失败。",
    },
    "vendor_feishu": {"en": "Feishu", "zh": "飞书"},
    "vendor_dingtalk": {"en": "DingTalk", "zh": "钉钉"},
    "vendor_webex": {"en": "Webex", "zh": "Webex"},
    "vendor_zoom": {"en": "Zoom", "zh": "Zoom"},
    "vendor_timeout": {
        "en": "{vendor} did not answer in time.",
        "zh": "{vendor}没有及时响应。",
    },
    "vendor_credentials_rejected": {
        "en": "{vendor} rejected hostbot's app credentials.",
        "zh": "{vendor}拒绝了 hostbot 的应用凭证。",
    },
    "remedy_feishu_credentials": {
        "en": "check FEISHU_APP_ID and FEISHU_APP_SECRET (run `hostbot doctor`).",
        "zh": "检查 FEISHU_APP_ID 和 FEISHU_APP_SECRET（可运行 `hostbot doctor`）。",
    },
    "remedy_change_in_client": {
        "en": "this person or meeting cannot take the host role through the API (e.g. a Rooms device); "
        "pick a Feishu user, or change the host in the Feishu client.",
        "zh": "该用户或会议无法通过接口成为主持人（例如 Rooms 设备）；请选择飞书用户，或在飞书客户端中更换。",
    },
}
