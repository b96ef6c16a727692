"""Pass 3 of the parser: which intent the words ask for, and who plays which part.

The rules read a normalised skeleton of the message: lower case, politeness gone, synonyms
folded ("co-host", "联席主持人" -> "cohost"), and the markers of tokens.py standing for people
(<P>), meetings (<M>) and the time (<T>). They are tried in order; the first match wins, so the
specific intents ("who is host", "cancel the handover", "cohost") come before the generic one
("host").
"""

from __future__ import annotations

import re

P = r"\ue000p\d+\ue000"
M = r"\ue000m\d+\ue000"
T = r"\ue000t\ue000"
SUBJECT = "\ue000s\ue000"  # "I" / "我想..." as the subject: the speaker only if nobody else is named


GAP = ".{0,60}"  # a rule's words stand close together; an unbounded `.*` is quadratic on a long line


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile a rule: <P> <M> <T> <S> stand for the markers, and every `.*` is bounded to GAP."""
    pattern = pattern.replace(".*", GAP)
    return re.compile(pattern.replace("<P>", P).replace("<M>", M).replace("<T>", T).replace("<S>", SUBJECT))


# ---- normalisation --------------------------------------------------------------------------
_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(a), b) for a, b in (
    (r"[’‘`´]", "'"),
    (r"\bco[\s-]?hosts?\b|\balt(?:ernative|ernate)?[\s-]hosts?\b", " cohost "),
    (r"联席主持人|联合主持人|共同主持人|协同主持人|副主持人|联席主持|联合主持|协管员|联席", " cohost "),
    (r"\bgimme\b", "give me"),
    (r"\bhand(?:ing)?[\s-]?(?:over|off)s?\b|\bhandoffs?\b", " handover "),
    (r"主持權", "主持权"),
))
_POLITE = re.compile(
    r"\b(?:please|pls|plz|kindly|could\s+you|can\s+you|would\s+you|will\s+you|hey|hi|hello|thanks|thank\s+you"
    r"|let\s+me\s+know|tell\s+me)\b"
    r"|(?<!邀|申)请(?!假|客)你?|麻烦(?:你|您)?|劳驾|拜托|帮我|帮忙|谢谢|告诉我|给我看看?|我想知道|你好|您好"
)
_MY = re.compile(r"\bmy\b|我的|我(?=\s*(?:所有|全部)\s*的?\s*会)")
_ME_OBJECT = re.compile(r"\bme\b|\bmyself\b|我自己|本人")
_ME_SUBJECT_EN = re.compile(r"\bi(?:'m|'ll|'d)?\b")
_ME_SUBJECT_ZH = re.compile(r"我(?=想要|想|要把|希望|需要|打算|准备|要)")
# 我 as a person only where it is one: the object of 把/给/让/… or the one who hosts (我来/我当); elsewhere
# ("我先下了", "我网不好", "我设置的交接") it is the speaker talking, not a target.
_ME_ZH = re.compile(r"(?<=[把给让为成将由叫请和与跟加拉])\s*我(?!们|\s*(?:这|那|会议|的会|今天|明天|下午|上午))"
                    r"|我(?!们)(?=\s*(?:来|当|做|主持|也))")
_ME_ZH_OTHER = re.compile(r"我(?!们)")


def fold(text: str) -> str:
    for pattern, repl in _FOLDS:
        text = pattern.sub(repl, text)
    return text


def strip_polite(text: str) -> str:
    return _POLITE.sub(" ", text)


def mark_me(text: str, person: object) -> str:
    """Replace the words for the speaker by person markers (object) or SUBJECT markers.

    `person` is Lifted.person: called with "me" it returns a new marker.
    """
    call = person  # typed loosely to keep tokens.py and rules.py independent
    text = _MY.sub(" my ", text)
    text = _ME_OBJECT.sub(lambda _: call("me"), text)  # type: ignore[operator]
    text = _ME_SUBJECT_EN.sub(f" {SUBJECT} ", text)
    text = _ME_SUBJECT_ZH.sub(f" {SUBJECT} ", text)
    text = _ME_ZH.sub(lambda _: call("me"), text)  # type: ignore[operator]
    return _ME_ZH_OTHER.sub(" ", text)


# ---- intent rules ------------------------------------------------------------------------------
_HELP = _rx(
    r"^\s*/?(?:help|usage|commands|\?|h|what\s+(?:can\s+you\s+)?do|how\s+do\s+i\s+use\s+(?:this|you|it)|what\s+do\s+you\s+do"
    r"|帮助|使用说明|说明|怎么用|如何使用|你能做什么|你会什么|能做什么|有什么功能"
    r"|(?:有|都有)?(?:什么|哪些)\s*(?:命令|指令|功能)\s*(?:可以用|能用|可用)?|(?:命令|指令)\s*(?:列表|有哪些|都有什么))"
    r"\s*[?？!！.。]*\s*$"
    # "how do I ...?", "怎么用", "怎么把…设为主持人？": a question about using hostbot, answered by the help
    r"|^\s*how\s+(?:do|can|should|would|does)\s+(?:<S>|(?:we|you|one|someone|this|it|hostbot|the\s+bot)\b)"
    r"|(?:怎么|如何|怎样)(?:用|使用)\s*[?？!！。]*\s*$|^\s*how\s+to\b|^\s*(?:怎么|怎样|如何|咋)(?:样|才能|可以|能)?\s*(?:用|使用|操作|把|让|设|给|邀请|取消|绑定|查看)"
)
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Typed "undo" / "cancel" alone (a few words around them at most): the last change, the pending question.
    ("undo", _rx(
        r"^\s*(?:oops|sorry|ugh|argh|no)?\W*(?:undo|revert|roll\s*back|rollback|undo\s+undo|roll\s+(?:that|it|this)\s+back)"
        r"(?:\s+(?:that|it|this|last|the\s+last|my\s+last|change|one|action|step|now|the|host|cohost|previous"
        r"|what\s+(?:you|<S>)\s+(?:just\s+)?did|you\s+just\s+did|just\s+now|pls|please))*"
        r"\s*[!.。！?？]*\s*$"  # "can you please undo that?" is asked as a question
        # "刚才那个撤回一下", "把刚才的改动撤回": what is undone said first, then the verb
        r"|^\s*(?:把|将)?\s*(?:刚才|刚刚|上一步|上一个|上次|最后一次|最近)?\s*(?:的|那个|这个|那步|那一步|那次|操作|修改|更改|改动|变更)*"
        r"\s*(?:撤销|撤回|撤消|回滚|还原)\s*(?:一下|上一步|上一个|上次|刚才|刚刚|的|那个|操作|修改|更改|改动|变更|主持人|cohost|吧|了|撤销|掉)*"
        r"\s*[!.。！]*\s*$")),
    ("cancel", _rx(
        r"^\s*(?:never\s*mind|nvm|ok(?:ay)?|oh|no|nah|nope)?\W*(?:cancel|abort)"
        r"(?:\s+(?:that|it|this|now|my|the|request|one|last))*\s*[!.。！?？]*\s*$"
        r"|^\s*(?:算了|不用了|不要了|不了)?\s*[,，。.]?\s*取消\s*(?:吧|了|掉|一下|它|这个|操作|请求)*\s*[!.。！]*\s*$")),
    ("help", _HELP),
    ("who_is_host", _rx(
        r"\bwho(?:'s|s|\s+is|\s+are)?\b.*\b(?:host(?:ing|s)?|cohost)\b|\b(?:current|present)\s+host\b"
        r"|^\s*is\s+<P>\s+(?:still\s+|now\s+)?(?:the\s+|a\s+)?(?:host|cohost)\b|^\s*(?:the\s+)?host\s*\?\s*$"
        r"|谁是.{0,6}(?:主持人|cohost)|(?:主持人|cohost)\s*是\s*(?:谁|哪位|哪个)|谁在主持|谁主持|谁是主持"
        r"|(?:当前|现在)的?\s*主持人(?:\s*是)?\s*[?？]?\s*$|<P>\s*是(?:不是)?\s*(?:主持人|cohost)\s*[吗嘛么]"
        r"|查(?:看|询|一下)\s*(?:一下)?\s*主持人"
        r"|谁是\s*(?:<M>)?\s*(?:的)?\s*(?:主持人|cohost)|\bwhich\s+(?:person|one|user|member)\b.*\bhost"
        r"|谁是.{0,24}?(?:主持人|cohost|host)|(?:主持人|cohost|host)\s*是\s*(?:谁|哪)|谁在.{0,4}主持"
        r"|<P>\s*是不是\s*(?:主持人|cohost)|\bwho\s+has\s+(?:the\s+)?host\b"
        r"|\bwho(?:'s|\s+is)\s+(?:running|leading|chairing|in\s+charge\s+of)\b"
        r"|^\s*is\s+(?:anyone|anybody|someone|somebody)\s+(?:hosting|the\s+host)\b"
        r"|^\s*is\s+<P>\s+(?:still\s+)?hosting\b|^\s*is\s+it\s+<P>\s+(?:who'?s\s+)?(?:hosting|host)\b|\bare\s+you\s+(?:still\s+)?(?:hosting|the\s+host)\b|\b(?:what|which)\s+meetings?\s+(?:is|are|does|do)\b.{0,30}\bhost"
        r"|^\s*<P>\s+(?:is\s+)?(?:hosting|the\s+host|a\s+cohost|cohost|host)\b[^?]{0,40}\?\s*$"
        r"|(?:主持人|cohost)\s*是\s*<P>\s*[吗嘛么]"
        r"|^\s*<P>\s*(?:'s|is)\s+(?:the\s+|a\s+)?(?:host|cohost)\b.{0,30}\b(?:right|correct|yes)\s*\?\s*$"
        r"|(?:哪位|哪个|哪一位).{0,4}(?:主持人|cohost)|(?:主持人|cohost).{0,4}哪位|谁在?当.{0,4}(?:主持|cohost)"
        # "am I the host?", "do I have host?", "主持人是不是@dave？", "联席主持人有谁", "the host of zoom 850…"
        r"|^\s*am\s+<S>\s+(?:still\s+)?(?:the\s+|a\s+)?(?:host|cohost)\b"
        r"|^\s*do\s+<S>\s+(?:still\s+)?have\s+(?:the\s+)?(?:host|cohost)\b"
        r"|(?:主持人|cohost)\s*是不是\s*<P>|(?:主持人|cohost)\s*(?:有|是)\s*(?:谁|哪些|哪几个|哪几位)"
        r"|^\s*(?:the\s+)?(?:host|cohost)s?\s+(?:of|for|in)\s+(?:the\s+)?(?:(?:feishu|lark|zoom|webex|ding\s?talk)\s+)?"
        r"(?:meeting\s+)?<M>\s*[?？]?\s*$")),
    ("cancel_handover", _rx(
        r"\b(?:cancel(?:l?ing|l?ed)?|delet(?:e|ing)|remov(?:e|ing)|drop(?:ping)?|abort(?:ing)?|unschedul(?:e|ing)"
        r"|call(?:ing)?\s+off|undo(?:ing)?|stop(?:ping)?|kill(?:ing)?|scrap(?:ping)?|scratch(?:ing)?|nix(?:ing)?"
        r"|ditch(?:ing)?)\b.*\b(?:handovers?|schedule[ds]?|transfer)\b"
        # "the handover to @bob, cancel it"
        r"|\bhandovers?\b.*\b(?:cancel|abort|unschedule|call\s+off|scrap|nix|ditch)\b"
        r"|\b(?:cancel|delete|drop|scrap)\s+(?:the\s+|that\s+)?one\s*(?:for\s+|at\s+)?<T>"  # "cancel the one at 3pm"
        r"|(?:取消|删掉|删除)\s*<T>\s*(?:的)?\s*(?:那个|那一个|那次)"
        r"|\bunschedule\b|(?:取消|删除|删掉|撤销|撤回|不要|别)\s*.*(?:交接|定时|计划|安排)"
        r"|(?:交接|定时).{0,20}(?:取消|删|撤|不要了|别做了|别执行|作废|不用了)|^\s*(?:cancel|取消)\s*#\s*\d{1,8}\s*$")),
    ("list_handovers", _rx(
        r"\b(?:list|show|view|see|display|what|which|any|pending|upcoming|scheduled|all)\b.*\b(?:handovers?|schedules?|scheduled)\b"
        r"|^\s*(?:handovers?|schedules?)\s*\??\s*$|^\s*what'?s\s+(?:pending|queued|upcoming)\s*\??\s*$|^\s*my\s+(?:scheduled\s+|pending\s+)?(?:handover|schedules?)\s*\??\s*$"
        r"|^\s*my\s*(?:定时)?(?:交接|计划)\s*[呢吗?？]*\s*$"
        # "is there a handover pending?", "我有定时交接吗"
        r"|\bhandovers?\s+(?:pending|scheduled|queued|upcoming|coming\s+up)\b|\b(?:is|are)\s+there\s+(?:a|any)\s+(?:\w+\s+)?handovers?\b"
        r"|有(?:没有)?\s*(?:什么|哪些|几个)?\s*(?:定时)?(?:交接|定时任务)\s*[吗嘛么?？]"
        # (not "把@erin的会全部交接给@bob": a handover *to* somebody is a reassign's verb)
        r"|(?:查看|列出|显示|看看|看一下|查一下|有哪些|有什么|有没有|列一下|所有|全部|我的)\s*.*(?:交接|定时|计划|安排)(?!\s*给)"
        r"|(?:交接|定时交接|计划)\s*(?:列表|清单|有哪些|有什么)"
        r"|(?:交接|定时任务|定时).{0,12}(?:有哪些|哪些|几个|多少|列表|清单|没执行|待执行|[?？])"
        r"|(?:看下|看看|查下|列下|哪些|几个|多少|待执行|排了|约了|设置的).{0,12}(?:交接|定时)")),
    ("link_meeting", _rx(
        r"\b(?:link|bind|attach|connect|associate|pin|track)\b"
        r"|\b(?:this|the)\s+(?:channel|thread|chat|room|conversation|group)\s+(?:is\s+(?:about|for)|belongs\s+to|goes\s+with|uses?)\b"
        r"|\buse\s+<M>\s+(?:here|for\s+this)|\bset\s+(?:the\s+|this\s+)?(?:channel|thread)(?:'s)?\s+meeting\b"
        r"|绑定|关联|链接到|连到|(?:本|这个|此)\s*(?:群|频道|话题|帖子|线程|会话).{0,8}(?:对应|就是|用|是|开)\s*.{0,6}<M>")),
    ("reassign", _rx(
        r"\breassign|\b(?:transfer|move|hand|give|pass|switch|migrate)\b.*\bmeetings\b|<P>\s*'s\s+(?:\w+\s+)?meetings\b"
        r"|\b(?:every|each|all)\s+(?:of\s+)?(?:the\s+)?meetings?\s+(?:hosted|owned|run|of|from)\b"
        r"|\b(?:transfer|move|hand|give|pass|switch|migrate)\b.*\b(?:every|each|all)\s+(?:of\s+)?(?:\w+\s+)?meetings?\b"
        r"|\bmeetings\s+(?:of|from)\s+<P>|\bmy\s+(?:\w+\s+)?meetings\b|\ball\s+(?:of\s+)?(?:the\s+)?meetings\b"
        r"|(?:所有|全部)\s*的?\s*(?:[a-z]+\s*)?(?:会议|会).*(?:转给|交给|转交|移交|改成|改为|换成|转到|给|转移|改由)"
        # "我的会议都转给@bob" is every meeting; "我的会议主持人换成@dave" is the host of one
        r"|(?:的|\bmy)\s*(?:[a-z]+\s*)?(?:会议|会(?!议))(?:\s*都|(?!\s*的?\s*(?:主持|host)))"
        r".*(?:转给|交给|转交|移交|改成|改为|换成|转到|给|转移|改由)"
        r"|(?:转交|移交|转移).*(?:所有|全部)的?\s*会议|重新分配|改派")),
    ("remove_cohost", _rx(
        r"\b(?:remov(?:e|ing)|rm|drop(?:ping)?|delet(?:e|ing)|revok(?:e|ing)|demot(?:e|ing)|unset(?:ting)?"
        r"|strip(?:ping)?|tak(?:e|ing)\s+away|kick(?:ing)?|unassign(?:ing)?|no\s+longer)\b.*\bcohost"
        r"|\bcohost\b.*\b(?:remove|rm|del|delete|off|revoke)\b|\bnot\s+(?:a\s+)?cohost\b|\bun-?cohost\b"
        r"|\b(?:isn'?t|aren'?t)\s+(?:a\s+)?cohost\b|\bstop\s+<P>\s+(?:from\s+)?being\s+(?:a\s+)?cohost\b"
        r"|\b(?:shouldn'?t|should\s+not|no\s+longer)\s+be\s+(?:a\s+)?cohost"
        r"|\b(?:take|get|kick|knock)\b.{0,30}\b(?:off|out\s+of)\b.{0,20}\bcohost"
        r"|(?:取消|移除|移出|踢出|删除|撤销|去掉|撤掉|拿掉|免去|去除|解除|不再是|不再担任).*cohost"
        r"|cohost.*(?:取消|移除|删除|去掉|撤掉)")),
    ("add_cohost", _rx(r"\bcohost")),
    ("invite", _rx(
        r"\binvit|\b(?:call|ring|dial|bring|pull|add|get)\b.*\b(?:in(?:to)?|to)\s+(?:the\s+|this\s+|our\s+|my\s+)?"
        r"(?:(?:feishu|lark|zoom|webex|ding\s?talk)\s+)?(?:meeting|call|<M>)|^\s*(?:call|ring|dial)\s+<P>"
        r"|\bwant\s+<P>\s+(?:in|on)\s+(?:the\s+|this\s+)?(?:meeting|call)|\bping\s+<P>\s+to\s+join\b"
        r"|邀请|邀|拉.*(?:进|入)|拉\s*(?:一下|一个|下)?\s*<P>|<P>\s*(?:加|拉)进(?:来|会)|呼叫|叫.*(?:进|入|加入)|入会|加入会议|拉人")),
    ("set_host", _rx(
        r"\bhost(?:ing|s|ed)?\b|\bhandover\b|\btake\s+over\b|\btakeover\b|\bhand\b.{0,30}\bover\s+to\b"
        r"|主持人|主持权|主持|交接给|转交给|移交给|交给|转给|交接|接管")),
)

# Words one of which a rule needs before it can match: a substring test is far cheaper than the
# rule's pattern on a long line (rules without an entry are always tried).
_GATES: dict[str, tuple[str, ...]] = {
    "undo": ("undo", "revert", "roll", "撤", "回滚", "还原"),
    "cancel": ("cancel", "abort", "取消"),
    "who_is_host": ("who", "host", "谁", "主持", "查", "哪位", "哪个", "which", "是不是", "am", "do"),
    "cancel_handover": ("handover", "schedule", "transfer", "交接", "定时", "计划", "安排", "#", "one", "那"),
    "list_handovers": ("handover", "schedule", "pending", "queued", "upcoming", "交接", "定时", "计划", "安排"),
    "link_meeting": ("link", "bind", "attach", "connect", "associat", "pin", "track", "channel", "thread", "chat",
                     "room", "conversation", "group", "use", "绑定", "关联", "链接", "连到", "群", "频道", "话题",
                     "帖子", "线程", "会话"),
    "reassign": ("reassign", "meeting", "会", "重新分配", "改派"),
    "remove_cohost": ("cohost",),
    "add_cohost": ("cohost",),
    "invite": ("invit", "want", "ping", "call", "ring", "dial", "bring", "pull", "add", "get", "邀", "拉", "呼叫", "叫",
               "入会", "加入会议", "加进"),
    "set_host": ("host", "handover", "take", "hand", "主持", "交接", "转交", "移交", "交给", "转给", "接管"),
}


def _gated(name: str, text: str) -> bool:
    gate = _GATES.get(name)
    return gate is not None and not any(word in text for word in gate)


# `/host <subcommand>`: words that only mean something right after the command.
_SLASH_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("list_handovers", _rx(r"^\s*(?:list|ls|pending|queue)\b|^\s*(?:列表|列出)")),
    ("cancel_handover", _rx(r"^\s*(?:cancel|unschedule)\b|^\s*取消(?!.*cohost)")),
    ("who_is_host", _rx(r"^\s*(?:who|whois|status)\b|^\s*谁")),
    ("reassign", _rx(r"^\s*(?:reassign|transfer)\b")),
    ("invite", _rx(r"^\s*invite\b|^\s*邀请")),
    ("link_meeting", _rx(r"^\s*(?:link|bind)\b|^\s*绑定")),
)
# With no meeting named, a question ("这个群绑定的是哪个会") or "link" as a noun ("share the meeting link")
# links nothing.
_NOT_LINKING = re.compile(r"哪|什么|\b(?:what|which|where)\b"
                          r"|\b(?:share|send|post|paste|drop|the|meeting|zoom|webex|feishu|invite|join)\s+link\b")
# Words that may stand around the people and the meeting without changing the meaning.
_FILLER = _rx(
    r"\b(?:to|for|of|in|on|at|the|meeting|meetings|call|now|this|and|with|as|be|new|please|pls)\b|[,，、.。!！?？:：;；&+]"
    r"|和|与|跟|及|会议|会|现在|马上|立即|立刻"
)

TARGET_INTENTS = frozenset({"set_host", "schedule_handover", "add_cohost", "remove_cohost", "invite", "reassign",
                            "cancel_handover"})
FROM_INTENTS = frozenset({"set_host", "schedule_handover", "reassign"})


def classify(rule_text: str, slash: bool, has_people: bool, has_meeting: bool) -> str:
    """The intent name for a normalised skeleton (see module docstring)."""
    if slash:
        for name, rule in _SLASH_RULES:
            if rule.search(rule_text):
                return name
    for name, rule in _RULES:
        if not _gated(name, rule_text) and rule.search(rule_text):
            linking_nothing = not has_meeting and _NOT_LINKING.search(rule_text)
            if name == "link_meeting" and (re.search(P, rule_text) or linking_nothing):
                continue  # "make @a host, here is the link": people are never part of a link; nor is a question
            if name == "who_is_host" and re.search(r"\b(?:make|set|let)\b|设为|设成|让", rule_text) and has_people:
                continue  # "make @bob the host, whoever it is now"
            return name
    bare = _FILLER.sub(" ", re.sub(f"{P}|{M}|{T}|{SUBJECT}", " ", rule_text)).strip()
    if not bare:
        if has_people and slash:
            return "set_host"  # `/host @alice`
        if not has_people and not has_meeting:
            return "help"
    return "unknown"


# ---- roles -------------------------------------------------------------------------------
_FROM_BEFORE = _rx(r"(?:\bfrom|\binstead\s+of|\breplac(?:e|ing)|\b(?:hosted|owned|run)\s+by"
                   r"|从|替换掉?|代替|取代|接替)\s*$")
_OF_BEFORE = _rx(r"\b(?:meetings?\s+)?of\s*$")
_POSSESSIVE_AFTER = _rx(r"^\s*(?:'s\b|的\s*(?:所有|全部)?\s*(?:会议|会))")
_TO_BEFORE = _rx(r"(?:\bto|\bwith|\bfor|给|为|成)\s*$")
_NOT_BEFORE = _rx(r"(?:\bnot|\bbut\s+not|不是)\s*$")  # "make @bob host, not @alice": @alice is neither


def split_roles(rule_text: str, intent: str) -> tuple[list[int], int | None]:
    """(marker indexes of the targets in order, marker index of the from-user or None)."""
    markers = list(re.finditer(P, rule_text))
    targets: list[int] = []
    from_idx: int | None = None
    for m in markers:
        idx = int(m.group(0)[2:-1])
        before, after = rule_text[max(0, m.start() - 16):m.start()], rule_text[m.end():m.end() + 16]
        if _NOT_BEFORE.search(before):
            continue
        owner = intent == "reassign" and bool(_OF_BEFORE.search(before) or _POSSESSIVE_AFTER.search(after))
        is_from = (intent in FROM_INTENTS and from_idx is None and not _TO_BEFORE.search(before)
                   and (bool(_FROM_BEFORE.search(before)) or owner))
        if is_from:
            from_idx = idx
        else:
            targets.append(idx)
    if intent == "reassign" and from_idx is None and len(targets) >= 2 and not re.search(r"\bmy\b", rule_text):
        from_idx = targets.pop(0)  # "/host reassign @dave @erin"
    return targets, from_idx
