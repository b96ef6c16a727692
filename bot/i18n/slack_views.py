"""Words of Slack's surfaces: the /host form (modal) and the App Home tab."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- the /host form --------------------------------------------------------------------
    "form_title": {"en": "Meeting host", "zh": "会议主持人"},
    "form_submit": {"en": "Go", "zh": "提交"},
    "form_close": {"en": "Close", "zh": "关闭"},
    "form_what": {"en": "What to do", "zh": "要做什么"},
    "form_what_set_host": {"en": "Make host", "zh": "设为主持人"},
    "form_what_add_cohost": {"en": "Add co-hosts", "zh": "添加联席主持人"},
    "form_what_remove_cohost": {"en": "Remove co-hosts", "zh": "取消联席主持人"},
    "form_what_invite": {"en": "Invite to the meeting", "zh": "邀请入会"},
    "form_what_schedule_handover": {"en": "Hand host over at a time", "zh": "定时交接主持人"},
    "form_who_one": {"en": "Who", "zh": "谁"},
    "form_who_many": {"en": "Who (one or more)", "zh": "谁（可多选）"},
    "form_meeting": {"en": "Meeting link or number", "zh": "会议链接或会议号"},
    "form_meeting_linked": {
        "en": "Linked to this channel: {meeting}. Change it to act on another meeting.",
        "zh": "本频道已绑定 {meeting}。如需操作其他会议，请修改。",
    },
    "form_failed": {
        "en": "I could not open the form ({error}). Try `/host` again, or type the request: "
              "“/host make @alice host of meeting 123456789”.",
        "zh": "无法打开表单（{error}）。请再试一次 `/host`，或直接输入请求：“/host 把 @alice 设为主持人 123456789”。",
    },
    "form_meeting_unlinked": {
        "en": "No meeting is linked to this channel: paste a meeting link or number.",
        "zh": "本频道没有绑定会议：请粘贴会议链接或会议号。",
    },
    "form_at": {"en": "When (for a handover)", "zh": "交接时间（定时交接时填写）"},
    "form_at_hint": {
        "en": "Needed only to hand over at a time; in your time zone.",
        "zh": "仅定时交接需要；按你的时区。",
    },
    "form_err_who_none": {"en": "Pick at least one person.", "zh": "请至少选择一个人。"},
    "form_err_who_one": {"en": "Pick one person for this.", "zh": "这一项只能选择一个人。"},
    "form_err_meeting": {
        "en": "I can't read a meeting in that: paste its link or number.",
        "zh": "无法从中识别会议：请粘贴会议链接或会议号。",
    },
    "form_err_at_missing": {"en": "Pick when the handover should happen.", "zh": "请选择交接时间。"},
    "form_err_at_past": {
        "en": "That time has passed: pick a later one.",
        "zh": "这个时间已经过去了，请选择更晚的时间。",
    },
    "form_echo_linked": {"en": "the linked meeting", "zh": "已绑定的会议"},
    # ---- the App Home tab ------------------------------------------------------------------
    "home_header": {"en": "hostbot — your meetings", "zh": "hostbot — 你的会议"},
    "home_intro": {
        "en": "Type `/host` in a channel for a form, or mention me: “make @alice host of meeting 123456789”.",
        "zh": "在频道里输入 `/host` 打开表单，或者提及我：“把 @alice 设为主持人 123456789”。",
    },
    "home_handovers": {"en": "*Your scheduled handovers*", "zh": "*你的定时交接*"},
    "home_handovers_none": {
        "en": "Nothing scheduled. Try “hand host to @bob at 15:00”.",
        "zh": "没有定时交接。试试“明天下午三点把主持人交给 @bob”。",
    },
    "home_approvals": {"en": "*Waiting for your approval*", "zh": "*等待你批准*"},
    "home_approvals_none": {"en": "Nothing is waiting for you.", "zh": "没有等待你处理的请求。"},
    "home_approval_line": {"en": "{requester} asks: {summary}", "zh": "{requester} 请求：{summary}"},
    "home_links": {"en": "*Meetings linked to your channels*", "zh": "*你所在频道绑定的会议*"},
    "home_links_none": {
        "en": "None yet. In a channel, say “link this channel to meeting 123456789”.",
        "zh": "暂无。在频道里说“绑定会议 123456789”。",
    },
    "home_link_line": {"en": "{channel} → {vendor} meeting {meeting}", "zh": "{channel} → {vendor}会议 {meeting}"},
    "home_audit": {"en": "*Latest audit rows (admins)*", "zh": "*最近的审计记录（管理员）*"},
    "home_audit_none": {"en": "No audit rows yet.", "zh": "暂无审计记录。"},
    "home_more": {"en": "…and {n} more", "zh": "……还有 {n} 项"},
}
