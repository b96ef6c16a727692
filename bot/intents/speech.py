"""The speech act of a line, decided from its form before any intent may change something.

    why_nothing(name, skeleton, spoken) -> "" | "negation" | "question" | "statement"

A line is a request, a question, a statement, or a negated / doubtful request. Only a request may reach
an intent that changes a meeting (doubt.ACTING); the others become Intent("nothing") with the reason.
`skeleton` is the rule text (rules.py: politeness gone, markers for people, meetings and the time);
`spoken` the same text before politeness was taken out, because the polite forms are what make a
question a request: "can you / could you / would you mind …", "能/可以/能不能/能否 … 吗", "帮我 / 麻烦 / 请 …".
Statements are recognised by their form: the verb "host" with a tense or aspect ("is hosting",
"hosted", "will host", "has been made host"), reported speech ("the host said …", "主持人说"),
thanks ("thanks for hosting", "感谢 … 主持"), "the host" as the subject ("the host mic is broken"),
and a past or habitual frame with no request verb ("@小王昨天主持得不错", "上周的会是@bob主持的").
"""

from __future__ import annotations

import re

from bot.intents import doubt
from bot.intents.rules import SUBJECT, M, P, T

_S = re.escape(SUBJECT)
# Words before the request proper that change nothing about it ("hmm should …", "ok, make …").
_LEAD = re.compile(r"^\s*(?:(?:hmm+|um+|uh+|er+m*|well|so|ok(?:ay)?|oh|wait|fyi|btw|嗯+|呃+|那个|好的?)"
                   r"\s*[,，.。!！]*\s*)+")
# The forms that make a line a request although it ends in a question mark or 吗.
_POLITE_REQUEST = re.compile(
    r"\b(?:can|could|would|will)\s+(?:you|u|ya|someone|somebody|anyone)\b|\bif\s+you\s+(?:could|can|would)\b|\bwould\s+you\s+mind\b|^\s*(?:do\s+you\s+)?mind\b"
    r"|\b(?:can|could)\s+(?:we|i|<S>)\b|^\s*(?:can|could)\s+<P>\s+(?:please\s+)?(?:be|become|get|have|take)\b|\bplease\b|\bpls\b|\bplz\b|\bkindly\b"
    r"|^\s*(?:你|您)?(?:能|可以|能不能|可不可以|能否|可否)(?!不)|帮我|帮忙|麻烦|劳驾|拜托|辛苦|(?<!邀|申)请(?!假|客)"
    .replace("<S>", _S).replace("<P>", P)
)
# Doubt that no politeness turns into a request: "should we …?", "要不要 …", "是否应该 …".
_DOUBT_ALWAYS = re.compile(
    r"^\s*(?:should|shall|what\s+if|whether|maybe|perhaps|do\s+you\s+think|would\s+it\s+be|is\s+it\s+wise"
    r"|do\s+we\s+(?:want|need))\b"
    rf"|^\s*would\s+{P}\s+be\b|\bthinking\s+(?:of|about)\b|\bthoughts\s*\?|\bmight\b|\b(?:we|they)\s+may\b"
    rf"|\b(?:i|{_S})\s*(?:wonder|am\s+not\s+sure|'m\s+not\s+sure)\b|\bnot\s+sure\b|\bshould\s+{P}\s+be\b"
    rf"|\bidk\b|\bdunno\b|\bi\s+don'?t\s+know\b|\bwhether\b|\bif\s+{P}\s+(?:should|could|would)\b"
    r"|要不要|^\s*要不(?!要)|该不该|应不应该|是否|会不会|考虑|在想|想想|不确定|拿不准|合适吗|合适不|合不合适|好不好|行不行"
    r"|应该.{0,60}[?？]\s*$"
    # an opinion put to the others, and "who did this?" about a change already made
    r"|我觉得|我认为|我感觉|大家觉得|你们觉得|觉得呢|觉得怎么样|怎么样\s*[?？]*\s*$|如何\s*[?？]+\s*$"
    rf"|(?:\bi|{_S})\s*(?:think|feel|guess|suppose|reckon)\b|\bwhat\s+do\s+(?:you|y'?all|we|people|everyone|folks)"
    r"(?:\s+all)?\s+think\b|\bhow\s+about\b|\bany\s+objections?\b"
    r"|\b(?:maybe|perhaps|possibly)\b"  # "@alice could host maybe", "make @bob host maybe"
    rf"|{P}\s+(?:could|might)\s+(?:host|be)\b"
    r"|谁\s*(?:把|让|给|将|设|改|换|加|邀请|删|移)|\bwho\s+(?:made|set|gave|added|changed|put|invited|removed"
    r"|moved|assigned|switched|handed|did)\b"
)
# A question mark or 吗 makes a doubtful request unless a polite form made it a request.
# A question put to a person, not to hostbot (read on the spoken text: "will you" is politeness to rules.py).
_TO_A_PERSON = re.compile(rf"^\s*{P}\s*[,，:：]?\s*(?:can|could|will|would)\s+(?:you|u)\s+(?:please\s+)?"
                          r"(?:be\b|host\b|run\b|lead\b|chair\b)")  # ("@bob would you take host?" asks hostbot)
