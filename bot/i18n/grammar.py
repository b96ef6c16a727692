"""Replies to requests hostbot will not act on as typed: negated or doubtful, mistyped, or two in one."""

CATALOG: dict[str, dict[str, str]] = {
    "nothing_done": {"en": "OK, nothing changed.", "zh": "好的，未做任何更改。"},
    "nothing_question": {
        "en": "If you want it done, send it as a request, e.g. “make @alice host”.",
        "zh": "如需执行，请直接发出请求，例如“把 @alice 设为主持人”。",
    },
    "did_you_mean": {"en": "Did you mean: “{text}”?", "zh": "您是想说：“{text}”吗？"},
    "button_did_you_mean": {"en": "Yes, send that", "zh": "是，就这样"},
    "compound_ask": {
        "en": "That is {count} requests in one message. So that nothing is merged by mistake, please send "
              "them one per message:\n{parts}",
        "zh": "这条消息里有 {count} 个请求。为避免误合并，请分开发送，每条消息一个请求：\n{parts}",
    },
    "compound_ask_unsplit": {
        "en": "That looks like more than one request in one message. So that nothing is merged by mistake, "
              "please send them one per message.",
        "zh": "这条消息里似乎有不止一个请求。为避免误合并，请分开发送，每条消息一个请求。",
    },
}
