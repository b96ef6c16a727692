"""Messages of roles that expire ("make @bob co-host for 30 minutes"): the summary with its end, the change
back (a scheduled handover: its co-host wording where a handover's own says "becomes host"), and why a
change back did nothing."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- parsing ----------------------------------------------------------------------------
    "until_not_supported": {
        "en": "Only a host or co-host change can last a while, so I did not act on “{text}”. Say it again "
        "without it, or e.g. “make @bob co-host for 30 minutes”.",
        "zh": "只有主持人或联席主持人的更改可以限时，所以“{text}”我没有执行。请去掉时长再说一次，"
        "或例如“让 @bob 当 30 分钟联席主持人”。",
    },
    "until_with_start": {
        "en": "A scheduled handover cannot also have an end (“{text}”); nothing was changed. Schedule it, then "
        "ask for the change back at its time, or make the change now “for …”.",
        "zh": "定时交接不能同时设置结束时间（“{text}”），没有做任何更改。请先设置交接，到时再改回；"
        "或者现在就更改并说明时长。",
    },
    "until_not_understood": {
        "en": "I couldn't read “{text}” as the end of the change, so I changed nothing. Try “for 30 minutes”, "
        "“for the next hour” or “until 15:00”.",
        "zh": "我没看懂结束时间“{text}”，所以没有做任何更改。试试“30 分钟”“一个小时”或“到15:00”。",
    },
    "until_in_past": {
        "en": "{when} has already passed (it is {now} now), so I changed nothing: the change would have no end. "
        "Give a later end, e.g. “for 30 minutes”.",
        "zh": "{when} 已经过去了（现在是 {now}），所以没有做任何更改：否则这个更改将没有结束时间。"
        "请给一个之后的结束时间，例如“30 分钟”。",
    },
    "expire_one_person": {
        "en": "A change that lasts a while is for one person at a time; nothing was changed. Ask once per person.",
        "zh": "限时更改一次只能针对一个人，没有做任何更改。请每人分别发送。",
    },
    "expire_cannot_put_back": {
        "en": "I could not put it back at the end: {reason} Nothing was changed.",
        "zh": "到时无法改回：{reason}没有做任何更改。",
    },
    "expire_no_host": {
        "en": "{vendor} meeting {meeting} reports no host, so there is nobody to give the role back to.",
        "zh": "{vendor}会议 {meeting} 没有报告主持人，到时无法把主持人交还给谁。",
    },
    "expire_host_unknown": {
        "en": "{host}, the host now, is not someone I know in this chat, so I could not give the role back.",
        "zh": "现在的主持人 {host} 不是我在本聊天中认识的人，到时无法把主持人交还。",
    },
    "expire_no_removal": {
        "en": "{vendor} cannot remove a co-host through hostbot.",
        "zh": "无法通过 hostbot 在{vendor}移除联席主持人。",
    },
    # ---- what is shown before the change ------------------------------------------------------
    "summary_add_cohost_until": {
        "en": "{targets} becomes co-host of {vendor} meeting {meeting} until {when}, then is removed.",
        "zh": "{targets} 将成为{vendor}会议 {meeting} 的联席主持人，直到 {when}，之后自动移除。",
    },
    "summary_set_host_until": {
        "en": "{target} becomes host of {vendor} meeting {meeting} until {when}, then {loser} is host again.",
        "zh": "{target} 将成为{vendor}会议 {meeting} 的主持人，直到 {when}，之后 {loser} 重新成为主持人。",
    },
    "summary_set_host_until_you": {
        "en": "{target} becomes host of {vendor} meeting {meeting} until {when}, then you are host again.",
        "zh": "{target} 将成为{vendor}会议 {meeting} 的主持人，直到 {when}，之后你重新成为主持人。",
    },
    # ---- after the change ---------------------------------------------------------------------
    "expire_booked_cohost": {
        "en": "⏳ Until {when} ({until}): then handover #{id} removes {target} as co-host. To keep them, "
        "“cancel handover #{id}”.",
        "zh": "⏳ 直到 {when}（{until}）：届时定时交接 #{id} 会移除 {target} 的联席主持人。如需保留，"
        "请说“取消交接 #{id}”。",
    },
    "expire_booked_host": {
        "en": "⏳ Until {when} ({until}): then handover #{id} gives the host role back to {target}. To keep it "
        "as it is, “cancel handover #{id}”.",
        "zh": "⏳ 直到 {when}（{until}）：届时定时交接 #{id} 会把主持人交还给 {target}。如需保持不变，"
        "请说“取消交接 #{id}”。",
    },
    "expire_undo_cancelled": {
        "en": "Handover #{id}, which was to put it back, is cancelled too.",
        "zh": "原定改回的定时交接 #{id} 也已取消。",
    },
    # ---- when the change back is due ------------------------------------------------------------
    "expire_host_moved": {
        "en": "↩️ Not put back: {current} hosts {vendor} meeting {meeting} now, not {made} as after my change, "
        "so the host changed meanwhile. Nothing was changed.",
        "zh": "↩️ 未改回：{vendor}会议 {meeting} 现在的主持人是 {current}，而不是我更改后的 {made}，"
        "主持人在此期间已经变了。没有做任何更改。",
    },
    "expire_cohost_gone": {
        "en": "↩️ Nothing to put back: {target} is no longer co-host of {vendor} meeting {meeting} (removed "
        "meanwhile). Nothing was changed.",
        "zh": "↩️ 无需改回：{target} 已不是{vendor}会议 {meeting} 的联席主持人（期间已被移除）。没有做任何更改。",
    },
    # ---- a co-host change back as a handover (the _cohost forms of bot/i18n/handover.py) ---------
    "handover_list_line_cohost": {
        "en": "#{id} · {when} ({until}) · {target} stops being co-host of {vendor} meeting {meeting} · by {requester}",
        "zh": "#{id} · {when}（{until}）· {target} 不再是{vendor}会议 {meeting} 的联席主持人 · 由 {requester} 设置",
    },
    "handover_reminder_cohost": {
        "en": "⏰ Reminder, {host} and {target}: at {when} ({until}) {target} stops being co-host of {vendor} "
        "meeting {meeting} (handover #{id}, asked by {requester}).",
        "zh": "⏰ 提醒 {host} 和 {target}：{when}（{until}）{target} 将不再是{vendor}会议 {meeting} 的联席主持人"
        "（定时交接 #{id}，由 {requester} 设置）。",
    },
    "handover_snoozed_cohost": {
        "en": "😴 Handover #{id} snoozed: {target} stops being co-host of {vendor} meeting {meeting} at {when} "
        "({until}).",
        "zh": "😴 定时交接 #{id} 已推迟：{target} 将在 {when}（{until}）不再是{vendor}会议 {meeting} 的联席主持人。",
    },
    "handover_cancelled_cohost": {
        "en": "🗑 Handover #{id} cancelled: {target} stays co-host of {vendor} meeting {meeting} after {when}.",
        "zh": "🗑 已取消定时交接 #{id}：{when} 之后 {target} 仍是{vendor}会议 {meeting} 的联席主持人。",
    },
    "summary_cancel_handover_cohost": {
        "en": "Handover #{id} of {owner} is cancelled: {target} stays co-host of {vendor} meeting {meeting} "
        "after {when}.",
        "zh": "取消 {owner} 设置的定时交接 #{id}：{when} 之后 {target} 仍是{vendor}会议 {meeting} 的联席主持人。",
    },
    "summary_handover_cancel_now_cohost": {
        "en": "Handover #{id} is cancelled: {target} stays co-host of {vendor} meeting {meeting} after {when}.",
        "zh": "取消定时交接 #{id}：{when} 之后 {target} 仍是{vendor}会议 {meeting} 的联席主持人。",
    },
    "summary_handover_now_cohost": {
        "en": "Handover #{id} runs now: {target} stops being co-host of {vendor} meeting {meeting}.",
        "zh": "立即执行定时交接 #{id}：{target} 不再是{vendor}会议 {meeting} 的联席主持人。",
    },
    "handover_missed_cohost": {
        "en": "⚠️ Handover #{id} was missed: {target} was to stop being co-host of {vendor} meeting {meeting} at "
        "{when}, but hostbot was not running then, and it is now {now}, more than {grace} min late. Nothing was "
        "changed. Remove them now anyway?",
        "zh": "⚠️ 错过了定时交接 #{id}：{target} 本应在 {when} 不再是{vendor}会议 {meeting} 的联席主持人，但 hostbot "
        "当时未运行，现在已是 {now}，超过了 {grace} 分钟的宽限期。没有做任何更改。仍要立即移除吗？",
    },
    "handover_missed_busy_cohost": {
        "en": "⚠️ Handover #{id} was missed: {target} was to stop being co-host of {vendor} meeting {meeting} at "
        "{when}, but earlier vendor calls held it up (e.g. a rate limit or an outage), and it is now {now}, more "
        "than {grace} min late. Nothing was changed. Remove them now anyway?",
        "zh": "⚠️ 错过了定时交接 #{id}：{target} 本应在 {when} 不再是{vendor}会议 {meeting} 的联席主持人，但之前的"
        "会议服务调用受限流或故障拖延，现在已是 {now}，超过了 {grace} 分钟的宽限期。没有做任何更改。仍要立即移除吗？",
    },
}