_NOT_ASKED = re.compile(r"\b(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?not\b")
_DOUBT_POLITE = re.compile(r"(?<!什)[吗么嘛]\s*[?？]*\s*$|能不能|可不可以|可以吗")
_NEGATION_MORE = re.compile(r"\bstop\s+[a-z]+ing\b"  # "stop making @bob host", "please stop inviting @dave"
                            r"|\blet'?s\s+not\b|\blet\s+us\s+not\b|\bhold\s+off\b|\brather\s+not\b|\bnot\s+yet\b"
                            r"|\bwouldn'?t\b|\bwould\s+not\b|\bdon'?t\s+bother\b|\bwait\s+(?:before|until|till|for)\b"
                            r"|\blet'?s\s+wait\b|还是别|先别|不急着|别急着|先等等|等等再")
# "@dave shouldn't be a co-host anymore": the negation is what is asked for (remove_cohost).
_NOT_COHOST = re.compile(r"\b(?:shouldn'?t|should\s+not|no\s+longer|not|isn'?t|aren'?t)\s+(?:be\s+)?(?:a\s+)?cohost"
                         rf"|\bstop\s+{P}\s+(?:from\s+)?being\s+(?:a\s+)?cohost"
                         r"|不再(?:是|担任|做|当)\s*cohost")
