"""Messages of scheduled handovers: scheduling, reminders, the report when due, list and cancel."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- scheduling ----------------------------------------------------------------------
    "handover_need_time": {
        "en": "When should I hand over? For example: “hand host to @alice at 15:00” or "
        "“in 20 minutes make @alice host”.",
        "zh": "什么时候交接？例如：“15:00 把主持人交给 @alice”或“20分钟后把主持人交给 @alice”。",
    },
    "handover_need_target": {
        "en": "Who should become host, and when? For example: “hand host to @alice at 15:00”.",
        "zh": "要把主持人交给谁、什么时候？例如：“15:00 把主持人交给 @alice”。",
    },
    "handover_meeting_not_running": {
        "en": "{vendor} meeting {meeting} is not in progress, so there is no host to hand over.",
        "zh": "{vendor}会议 {meeting} 不在进行中，没有可交接的主持人。",
    },
    "handover_cannot_schedule": {
        "en": "I can't schedule that: {reason}",
        "zh": "无法设置定时交接：{reason}",
    },
    "handover_scheduled": {
        "en": "⏰ Handover #{id} scheduled: at {when} ({until}) {target} becomes host of {vendor} meeting {meeting}. "
        "{reminder} To cancel: “cancel handover #{id}”.",
        "zh": "⏰ 已设置定时交接 #{id}：{when}（{until}）{target} 将成为{vendor}会议 {meeting} 的主持人。"
        "{reminder}如需取消：“取消交接 #{id}”。",
    },
    "handover_will_remind": {
        "en": "I'll remind {host} and {target} at {remind}.",
        "zh": "我会在 {remind} 提醒 {host} 和 {target}。",
    },
    "handover_no_reminder": {
        "en": "It is less than {lead} min away, so there will be no reminder.",
        "zh": "距离交接不到 {lead} 分钟，因此不再提醒。",
    },
    "handover_duplicate": {
        "en": "Handover #{id} already does that: at {when} {target} becomes host of {vendor} meeting {meeting}.",
        "zh": "定时交接 #{id} 已经安排了：{when} {target} 将成为{vendor}会议 {meeting} 的主持人。",
    },
    "handover_host_moved": {
        "en": "The host of {vendor} meeting {meeting} changed meanwhile: it is now {current}. Nothing was "
        "scheduled; ask again if you still want the handover.",
        "zh": "{vendor}会议 {meeting} 的主持人刚刚变了，现在是 {current}。没有设置定时交接；如仍需要，请重新发起。",
    },
    "summary_handover": {
        "en": "At {when}, {target} becomes host of {vendor} meeting {meeting}; {loser} stops being host.",
        "zh": "{when}，{target} 将成为{vendor}会议 {meeting} 的主持人；{loser} 将不再是主持人。",
    },
    "summary_handover_you": {
        "en": "At {when}, {target} becomes host of {vendor} meeting {meeting}; you stop being host.",
        "zh": "{when}，{target} 将成为{vendor}会议 {meeting} 的主持人；你将不再是主持人。",
    },
    # ---- reminder and its buttons --------------------------------------------------------
    "handover_reminder": {
        "en": "⏰ Reminder, {host} and {target}: at {when} ({until}) {target} becomes host of {vendor} meeting "
        "{meeting} (handover #{id}, scheduled by {requester}).",
        "zh": "⏰ 提醒 {host} 和 {target}：{when}（{until}）{target} 将成为{vendor}会议 {meeting} 的主持人"
        "（定时交接 #{id}，由 {requester} 设置）。",
    },
    "button_handover_now": {"en": "Hand over now", "zh": "立即交接"},
    "button_handover_snooze": {"en": "Snooze 5 min", "zh": "推迟 5 分钟"},  # SNOOZE in bot/scheduling/scheduler.py
    "handover_snoozed": {
        "en": "😴 Handover #{id} snoozed: {target} becomes host of {vendor} meeting {meeting} at {when} ({until}).",
        "zh": "😴 定时交接 #{id} 已推迟：{target} 将在 {when}（{until}）成为{vendor}会议 {meeting} 的主持人。",
    },
    # ---- when due --------------------------------------------------------------------------
    "handover_head": {
        "en": "⏰ Handover #{id} (due {when}):",
        "zh": "⏰ 定时交接 #{id}（{when}）：",
    },
    "handover_head_late": {
        "en": "⏰ Handover #{id} (due {when}; run {late} late because hostbot was not running):",
        "zh": "⏰ 定时交接 #{id}（原定 {when}；hostbot 当时未运行，晚了 {late} 执行）：",
    },
    "handover_head_now": {
        "en": "⏰ Handover #{id} (due {when}), run now as {requester} asked:",
        "zh": "⏰ 定时交接 #{id}（原定 {when}），按 {requester} 的要求立即执行：",
    },
    "handover_meeting_ended": {
        "en": "❌ Not done: {vendor} meeting {meeting} is no longer in progress. Nothing was changed.",
        "zh": "❌ 未执行：{vendor}会议 {meeting} 已不在进行中，没有做任何更改。",
    },
    "handover_not_done": {
        "en": "❌ Not done: {reason}",
        "zh": "❌ 未执行：{reason}",
    },
    "handover_already_done": {
        "en": "✅ {target} is host of {vendor} meeting {meeting} already; nothing to do.",
        "zh": "✅ {target} 已经是{vendor}会议 {meeting} 的主持人，无需操作。",
    },
    "handover_head_late_busy": {
        "en": "⏰ Handover #{id} (due {when}; run {late} late: earlier vendor calls held it up, e.g. a rate limit "
        "or an outage):",
        "zh": "⏰ 定时交接 #{id}（原定 {when}；之前的会议服务调用受限流或故障拖延，晚了 {late} 执行）：",
    },
    "handover_missed_busy": {
        "en": "⚠️ Handover #{id} was missed: {target} was to become host of {vendor} meeting {meeting} at {when}, "
        "but earlier vendor calls held it up (e.g. a rate limit or an outage), and it is now {now}, more than "
        "{grace} min late. Nothing was changed. Hand over now anyway?",
        "zh": "⚠️ 错过了定时交接 #{id}：{target} 本应在 {when} 成为{vendor}会议 {meeting} 的主持人，但之前的会议服务"
        "调用受限流或故障拖延，现在已是 {now}，超过了 {grace} 分钟的宽限期。没有做任何更改。仍要立即交接吗？",
    },
    "handover_missed": {
        "en": "⚠️ Handover #{id} was missed: {target} was to become host of {vendor} meeting {meeting} at {when}, "
        "but hostbot was not running then, and it is now {now}, more than {grace} min late. Nothing was changed. "
        "Hand over now anyway?",
        "zh": "⚠️ 错过了定时交接 #{id}：{target} 本应在 {when} 成为{vendor}会议 {meeting} 的主持人，但 hostbot "
        "当时未运行，现在已是 {now}，超过了 {grace} 分钟的宽限期。没有做任何更改。仍要立即交接吗？",
    },
    # ---- list ------------------------------------------------------------------------------
    "handover_list_head": {"en": "Scheduled handovers:", "zh": "定时交接："},
    "handover_list_head_mine": {"en": "Your scheduled handovers:", "zh": "你的定时交接："},
    "handover_list_line": {
        "en": "#{id} · {when} ({until}) · {target} becomes host of {vendor} meeting {meeting} · by {requester}",
        "zh": "#{id} · {when}（{until}）· {target} 成为{vendor}会议 {meeting} 的主持人 · 由 {requester} 设置",
    },
    "handover_list_none": {"en": "No handovers are scheduled.", "zh": "目前没有定时交接。"},
    "handover_list_none_mine": {"en": "You have no scheduled handovers.", "zh": "你没有定时交接。"},
    # ---- cancel ----------------------------------------------------------------------------
    "handover_cancelled": {
        "en": "🗑 Handover #{id} cancelled: {target} will not become host of {vendor} meeting {meeting} at {when}.",
        "zh": "🗑 已取消定时交接 #{id}：{target} 不会在 {when} 成为{vendor}会议 {meeting} 的主持人。",
    },
    "handover_cancelled_many": {
        "en": "🗑 Cancelled {count} handovers: {ids}.",
        "zh": "🗑 已取消 {count} 个定时交接：{ids}。",
    },
    "handover_snooze_limit": {
        "en": "Handover #{id} was approved for a time it may move from by 30 minutes at most, and it has: it stays "
        "at {when}. For a later time, cancel it and ask again.",
        "zh": "定时交接 #{id} 经主持人批准后最多只能推迟 30 分钟，现已推迟到上限，仍在 {when} 执行。"
        "如需更晚，请取消后重新申请。",
    },
    "summary_cancel_handover": {
        "en": "Handover #{id} of {owner} is cancelled: {target} will not become host of {vendor} meeting "
        "{meeting} at {when}.",
        "zh": "取消 {owner} 设置的定时交接 #{id}：{target} 不会在 {when} 成为{vendor}会议 {meeting} 的主持人。",
    },
    "handover_not_found": {
        "en": "I found no pending handover {what}. Say “list handovers” to see them.",
        "zh": "没有找到{what}的待执行定时交接。发送“列出交接”查看全部。",
    },
    "handover_what_id": {"en": "#{id}", "zh": " #{id} "},
    "handover_what_time": {"en": "at {when}", "zh": " {when} "},
    "handover_what_target": {"en": "to {target}", "zh": "交给 {target} "},
    "handover_what_mine": {"en": "of yours", "zh": "你"},
    "handover_what_meeting": {"en": "for meeting {meeting}", "zh": "会议 {meeting} "},
    "handover_which": {
        "en": "Several handovers match: {choices}. Say which one, e.g. “cancel handover #{first}”.",
        "zh": "有多个定时交接符合：{choices}。请说明是哪一个，例如“取消交接 #{first}”。",
    },
    "handover_not_pending": {
        "en": "Handover #{id} {state}; nothing was done.",
        "zh": "定时交接 #{id} {state}，没有重复执行。",
    },
    "handover_state_running": {"en": "is running right now", "zh": "正在执行"},
    "handover_state_done": {"en": "has already been carried out", "zh": "已经执行过了"},
    "handover_state_failed": {"en": "already ran (and failed)", "zh": "已经执行过（未成功）"},
    "handover_state_conflict": {"en": "already ran (the host had changed)", "zh": "已经执行过（主持人已变更）"},
    "handover_state_cancelled": {"en": "was cancelled", "zh": "已被取消"},
    "handover_state_missed": {"en": "was missed", "zh": "已错过"},
    "handover_state_pending": {"en": "is still pending", "zh": "仍在等待执行"},
    # ---- durations -------------------------------------------------------------------------
    "duration_seconds": {"en": "{n} s", "zh": "{n} 秒"},
    "duration_minutes": {"en": "{n} min", "zh": "{n} 分钟"},
    "duration_hours": {"en": "{h} h {m} min", "zh": "{h} 小时 {m} 分钟"},
    "duration_whole_hours": {"en": "{h} h", "zh": "{h} 小时"},
    "until": {"en": "in {duration}", "zh": "{duration}后"},
    "summary_handover_now": {
        "en": "Handover #{id} runs now: {target} becomes host of {vendor} meeting {meeting}.",
        "zh": "立即执行定时交接 #{id}：{target} 成为{vendor}会议 {meeting} 的主持人。",
    },
    "summary_handover_snooze": {
        "en": "Handover #{id} is snoozed 5 minutes.",
        "zh": "定时交接 #{id} 推迟 5 分钟。",
    },
    "summary_handover_cancel_now": {
        "en": "Handover #{id} is cancelled: {target} will not become host of {vendor} meeting {meeting} at {when}.",
        "zh": "取消定时交接 #{id}：{target} 不会在 {when} 成为{vendor}会议 {meeting} 的主持人。",
    },
}
