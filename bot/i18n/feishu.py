"""Messages of the Feishu adapter: card clicks, user authorization (the link and its browser page)."""

CATALOG: dict[str, dict[str, str]] = {
    # ---- authorization link (FeishuVendor puts it in a DENIED invite's remedy) -----------------
    "remedy_authorize_link_resume": {
        "en": "open {authorize_url} and allow hostbot to act for you in Feishu (once); your request then "
        "continues by itself.",
        "zh": "请打开 {authorize_url} 授权 hostbot 以你的身份操作飞书（只需一次），授权后你的请求会自动继续。",
    },
    "remedy_authorize_link": {
        "en": "open {authorize_url} and allow hostbot to act for you in Feishu (once), then ask again.",
        "zh": "请打开 {authorize_url} 授权 hostbot 以你的身份操作飞书（只需一次），然后重新发起。",
    },
    "feishu_authorized_note": {
        "en": "{user} authorized hostbot in Feishu; carrying on with the request.",
        "zh": "{user} 已在飞书中授权 hostbot，继续处理刚才的请求。",
    },
    # ---- the browser page after Feishu's authorization page -------------------------------------
    "feishu_oauth_title": {"en": "hostbot · Feishu authorization", "zh": "hostbot · 飞书授权"},
    "feishu_oauth_done": {
        "en": "Done: hostbot may now invite people to meetings on your behalf. Go back to Feishu and ask again.",
        "zh": "授权成功：hostbot 现在可以代你邀请参会人了。请回到飞书重新发起请求。",
    },
    "feishu_oauth_done_resume": {
        "en": "Done: hostbot may now invite people to meetings on your behalf. Your request continues in Feishu; "
        "you can close this page.",
        "zh": "授权成功：hostbot 现在可以代你邀请参会人了。你的请求会在飞书中继续，可以关闭此页面。",
    },
    "feishu_oauth_other_person": {
        "en": "Your authorization is saved, but this link was made for somebody else's request, so that request "
        "was not run for you. Ask hostbot yourself in Feishu.",
        "zh": "你的授权已保存，但这个链接属于另一个人的请求，因此没有以你的身份执行。"
        "请在飞书中自己向 hostbot 发起请求。",
    },
    "feishu_oauth_unknown_state": {
        "en": "This authorization link is not one hostbot made (or it is incomplete). Ask hostbot again in Feishu "
        "for a new link.",
        "zh": "这个授权链接不是 hostbot 生成的（或已不完整）。请在飞书中重新向 hostbot 发起请求以获取新链接。",
    },
    "feishu_oauth_used": {
        "en": "This authorization link has already been used. If hostbot still asks you to authorize, ask it "
        "again for a new link.",
        "zh": "这个授权链接已经用过了。如果 hostbot 仍要求授权，请重新发起请求获取新链接。",
    },
    "feishu_oauth_expired": {
        "en": "This authorization link has expired (links last 15 minutes). Ask hostbot again for a new one.",
        "zh": "这个授权链接已过期（有效期 15 分钟）。请重新向 hostbot 发起请求获取新链接。",
    },
    "feishu_oauth_declined": {
        "en": "You did not authorize hostbot, so nothing was done. Open the link again if you change your mind.",
        "zh": "你没有授权 hostbot，因此没有执行任何操作。如改变主意，可以再次打开链接。",
    },
    "feishu_oauth_failed": {
        "en": "Feishu did not complete the authorization ({detail}). Open the link again in a minute, or ask an "
        "admin to check the app's redirect URL.",
        "zh": "飞书未能完成授权（{detail}）。请稍后再次打开链接，或请管理员检查应用的重定向 URL。",
    },
    # ---- card clicks (answered within 3 s; the result follows in the thread) ---------------------
    "feishu_click_working": {"en": "Working on it…", "zh": "正在处理…"},
    "feishu_click_done": {"en": "Done.", "zh": "已处理。"},
    "feishu_click_duplicate": {"en": "Already handled.", "zh": "已经处理过了。"},
    "feishu_answered": {
        "en": "{label} — chosen by {user}",
        "zh": "{user} 选择了「{label}」",
    },
    "feishu_text_only": {
        "en": "I only read text messages. Try: “make @alice host of meeting 123456789”.",
        "zh": "我只能读取文字消息。试试：“把 @alice 设为主持人 123456789”。",
    },
}