_STATEMENT = re.compile(
    r"\b(?:is|are|was|were|'s|will|'ll|has|have|had|been)\s+(?:(?:\w+|" + P + r")\s+){0,2}?(?:co-?)?host(?:ing|ed)\b"
    r"|\bwill\s+(?:be\s+)?host\b|\b(?:was|were)\s+(?:(?:a|the|our|my)\s+)?(?:\w+\s+)?(?:host|cohost)\b"
    r"|\bhas\s+been\s+(?:made\s+)?(?:the\s+|a\s+)?(?:host|cohost)\b|\bhosted\b(?!\s+by)"
    r"|\b(?:usually|always|often|normally)\s+hosts?\b|\bhosts\s+(?:the|our|a|every|each)\b"
    r"|\b(?:said|says|told|tells|mentioned|announced)\b|\bthanks?\s+(?:for|to)\b|\bthank\s+you\s+for\b|\bthx\s+for\b"
    r"|\b(?:great|good|nice|awesome)\s+(?:job|work)\b|\bkudos\b|\bchanged\s+to\b"
    rf"|^\s*{P}\s*{T}\s*主持(?!人)"
    r"|^\s*(?:the|our|their|your)\s+(?:meeting\s+|current\s+)?host\b(?!\s*(?:to|->|=|:|should|for|of|role)\b)"
    rf"|{P}\s*(?:is|are|was)\s+(?:\w+\s+){{0,3}}?(?:host|cohost)\b|{P}\s*'s\s+(?:the|a|our)\s+(?:host|cohost)\b"
    rf"|{P}\s+(?:\w+\s+)?hosts\b"
    r"|好像|似乎|貌似|据说|听说|估计|\bapparently\b|\bseems\b|\bi\s+heard\b|\bheard\s+that\b"
    r"|(?<!谁)(?<!谁\s)在\s*主持|已经\s*是|已经.{0,6}(?:主持|cohost)|已经.{0,12}了\s*(?:[，,]?\s*(?:谢谢|多谢|感谢|谢啦|辛苦了?)\s*)?[。.!！~]*\s*$"
    r"|\bi(?:'?m|\s+am)\s+(?:\w+\s+)?(?:co-?)?hosting\b"
    r"|主持(?:得|的)(?:不错|很好|真好|挺好|好)|是.{0,12}主持的|是个.{0,5}(?:主持人|cohost)(?!\s*[吗嘛么?？])|(?:主持人|cohost)\s*(?:刚才|刚刚)?\s*(?:说|讲|提到|表示|通知)"
    r"|(?:感谢|谢谢|多谢).{0,12}(?:的)?主持"
    r"|\bi(?:'m|\s+am)\s+(?:\w+\s+)?not\s+(?:the\s+|a\s+)?(?:co-?)?host\b|\b(?:is|are|'s)\s+not\s+(?:the\s+)?host\b"
    r"|\bisn'?t\s+(?:the\s+)?host\b"
    rf"|{P}\s*(?:can'?t|cannot|can\s+not|won'?t|isn'?t\s+able\s+to)\s+(?:host|be\s+(?:the\s+)?host|make\s+it)\b"
    # the speaker telling what they did: "我把主持人给@dave了", "主持人我先给@erin了哈"
    r"|我\s*(?:先|已经|刚|刚刚|刚才|都)?\s*(?:把|给|将|让|帮).{0,40}了\s*[哈啊呀哦啦嘛~。.!！]*\s*$"
    # someone else's wish or request, told to the chat: "my manager wants @bob to be host", "老板想让@dave当主持人"
    r"|(?<!\ue000s\ue000 )\b(?:wants|wanted|asked|asks|suggested|suggests|prefers|preferred|requested|proposed)\b"
    rf"|\b(?:he|she|they|client|customer|boss|manager|team|everyone|everybody|someone|somebody|{P})\s*(?:would|'d)\s+like\b"
    rf"|(?:他|她|他们|她们|老板|经理|领导|主管|老师|客户|同事|大家|对方|{P})\s*(?:也|都|一直)?\s*(?:想要|想|希望|要求|建议)"
)
# A past or habitual frame: with no request verb, the line tells, it does not ask.
_PAST = re.compile(r"上次|上周|上个|昨天|之前|以前|刚才|去年|每次|一直|通常|平时"
                   r"|\blast\s+(?:time|week|one)\b|\byesterday\b")
_VERBS = (r"make|set|give|transfer|hand|handover|pass|switch|swap|let|add|invite|remove|take|put|assign|reassign"
          r"|move|change|cancel|link|bind|delete|drop|kick|pull|bring|call|ring|dial|get|cohost|promote|demote"
          r"|revoke|schedule|appoint|kill|scrap|stop|unlink|attach|connect|associate|track|use|replace|include|loop"
          r"|unset|rm|strip|unassign|migrate|list|show|un-?cohost")
# A verb where a request starts: the line's start (after a time, a meeting or a name), or a clause's.
_CLAUSE = (rf"(?:^|[,，;；.。!！?？:：]|\b(?:and|then|so|pls|please|now)\b)\s*"
           r"(?:(?:the\s+|this\s+|our\s+)?(?:[a-z]+\s+)?(?:meeting|mtg|call)(?:\s+(?:id|number|no\.?))?\s*[:：#-]?\s*)?"
           rf"(?:(?:{T}|{M}|{P})\s*[,，:：\-–—]?\s*)*")
