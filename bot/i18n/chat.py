"""Messages the chat adapters add around replies (thread starters, answered buttons)."""

CATALOG: dict[str, dict[str, str]] = {
    "slack_asked": {
        "en": "{user} asked: {text}",
        "zh": "{user} 请求：{text}",
    },
    "text_too_long": {
        "en": "That message is too long for me ({length} characters; I read requests of up to {limit}). "
              "Try a shorter one, e.g. “make @alice host of meeting 123456789”.",
        "zh": "这条消息太长了（{length} 个字符；我只读取 {limit} 个字符以内的请求）。"
              "请简短一些，例如“把 @alice 设为主持人 123456789”。",
    },
    "slack_answered": {
        "en": "{label} — chosen by {user}",
        "zh": "{user} 选择了「{label}」",
    },
}
