"""Messages about people and understanding requests: identity errors, times, links, help lines, `hostbot users`."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- identity (unknown_user, ambiguous_user and no_vendor_id live in core.py) ----------
    "email_hidden": {
        "en": "I can't see {who}'s email address, so I can't find their {vendor} account: the {platform} app "
        "lacks the `{scope}` permission. An admin can grant it, or add the id with "
        "`hostbot users set {chat_user} {vendor}=<id>`.",
        "zh": "我看不到 {who} 的邮箱，因此找不到其 {vendor} 账号：{platform} 应用缺少 `{scope}` 权限。"
        "管理员可以开通该权限，或用 `hostbot users set {chat_user} {vendor}=<id>` 直接添加。",
    },
    "no_email": {
        "en": "{who} has no email address on {platform}, so I can't find their {vendor} account. An admin can add "
        "it with `hostbot users set {chat_user} {vendor}=<id>`.",
        "zh": "{who} 在 {platform} 上没有邮箱，因此找不到其 {vendor} 账号。管理员可以用 "
        "`hostbot users set {chat_user} {vendor}=<id>` 添加。",
    },
    "email_not_at_vendor": {
        "en": "{vendor} has no account with {who}'s email ({email}). An admin can add the right id with "
        "`hostbot users set {chat_user} {vendor}=<id>`.",
        "zh": "{vendor} 中没有使用 {who} 邮箱（{email}）的账号。管理员可以用 "
        "`hostbot users set {chat_user} {vendor}=<id>` 添加正确的 ID。",
    },
    "no_vendor_id_admin_only": {
        "en": "I know {who}, but not their {vendor} account, and {vendor} ids can't be looked up by email. An admin "
        "can add it with `hostbot users set {chat_user} {vendor}=<id>` or `hostbot users import FILE.csv`.",
        "zh": "我认识 {who}，但不知道其 {vendor} 账号，而且 {vendor} ID 无法通过邮箱查到。管理员可以用 "
        "`hostbot users set {chat_user} {vendor}=<id>` 或 `hostbot users import FILE.csv` 添加。",
    },
    "profile_unavailable": {
        "en": "I couldn't look up {who} on {platform} just now ({reason}). Please try again in a minute.",
        "zh": "暂时无法在 {platform} 上查询 {who}（{reason}）。请稍后再试。",
    },
    "profile_rejected": {
        "en": "{platform} refused to show me {who}'s profile ({reason}). An admin should check the app's token "
        "and permissions.",
        "zh": "{platform} 拒绝提供 {who} 的资料（{reason}）。请管理员检查应用的 token 和权限。",
    },
    "profile_scope_missing": {
        "en": "I can't look up {who} on {platform}: the app lacks the `{scope}` permission. An admin can grant it, "
        "or map the person with `hostbot users set`.",
        "zh": "无法在 {platform} 上查询 {who}：应用缺少 `{scope}` 权限。管理员可以开通该权限，或用 "
        "`hostbot users set` 直接配置。",
    },
    # ---- times ---------------------------------------------------------------------------
    "time_in_past": {
        "en": "{when} has already passed (it is {now} now). Give a later time, e.g. “in 20 minutes”.",
        "zh": "{when} 已经过去了（现在是 {now}）。请给一个之后的时间，例如“20分钟后”。",
    },
    "time_ambiguous_hour": {
        "en": "“{text}” could be {am} or {pm}. Say which, e.g. “at {pm}”.",
        "zh": "“{text}”可能是 {am} 也可能是 {pm}，请说明是哪个，例如“{pm}”。",
    },
    "time_ambiguous_dst": {
        "en": "{when} happens twice that day in {zone} (the clocks go back). Give the time with its offset, "
        "e.g. {first} or {second}.",
        "zh": "由于夏令时回拨，{when} 在 {zone} 当天会出现两次。请带上时区偏移，例如 {first} 或 {second}。",
    },
    "time_nonexistent": {
        "en": "{when} does not exist in {zone}: the clocks skip that hour (daylight saving). Pick another time.",
        "zh": "{when} 在 {zone} 不存在：夏令时调整会跳过这一小时。请换一个时间。",
    },
    "time_need_clock": {
        "en": "“{text}” needs a time of day too, e.g. “{text} at 15:00”.",
        "zh": "“{text}”还需要具体几点，例如“{text}下午3点”。",
    },
    "time_not_schedulable": {
        "en": "Only host handovers can be scheduled, so I did not act on “{text}”. Say it again without the "
              "time to do it now.",
        "zh": "只有主持人交接可以定时，所以“{text}”我没有执行。如需现在执行，请去掉时间再说一次。",
    },
    "time_not_understood": {
        "en": "I couldn't read “{text}” as a time. Try “at 15:00”, “tomorrow 9:30” or “in 20 minutes”.",
        "zh": "我没看懂时间“{text}”。试试“15:00”“明天上午9点半”或“20分钟后”。",
    },
    # ---- link_meeting ---------------------------------------------------------------------
    "scope_thread": {"en": "thread", "zh": "话题"},
    "scope_channel": {"en": "channel", "zh": "群聊"},
    "link_done": {
        "en": "🔗 This {scope} is now linked to {vendor} meeting {meeting}: “this meeting” here means it.",
        "zh": "🔗 已将本{scope}关联到{vendor}会议 {meeting}，此后在这里说“这个会”就是指它。",
    },
    "link_replaced": {
        "en": "🔗 This {scope} is now linked to {vendor} meeting {meeting} (it was linked to {old}).",
        "zh": "🔗 已将本{scope}改为关联{vendor}会议 {meeting}（之前关联的是 {old}）。",
    },
    "summary_link": {
        "en": "This {scope} will be linked to {vendor} meeting {meeting}: “this meeting” here will mean it.",
        "zh": "本{scope}将关联到{vendor}会议 {meeting}：此后这里的“这个会”指它。",
    },
    "summary_relink": {
        "en": "This {scope} will be linked to {vendor} meeting {meeting} instead of {old}, which {owner} linked: "
        "“this meeting” here will mean the new one.",
        "zh": "本{scope}将改为关联{vendor}会议 {meeting}，不再关联 {owner} 绑定的 {old}：此后这里的“这个会”指新会议。",
    },
    "link_same": {
        "en": "This {scope} is already linked to {vendor} meeting {meeting}; nothing to do.",
        "zh": "本{scope}已经关联了{vendor}会议 {meeting}，无需操作。",
    },
    "link_need_meeting": {
        "en": "Which meeting should this {scope} be linked to? Give its number or link, e.g. "
        "“link this channel to meeting 123456789”.",
        "zh": "要把本{scope}关联到哪个会议？请给出会议号或链接，例如“绑定会议 123456789”。",
    },
    "link_nowhere": {
        "en": "There is no thread or channel here to link a meeting to.",
        "zh": "这里没有可以关联会议的话题或群聊。",
    },
    # ---- help ------------------------------------------------------------------------------
    "help_line": {"en": "{title}: {examples}", "zh": "{title}：{examples}"},
    "help_more": {
        "en": "Mention people with @, name a meeting by number or link, or link one to this thread first.",
        "zh": "用 @ 指定人员，用会议号或链接指定会议，或先把会议关联到本话题。",
    },
    "intent_set_host": {"en": "Make somebody host", "zh": "设置主持人"},
    "intent_add_cohost": {"en": "Add co-hosts", "zh": "添加联席主持人"},
    "intent_remove_cohost": {"en": "Remove co-hosts", "zh": "移除联席主持人"},
    "intent_invite": {"en": "Invite people into a meeting", "zh": "邀请人员入会"},
    "intent_reassign": {"en": "Move all (or some) of somebody's meetings to another host",
                        "zh": "把某人的全部（或部分）会议转给另一位主持人"},
    "intent_schedule_handover": {"en": "Hand host over later", "zh": "定时交接主持人"},
    "intent_list_handovers": {"en": "List scheduled handovers", "zh": "查看定时交接"},
    "intent_cancel_handover": {"en": "Cancel a scheduled handover", "zh": "取消定时交接"},
    "intent_link_meeting": {"en": "Link this thread or channel to a meeting", "zh": "把本话题或群聊关联到会议"},
    "intent_who_is_host": {"en": "Who hosts the meeting now", "zh": "查看当前主持人"},
    # ---- `hostbot users` (admins) --------------------------------------------------------
    "users_imported": {
        "en": "Imported {count} people from {file}.",
        "zh": "已从 {file} 导入 {count} 人。",
    },
    "users_import_bad_row": {
        "en": "{file} line {line}: {problem}",
        "zh": "{file} 第 {line} 行：{problem}",
    },
    "users_import_encoding": {
        "en": "{file}: not UTF-8, UTF-16 or GB18030 text; save it from the spreadsheet as CSV (UTF-8) and "
              "import again.",
        "zh": "{file}：不是 UTF-8、UTF-16 或 GB18030 文本；请在表格软件中另存为 CSV（UTF-8）后重新导入。",
    },
    "users_set_unknown": {
        "en": "hostbot does not know {platform} user {chat_user!s}: check the id (`hostbot users list`), or add "
              "--new to add somebody it has not seen yet.",
        "zh": "hostbot 不认识 {platform} 用户 {chat_user!s}：请核对 ID（`hostbot users list`），"
              "或加上 --new 添加尚未出现过的人。",
    },
    "users_import_failed": {
        "en": "Nothing was imported: fix the lines above and run the import again.",
        "zh": "没有导入任何数据：请修正以上各行后重新导入。",
    },
    "users_missing_column": {
        "en": "the file has no `{column}` column (columns: {columns})",
        "zh": "文件缺少 `{column}` 列（现有列：{columns}）",
    },
    "users_bad_platform": {
        "en": "platform must be one of {platforms}, got “{value}”",
        "zh": "platform 必须是 {platforms} 之一，实际为“{value}”",
    },
    "users_empty_chat_user": {"en": "chat_user is empty", "zh": "chat_user 为空"},
    "users_bad_email": {"en": "“{value}” is not an email address ({column})",
                        "zh": "“{value}”不是邮箱地址（{column}）"},
    "users_bad_pair": {
        "en": "“{pair}” is not vendor=id; vendors: {vendors}",
        "zh": "“{pair}”不是 vendor=id 的形式；可用的 vendor：{vendors}",
    },
    "users_set_done": {
        "en": "{platform} user {chat_user}: {fields}",
        "zh": "{platform} 用户 {chat_user}：{fields}",
    },
    "users_none": {"en": "No people yet. Add them with `hostbot users set` or `hostbot users import`.",
                   "zh": "还没有人员。请用 `hostbot users set` 或 `hostbot users import` 添加。"},
}