_REQUEST_VERB = re.compile(
    rf"{_CLAUSE}(?:{_VERBS})\b|[把让将给设换改加邀拉叫帮转交]|请(?!假|客)|\bi\s+(?:want|need|'d\s+like|would\s+like)|{_S}"
    rf"|^\s*(?:hosts?|cohost)\s+(?:to\s+)?{P}"
)
# The other forms a request takes: "@bob take host", "@alice you're host now", "host -> @bob", "@alice 当主持人".
_REQUEST_FORM = re.compile(
    rf"{P}\s*[,，:：\-–—]?\s*(?:please\s+|pls\s+)?(?:takes?|you'?re|you\s+are|over\s+to\s+you|can|could|will|should"
    r"|must|needs?\s+to|has\s+to|gets?|as|for|to)\b|接(?:手|管)?\s*(?:主持|cohost)"
    rf"|(?:主持人|主持)\s*[:：]?\s*{P}\s*$|\bto\s+{P}\s*[.!！。]*\s*$"
    rf"|{P}\s*(?:->|→|=>)\s*(?:the\s+)?(?:host|cohost)s?\b"  # "@alice, @bob -> co-hosts"
    rf"|(?:主持人|主持|cohost)\s*(?:->|→|=>|=)\s*{P}"  # "主持人=@bob"
    rf"|^\s*{P}(?:\s*(?:[,，、]|\band\b|和)\s*{P})*\s*[-:：,，]?\s*(?:as\s+)?(?:the\s+)?(?:host|cohost|主持人|主持)"
    rf"(?:\s+(?:of\s+|for\s+)?(?:the\s+)?(?:meeting\s+)?{M})?\s*[.!！。]*\s*$|\b(?:host|cohost)\s*(?:->|→|=>|=|:)|(?:->|→|=>)\s*{P}|{P}\s*(?:你)?\s*(?:来|去)?\s*(?:当|做)|(?:来|去)(?:当|做|主持)|一下"
    r"|吧\s*[。.!！~]*\s*$|取消|移除|删|去掉|撤|绑定|关联|邀请"
)
_YES_NO = re.compile(r"^\s*(?:is|are|was|were|does|did|has|have|am|do)\b|是不是")
# A request said hesitantly, as a question ("hmm, make @bob co-host?"), is not yet asked for.
_TENTATIVE = re.compile(r"^\s*(?:hmm+|um+|uh+|er+m*)\b.*[?？]\s*$")
# A change told as done, with a past frame: a sentence-final 了 (not "…吧", "…一下") or a past-tense verb.
_REPORTED = re.compile(r"(?<!一下)(?<!吧)了\s*[。.!！~]*\s*$|\b(?:made|gave|handed|passed|transferred|moved|switched"
                       r"|took|added|invited|removed|became|got)\b")
_TOLD = re.compile(r"\b(?:is|are|was|were|went|got|had|did|left|took)\b|\b[a-z]+ed\b|了\s*[。.!！~]*\s*$")


def why_nothing(name: str, skeleton: str, spoken: str, has_targets: bool = True, *, slash: bool = False,
                past: bool = False) -> str:
    """"negation" | "question" | "statement" when intent `name` must not act on this line, else "".

    `past`: the line's time phrase is in the past ("yesterday"), which with a completed verb is a report."""
    if name not in doubt.ACTING:
        return ""
    line, said = _LEAD.sub("", skeleton), _LEAD.sub("", spoken)
    if _NOT_COHOST.search(line) and name == "remove_cohost":
        return ""
    if doubt.negated(name, line, _NEGATION_MORE):
        return "negation"
    if _NOT_ASKED.search(said):
        return "negation"  # "could you not make @bob host" (politeness took "could you" out of the rule text)
    if _DOUBT_ALWAYS.search(line) or _TO_A_PERSON.search(said):
        return "question"
    polite = slash or bool(_POLITE_REQUEST.search(said))  # a /host command is a request by its form
    if _DOUBT_POLITE.search(line) and not polite:
        return "question"
    if _STATEMENT.search(said) or (_PAST.search(line) and not _REQUEST_VERB.search(line)):
        return "statement"
    if (past or _PAST.search(line)) and name in _PEOPLE_INTENTS and _REPORTED.search(line) and not polite:
        return "statement"  # "昨天 @bob 把主持人转给我了", "@bob made me host yesterday": it happened
    if (_YES_NO.search(line) or _TENTATIVE.search(skeleton)) and not polite:
        return "question"
    if not has_targets and not polite and not asks(line) and _TOLD.search(line) and name in _PEOPLE_INTENTS:
        return "statement"  # "host rotation doc is in the wiki", "主持人掉线了"
    if has_targets and not polite and not asks(line) and not _REQUEST_FORM.search(line):
        return "statement"  # no request form at all: it tells about hosts, it does not ask
    return ""


_PEOPLE_INTENTS = frozenset({"set_host", "schedule_handover", "add_cohost", "remove_cohost", "invite"})


def asks(skeleton: str) -> bool:
    """Does the line have the form of a request (a request verb, "I want", "把/让/给 …")?"""
    return bool(_REQUEST_VERB.search(_LEAD.sub("", skeleton)))
