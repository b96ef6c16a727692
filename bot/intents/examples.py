"""Example requests for every intent, in both languages: the help text and the tests use them."""

from __future__ import annotations

EXAMPLES: dict[str, dict[str, tuple[str, ...]]] = {
    "set_host": {
        "en": ("make @alice host of meeting 123456789", "set @alice as host"),
        "zh": ("把 @alice 设为主持人 123456789", "请把主持人交给 @bob"),
    },
    "add_cohost": {
        "en": ("add @bob as co-host", "make @bob and @carol cohosts of zoom meeting 812 3456 7890"),
        "zh": ("把 @bob 设为联席主持人", "添加 @a、@b 为联席主持人"),
    },
    "remove_cohost": {
        "en": ("remove @bob as co-host", "/host cohost remove @bob"),
        "zh": ("取消 @bob 的联席主持人", "移除联席主持人 @bob"),
    },
    "invite": {
        "en": ("invite @carol and @dave to meeting 123456789", "/host invite @carol"),
        "zh": ("邀请 @carol 和 @dave 入会", "把 @carol 拉进会议 123456789"),
    },
    "reassign": {
        "en": ("reassign @dave's meetings to @erin", "move my meetings to @erin"),
        "zh": ("把 @dave 的会议都转给 @erin", "把我的所有会议转交给 @erin"),
    },
    "schedule_handover": {
        "en": ("hand host to @bob at 15:00", "in 20 minutes make @bob host"),
        "zh": ("明天下午三点把主持人交给 @bob", "20分钟后把主持人交给 @bob"),
    },
    "list_handovers": {
        "en": ("list handovers", "show my scheduled handovers"),
        "zh": ("查看定时交接", "有哪些定时交接"),
    },
    "cancel_handover": {
        "en": ("cancel handover #3", "cancel the 3pm handover"),
        "zh": ("取消交接 #3", "取消明天下午三点的交接"),
    },
    "link_meeting": {
        "en": ("link this channel to meeting 123456789", "link this thread to vc.feishu.cn/j/123456789"),
        "zh": ("绑定会议 123456789", "把本群关联到飞书会议 123456789"),
    },
    "who_is_host": {
        "en": ("who is host?", "who's hosting meeting 123456789?"),
        "zh": ("谁是主持人？", "会议 123456789 现在的主持人是谁"),
    },
    "help": {
        "en": ("help", "how do I use this?"),
        "zh": ("帮助", "怎么用"),
    },
    "nothing": {
        "en": ("don't make @alice host", "should I make @alice host?"),
        "zh": ("不要把 @alice 设为主持人", "可以把@bob设为主持人吗？"),
    },
    "did_you_mean": {
        "en": ("mkae @alice hsot",),
        "zh": ("把@bob设为主持仁",),
    },
    "compound": {
        "en": ("make @bob host and @carol co-host",),
        "zh": ("把@bob设为主持人，然后邀请@carol入会",),
    },
}
