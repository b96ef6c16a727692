"""Messages the chat adapters add around replies (thread starters, answered buttons)."""

CATALOG: dict[str, dict[str, str]] = {
    "slack_asked": {
        "en": "{user} asked: {text}",
        "zh": "{user} 请求：{text}",
    },
    "slack_answered": {
        "en": "{label} — chosen by {user}",
        "zh": "{user} 选择了「{label}」",
    },
}
