"""Replies to requests hostbot will not act on as typed: negated or doubtful, mistyped, or two in one."""

CATALOG: dict[str, dict[str, str]] = {
    "nothing_done": {"en": "OK, nothing changed.", "zh": "好的，未做任何更改。"},
    "nothing_question": {
        "en": "If you want it done, send it as a request, e.g. “make @alice host”.",
        "zh": "如需执行，请直接发出请求，例如“把 @alice 设为主持人”。",
    },
    "nothing_statement": {
        "en": "That reads as a remark, not a request, so I changed nothing. To ask me, say e.g. “make @alice host”.",
        "zh": "这句话看起来是在陈述，不是请求，所以我没有做任何更改。"
              "如需我执行，请直接说，例如“把 @alice 设为主持人”。",
    },
    "cancel_nothing": {
        "en": "Nothing of yours is waiting for an answer here, so there is nothing to cancel. "
              "To cancel a scheduled handover, say e.g. “cancel handover #3”.",
        "zh": "这里没有等待您确认的请求，所以没有可取消的。如需取消定时交接，请说例如“取消交接 #3”。",
    },
    "meeting_not_read": {
        "en": "I can't read “{text}” as a meeting, so I did nothing. Give the meeting number or its "
              "Feishu, Zoom, Webex or DingTalk link.",
        "zh": "我无法把“{text}”识别为会议，所以没有执行。请给出会议号，或飞书、Zoom、Webex、钉钉的会议链接。",
    },
    "meeting_personal_room": {
        "en": "“{text}” is a Webex personal room: Webex can only change the host of scheduled meeting series, "
              "not of personal rooms, so I did nothing. Give the meeting's number or its j.php?MTID= link.",
        "zh": "“{text}”是 Webex 个人会议室：Webex 只能更改已安排会议系列的主持人，不能更改个人会议室的，"
              "所以我没有执行。请给出该会议的会议号或 j.php?MTID= 链接。",
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
