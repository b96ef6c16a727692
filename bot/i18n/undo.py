"""Messages of the Undo button (bot/core/flow/undo.py, handlers/undo.py)."""

CATALOG: dict[str, dict[str, str]] = {
    "button_undo": {"en": "Undo", "zh": "撤销"},
    "undo_nothing": {
        "en": "You have no change that can still be undone (Undo lasts {minutes} min after a change); "
              "nothing was changed.",
        "zh": "您没有还能撤销的更改（撤销在更改后 {minutes} 分钟内有效），没有做任何更改。",
    },
    "undo_offer": {
        "en": "Changed by mistake? Undo until {until}.",
        "zh": "弄错了？{until} 前可以撤销。",
    },
    "undo_not_yours": {
        "en": "Only {owners} (or an admin) can undo this; nothing was changed.",
        "zh": "只有 {owners}（或管理员）可以撤销；没有做任何更改。",
    },
    "undo_expired": {
        "en": "Undo has expired (it lasts {minutes} min); nothing was changed. Ask again to change the host.",
        "zh": "撤销已过期（有效期 {minutes} 分钟），没有做任何更改。如需更换主持人，请重新发起。",
    },
    "undo_used": {
        "en": "This Undo was already used; nothing more was changed.",
        "zh": "这个撤销已经用过了，没有再做更改。",
    },
    "undo_host_moved": {
        "en": "{current} hosts {vendor} meeting {meeting} now, not {made}: the host changed after my change, "
        "so Undo changed nothing.",
        "zh": "{vendor}会议 {meeting} 现在的主持人是 {current}，不是 {made}：在我更改之后主持人又变了，"
        "所以撤销没有做任何更改。",
    },
    "undo_summary_host": {
        "en": "Undo: {restored} becomes host of {vendor} meeting {meeting} again; {made} stops being host.",
        "zh": "撤销：{restored} 重新成为{vendor}会议 {meeting} 的主持人，{made} 不再是主持人。",
    },
    "undo_host_done": {
        "en": "↩️ Undone: {restored} is host of {vendor} meeting {meeting} again.",
        "zh": "↩️ 已撤销：{restored} 重新成为{vendor}会议 {meeting} 的主持人。",
    },
    "undo_summary_cohosts_back": {
        "en": "Undo: make {targets} co-host of {vendor} meeting {meeting} again.",
        "zh": "撤销：{targets} 重新成为{vendor}会议 {meeting} 的联席主持人。",
    },
    "undo_cohosts_back": {
        "en": "↩️ Undone: made {targets} co-host of {vendor} meeting {meeting} again.",
        "zh": "↩️ 已撤销：{targets} 重新成为{vendor}会议 {meeting} 的联席主持人。",
    },
    "undo_summary_cohosts_off": {
        "en": "Undo: remove {targets} as co-host of {vendor} meeting {meeting}.",
        "zh": "撤销：{targets} 不再是{vendor}会议 {meeting} 的联席主持人。",
    },
    "undo_cohosts_off": {
        "en": "↩️ Undone: removed {targets} as co-host of {vendor} meeting {meeting}.",
        "zh": "↩️ 已撤销：{targets} 不再是{vendor}会议 {meeting} 的联席主持人。",
    },
    "undo_failed": {
        "en": "❌ Could not undo the change of {vendor} meeting {meeting}: {reason}",
        "zh": "❌ 无法撤销{vendor}会议 {meeting} 的更改：{reason}",
    },
}
