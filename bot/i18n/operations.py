"""Messages of the vendor operations beyond set_host: co-hosts, invite, reassign, who is host,
and the reasons and remedies of the DingTalk, Webex, Zoom and Feishu-invite answers."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- operations a vendor may lack ------------------------------------------------------
    "op_not_supported": {
        "en": "{vendor} has no API for {op}.",
        "zh": "{vendor}没有提供{op}的接口。",
    },
    "remedy_op_in_client": {
        "en": "do it in the {vendor} app instead.",
        "zh": "请改在{vendor}客户端中操作。",
    },
    "op_set_host": {"en": "changing the host", "zh": "更换主持人"},
    "op_add_cohost": {"en": "adding co-hosts", "zh": "添加联席主持人"},
    "op_remove_cohost": {"en": "removing co-hosts", "zh": "移除联席主持人"},
    "op_invite": {"en": "inviting people into a meeting", "zh": "邀请人员入会"},
    "op_reassign": {"en": "reassigning meetings to another host", "zh": "把会议转给其他主持人"},
    "op_who_is_host": {"en": "telling who hosts a meeting", "zh": "查询会议主持人"},
    "op_list_host_meetings": {"en": "listing somebody's meetings", "zh": "列出某人的会议"},
    "dingtalk_cohost_only": {
        "en": "{vendor} cannot transfer the host role through its API; it only supports co-hosts. "
        "Make {target} a co-host of {vendor} meeting {meeting} instead?",
        "zh": "{vendor}的接口不支持转移主持人，只支持设置联席主持人。"
        "要改为把 {target} 设为{vendor}会议 {meeting} 的联席主持人吗？",
    },
    "button_add_cohost": {"en": "Add as co-host", "zh": "设为联席主持人"},
    # ---- asking for what is missing ----------------------------------------------------------
    "need_cohost_target": {
        "en": "Who should be co-host? For example: “make @bob co-host of meeting 123456789”.",
        "zh": "要把谁设为联席主持人？例如：“把 @bob 设为联席主持人 123456789”。",
    },
    "need_cohost_removal_target": {
        "en": "Who should stop being co-host? For example: “remove @bob as co-host of meeting 123456789”.",
        "zh": "要取消谁的联席主持人？例如：“取消 @bob 的联席主持人 123456789”。",
    },
    "need_invitee": {
        "en": "Whom should I invite? For example: “invite @bob to meeting 123456789”.",
        "zh": "要邀请谁？例如：“邀请 @bob 加入会议 123456789”。",
    },
    "need_reassign_target": {
        "en": "Who should get the meetings? For example: “reassign @dave's meetings to @erin”.",
        "zh": "要把会议转给谁？例如：“把 @dave 的所有会议转给 @erin”。",
    },
    "need_reassign_source": {
        "en": "Whose meetings? For example: “reassign @dave's meetings to @erin”.",
        "zh": "是谁的会议？例如：“把 @dave 的所有会议转给 @erin”。",
    },
    # ---- summaries (what will happen, shown before confirming or to the approving host) -------
    "summary_add_cohost": {
        "en": "Make {targets} co-host of {vendor} meeting {meeting}.",
        "zh": "{targets} 将成为{vendor}会议 {meeting} 的联席主持人。",
    },
    "summary_remove_cohost": {
        "en": "Remove {targets} as co-host of {vendor} meeting {meeting}.",
        "zh": "{targets} 将不再是{vendor}会议 {meeting} 的联席主持人。",
    },
    "summary_invite": {
        "en": "{vendor} calls {targets} into meeting {meeting}.",
        "zh": "{vendor}将呼叫 {targets} 加入会议 {meeting}。",
    },
    "summary_reassign": {
        "en": "{count} {vendor} meeting series of {source} move to {target}: {titles}. {source} gets a "
        "cancellation email for each.",
        "zh": "{source} 的 {count} 个{vendor}系列会议将转给 {target}：{titles}。{source} 会收到每个会议的取消邮件。",
    },
    # ---- co-hosts ------------------------------------------------------------------------------
    "cohost_added": {
        "en": "✅ Made {targets} co-host of {vendor} meeting {meeting}.",
        "zh": "✅ 已将 {targets} 设为{vendor}会议 {meeting} 的联席主持人。",
    },
    "cohost_already": {
        "en": "Already co-host of {vendor} meeting {meeting}: {targets}; nothing to do.",
        "zh": "{targets} 已经是{vendor}会议 {meeting} 的联席主持人，无需操作。",
    },
    "cohost_removed": {
        "en": "✅ Removed {targets} as co-host of {vendor} meeting {meeting}.",
        "zh": "✅ {targets} 已不再是{vendor}会议 {meeting} 的联席主持人。",
    },
    "cohost_not_there": {
        "en": "Not co-host of {vendor} meeting {meeting}: {targets}; nothing to do.",
        "zh": "{targets} 本来就不是{vendor}会议 {meeting} 的联席主持人，无需操作。",
    },
    "cohost_add_failed": {
        "en": "❌ Could not make {targets} co-host of {vendor} meeting {meeting}: {reason}",
        "zh": "❌ 未能将 {targets} 设为{vendor}会议 {meeting} 的联席主持人：{reason}",
    },
    "cohost_remove_failed": {
        "en": "❌ Could not remove {targets} as co-host of {vendor} meeting {meeting}: {reason}",
        "zh": "❌ 未能取消 {targets} 在{vendor}会议 {meeting} 的联席主持人：{reason}",
    },
    "cohost_list": {"en": "Co-hosts now: {cohosts}.", "zh": "当前联席主持人：{cohosts}。"},
    "cohost_not_held_added": {
        "en": "⚠️ Read back afterwards, {vendor} does not list {names} as co-host: somebody changed the list "
        "meanwhile. Ask again to add them.",
        "zh": "⚠️ 事后读取，{vendor}的联席主持人中没有 {names}：其间有人改动了名单。请重新发起添加。",
    },
    "cohost_not_held_removed": {
        "en": "⚠️ Read back afterwards, {vendor} still lists {names} as co-host: somebody changed the list "
        "meanwhile. Ask again to remove them.",
        "zh": "⚠️ 事后读取，{vendor}的联席主持人中仍有 {names}：其间有人改动了名单。请重新发起移除。",
    },
    # ---- invite ---------------------------------------------------------------------------------
    "invite_done": {
        "en": "✅ Invited {targets} to {vendor} meeting {meeting}; {vendor} is calling them.",
        "zh": "✅ 已邀请 {targets} 加入{vendor}会议 {meeting}，{vendor}正在呼叫。",
    },
    "invite_partial": {
        "en": "⚠️ Invited {ok} of {total} to {vendor} meeting {meeting}.\n{failures}",
        "zh": "⚠️ 已邀请 {total} 人中的 {ok} 人加入{vendor}会议 {meeting}。\n{failures}",
    },
    "invite_failed_reply": {
        "en": "❌ Could not invite {targets} to {vendor} meeting {meeting}: {reason}",
        "zh": "❌ 未能邀请 {targets} 加入{vendor}会议 {meeting}：{reason}",
    },
    # ---- reassign ---------------------------------------------------------------------------------
    "titles_and_more": {"en": "{titles} and {count} more", "zh": "{titles} 等另外 {count} 个"},
    "reassign_done": {
        "en": "✅ {target} now hosts {count} {vendor} meeting series of {source}.",
        "zh": "✅ {source} 的 {count} 个{vendor}系列会议已转给 {target}。",
    },
    "reassign_partial": {
        "en": "⚠️ Reassigned {ok} of {total} {vendor} meeting series of {source} to {target}.\n{failures}",
        "zh": "⚠️ {source} 的 {total} 个{vendor}系列会议中，已有 {ok} 个转给 {target}。\n{failures}",
    },
    "reassign_failed": {
        "en": "❌ Could not reassign {source}'s {vendor} meetings to {target}: {reason}",
        "zh": "❌ 未能把 {source} 的{vendor}会议转给 {target}：{reason}",
    },
    "reassign_nothing": {
        "en": "{source} has no {vendor} meeting series to reassign.",
        "zh": "{source} 没有可转移的{vendor}系列会议。",
    },
    "reassign_only_skipped": {
        "en": "Nothing was reassigned to {target}.\n{failures}",
        "zh": "没有会议转给 {target}。\n{failures}",
    },
    "reassign_no_vendor": {
        "en": "None of the vendors set up here can reassign meetings in bulk (Webex can).",
        "zh": "这里配置的服务商都不支持批量转移会议（Webex 支持）。",
    },
    "reassign_which_vendor": {
        "en": "Which vendor's meetings: {vendors}? Say e.g. “reassign @dave's webex meetings to @erin”.",
        "zh": "是哪个服务商的会议：{vendors}？例如“把 @dave 的所有 webex 会议转给 @erin”。",
    },
    "reassign_mixed": {
        "en": "Those meetings are on different vendors; reassign them one vendor at a time.",
        "zh": "这些会议属于不同的服务商，请按服务商分别转移。",
    },
    "skipped_in_progress": {
        "en": "in progress now; reassign it after it ends.",
        "zh": "正在进行中，请在会议结束后再转移。",
    },
    "items_failed_meetings": {
        "en": "{failed} of {total} meetings failed:",
        "zh": "{total} 个会议中有 {failed} 个失败：",
    },
    "items_skipped_meetings": {
        "en": "Skipped {count} (left as they are):",
        "zh": "跳过 {count} 个（保持不变）：",
    },
    "items_failed_invitees": {
        "en": "{failed} of {total} could not be invited:",
        "zh": "{total} 人中有 {failed} 人未能邀请：",
    },
    "items_skipped_invitees": {
        "en": "Skipped {count}:",
        "zh": "跳过 {count} 人：",
    },
    "items_more": {"en": "…and {count} more.", "zh": "……另有 {count} 个。"},
    # ---- who is host ---------------------------------------------------------------------------------
    "who_is_host_reply": {
        "en": "{vendor} meeting {meeting}: {host} is host.",
        "zh": "{vendor}会议 {meeting} 的主持人是 {host}。",
    },
    "who_is_host_creator": {
        "en": "{vendor} meeting {meeting} was started by {host}; {vendor} does not report later host changes "
        "or co-hosts.",
        "zh": "{vendor}会议 {meeting} 由 {host} 发起；{vendor}不提供之后的主持人变更和联席主持人信息。",
    },
    "who_no_host": {
        "en": "{vendor} does not say who hosts meeting {meeting} right now.",
        "zh": "{vendor}没有返回会议 {meeting} 当前的主持人。",
    },
    "who_cohosts": {"en": "Co-hosts: {cohosts}.", "zh": "联席主持人：{cohosts}。"},
    "who_organizer": {
        "en": "Scheduled by {organizer} on the host's behalf.",
        "zh": "由 {organizer} 代主持人预约。",
    },
    "who_failed": {
        "en": "❌ Could not tell who hosts {vendor} meeting {meeting}: {reason}",
        "zh": "❌ 无法查询{vendor}会议 {meeting} 的主持人：{reason}",
    },
    "vendor_refused": {"en": "{vendor} refused: {detail}", "zh": "{vendor}拒绝了请求：{detail}"},
    # ---- Feishu invite ----------------------------------------------------------------------------
    "feishu_user_token_missing": {
        "en": "Feishu lets only a person, not an app, invite people, and you have not authorized hostbot to "
        "invite on your behalf yet.",
        "zh": "飞书只允许用户本人（而非应用）邀请参会人，而你还没有授权 hostbot 代你邀请。",
    },
    "feishu_user_token_expired": {
        "en": "your authorization of hostbot in Feishu has expired or was revoked.",
        "zh": "你在飞书中对 hostbot 的授权已过期或已被撤销。",
    },
    "remedy_authorize_hostbot": {
        "en": "authorize hostbot in Feishu (open hostbot's authorization link, or ask an admin for it), "
        "then ask again.",
        "zh": "请在飞书中授权 hostbot（打开 hostbot 的授权链接，或向管理员索取），然后重新发起。",
    },
    "inviter_not_in_meeting": {
        "en": "you must be in the meeting to invite people (Feishu invites on your behalf).",
        "zh": "你需要在会中才能邀请他人（飞书以你的身份发出邀请）。",
    },
    "invite_limit_reached": {
        "en": "the meeting has reached its participant limit.",
        "zh": "会议参会人数已达上限。",
    },
    "remedy_invite_limit": {
        "en": "ask someone to leave, or the host to raise the limit, then retry.",
        "zh": "请有人先离会，或请主持人提高人数上限，然后重试。",
    },
    "invite_callee_busy": {
        "en": "the person called is busy (in another call).",
        "zh": "被呼叫方正忙（在其他通话中）。",
    },
    "remedy_invite_busy": {
        "en": "try again when they are free.",
        "zh": "请等对方空闲后再试。",
    },
    "meeting_locked": {
        "en": "the meeting is locked.",
        "zh": "会议已被锁定。",
    },
    "remedy_unlock_meeting": {
        "en": "ask the host to unlock it in {vendor}, then retry.",
        "zh": "请主持人在{vendor}中解除锁定，然后重试。",
    },
    "invite_failed": {
        "en": "{vendor} could not call them.",
        "zh": "{vendor}未能呼叫该用户。",
    },
    # ---- DingTalk ---------------------------------------------------------------------------------
    "dingtalk_unknown_user": {
        "en": "{vendor} does not recognise the account (unionId) of {target} in this organisation.",
        "zh": "{vendor}在本组织中找不到 {target} 的账号（unionId）。",
    },
    "remedy_dingtalk_union_id": {
        "en": "check the DingTalk unionId with `hostbot users set <user> dingtalk=<unionId>`.",
        "zh": "用 `hostbot users set <用户> dingtalk=<unionId>` 核对钉钉 unionId。",
    },
    "dingtalk_params_error": {
        "en": "{vendor} rejected the request's parameters.",
        "zh": "{vendor}认为请求参数有误。",
    },
    "dingtalk_no_permission": {
        "en": "the {vendor} app lacks the VideoConference.Conference.Write permission.",
        "zh": "{vendor}应用缺少 VideoConference.Conference.Write 权限。",
    },
    "remedy_dingtalk_permission": {
        "en": "grant it to the app in the DingTalk developer console.",
        "zh": "在钉钉开发者后台为应用开通该权限。",
    },
    "remedy_dingtalk_credentials": {
        "en": "check DINGTALK_APP_KEY and DINGTALK_APP_SECRET.",
        "zh": "检查 DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET。",
    },
    # ---- Webex ------------------------------------------------------------------------------------
    "webex_host_not_qualified": {
        "en": "{target} is not qualified to host meetings on this Webex site.",
        "zh": "{target} 没有在该 Webex 站点主持会议的资格。",
    },
    "remedy_webex_host_privileges": {
        "en": "make {target} a Webex user with host privilege on the site who also has what these "
        "meetings need: calling/callback privileges if they use them, their session type, and a Meeting Center "
        "or Webinar licence for MC or Webinar meetings (Control Hub → Users).",
        "zh": "确认 {target} 是该站点有主持权限的 Webex 用户，并具备这些会议所需的条件：会议使用电话回拨时需有"
        "呼叫/回拨权限、对应的会议类型（session type）权限，MC 或网络研讨会需相应许可证（Control Hub → 用户）。",
    },
    "remedy_webex_item": {
        "en": "Webex cannot reassign in-progress meetings, TC/EC1.0/SC meetings, meetings created on someone's "
        "behalf, or to a host without the privileges they need.",
        "zh": "Webex 不能转移进行中的会议、TC/EC1.0/SC 会议、代他人创建的会议，也不能转给缺少相应权限的主持人。",
    },
    "remedy_webex_token": {
        "en": "check WEBEX_TOKEN: a Webex admin's token (integration or Service App) with the "
        "meeting admin scopes.",
        "zh": "检查 WEBEX_TOKEN：需要 Webex 管理员的令牌（集成或 Service App），并具备会议管理权限。",
    },
    "webex_conflict": {
        "en": "{vendor} reports a conflict with the meeting's current state.",
        "zh": "{vendor}报告与会议当前状态冲突。",
    },
    "webex_locked": {
        "en": "{vendor} has the meeting locked for the moment (retry in {seconds} s).",
        "zh": "{vendor}暂时锁定了该会议（请 {seconds} 秒后重试）。",
    },
    "webex_no_result": {
        "en": "{vendor} reported no result for this meeting.",
        "zh": "{vendor}没有返回该会议的结果。",
    },
    # ---- Zoom -------------------------------------------------------------------------------------
    "zoom_cannot_schedule_for": {
        "en": "{vendor} refused to schedule the meeting for {target}.",
        "zh": "{vendor}拒绝为 {target} 预约该会议。",
    },
    "remedy_zoom_scheduling_privilege": {
        "en": "you can make {target} a co-host (alternative host) instead, which needs nobody's permission. For a "
        "host change, {target} must first let {organizer} schedule for them (Zoom web: Settings → Meeting → "
        "Schedule privilege → add {organizer} as assistant), then ask again.",
        "zh": "你可以改为把 {target} 设为联席主持人（备选主持人），这不需要任何人授权。"
        "若要更换主持人，{target} 需先允许 {organizer} 为其预约"
        "（Zoom 网页：设置 → 会议 → 预约权限 → 把 {organizer} 添加为助理），然后再试。",
    },
    "remedy_zoom_scheduling_privilege_admin": {
        "en": "both accounts must be licensed, and only {organizer}, the user the meeting was created under, counts, "
        "not who calls the API.",
        "zh": "双方账号都需有许可证；只看创建该会议的用户 {organizer}，与调用接口的是谁无关。",
    },
    "zoom_cannot_access": {
        "en": "{vendor} won't let hostbot's app read or change this meeting.",
        "zh": "{vendor}不允许 hostbot 的应用读取或修改该会议。",
    },
    "remedy_zoom_app_scopes": {
        "en": "give the Server-to-Server OAuth app meeting:read:admin and meeting:write:admin, and check that the "
        "meeting belongs to this Zoom account.",
        "zh": "为 Server-to-Server OAuth 应用开通 meeting:read:admin 和 meeting:write:admin，并确认会议属于本 "
        "Zoom 账号。",
    },
    "zoom_instant_meeting": {
        "en": "{vendor} cannot move an instant meeting to another host.",
        "zh": "{vendor}无法把即时会议转给其他主持人。",
    },
    "remedy_zoom_cohost_instead": {
        "en": "make {target} a co-host instead, or pass host inside the meeting.",
        "zh": "可以改为把 {target} 设为联席主持人，或在会中移交主持人。",
    },
    "zoom_meeting_started": {
        "en": "the meeting has already started; {vendor} only changes the scheduled host before it starts.",
        "zh": "会议已经开始；{vendor}只能在会议开始前更换预约主持人。",
    },
    "remedy_zoom_in_meeting": {
        "en": "pass host inside the Zoom meeting (Participants → More → Make host).",
        "zh": "请在 Zoom 会中移交主持人（参会者 → 更多 → 设为主持人）。",
    },
    "zoom_meeting_not_found": {
        "en": "the meeting does not exist at {vendor} or has expired.",
        "zh": "{vendor}上不存在该会议，或会议已过期。",
    },
    "zoom_user_not_found": {
        "en": "{vendor} has no user with the email hostbot has for {target}.",
        "zh": "{vendor}中没有使用 hostbot 所记录的 {target} 邮箱的用户。",
    },
    "remedy_check_zoom_email": {
        "en": "check {target}'s Zoom email with `hostbot users set <user> zoom=<email>`.",
        "zh": "用 `hostbot users set <用户> zoom=<邮箱>` 核对 {target} 的 Zoom 邮箱。",
    },
    "zoom_not_meeting_host": {
        "en": "{vendor} says hostbot's account is not this meeting's host.",
        "zh": "{vendor}表示 hostbot 所用账号不是该会议的主持人。",
    },
    "zoom_hosting_not_allowed": {
        "en": "the {vendor} account of {target} may not host meetings (not licensed, or hosting disabled).",
        "zh": "{target} 的{vendor}账号不能主持会议（没有许可证，或主持功能被禁用）。",
    },
    "remedy_zoom_license": {
        "en": "license {target} or allow hosting in Zoom's user management.",
        "zh": "为 {target} 分配许可证，或在 Zoom 用户管理中允许主持会议。",
    },
    "zoom_invalid_schedule_for": {
        "en": "{vendor} says {target} is not a valid user to schedule for.",
        "zh": "{vendor}表示 {target} 不是可以代为预约的有效用户。",
    },
    "remedy_zoom_credentials": {
        "en": "check ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET "
        "(a Server-to-Server OAuth app).",
        "zh": "检查 ZOOM_ACCOUNT_ID、ZOOM_CLIENT_ID 和 ZOOM_CLIENT_SECRET（Server-to-Server OAuth 应用）。",
    },
}
