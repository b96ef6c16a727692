"""Every user-facing string, in English and Chinese, in one room (this package).

`t(lang, key, **values)` renders one message. Keys are stable names used by handlers and by
Outcome.reason / Outcome.remedy. The catalog is split by topic into the modules listed in
_CATALOGS; a key defined twice is an import-time error. A test checks that every key has both
languages and that the placeholders agree, so a translation can never crash a reply.
"""

from __future__ import annotations

import re
import string

from bot.i18n import (
    chat,
    core,
    expire,
    feishu,
    fidelity,
    find,
    grammar,
    handover,
    operate,
    operations,
    people,
    policy,
    slack_views,
    undo,
    vendor,
)

Catalog = dict[str, dict[str, str]]

_CATALOGS = (core.CATALOG, vendor.CATALOG, policy.CATALOG, people.CATALOG, chat.CATALOG, handover.CATALOG,
             operations.CATALOG, feishu.CATALOG, operate.CATALOG, grammar.CATALOG,
             fidelity.CATALOG, undo.CATALOG, slack_views.CATALOG, find.CATALOG, expire.CATALOG)


def _merge(catalogs: tuple[Catalog, ...]) -> Catalog:
    merged: Catalog = {}
    for catalog in catalogs:
        clash = merged.keys() & catalog.keys()
        if clash:
            raise ValueError(f"i18n keys defined twice: {sorted(clash)}")
        merged.update(catalog)
    return merged


MESSAGES: Catalog = _merge(_CATALOGS)

LANGS = ("en", "zh")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def t(lang: str, key: str, **values: object) -> str:
    """Render message `key` in `lang` (falls back to English), filling `{placeholders}`."""
    entry = MESSAGES.get(key)
    if entry is None:
        # An Outcome may carry the vendor's own words rather than one of our keys.
        return key
    template = entry.get(lang) or entry["en"]
    if lang == "zh" and values:
        values = _spaced(template, values)
    try:
        return template.format_map(_Defaulting(values))
    except (ValueError, IndexError):
        return template


_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z0-9]")


def _spaced(template: str, values: dict[str, object]) -> dict[str, object]:
    """Chinese text puts a space between a Han character and a Latin word: "设为 Zoom 会议", "2 个 Webex 系列会议"
    (but "设为飞书会议"). A value is spaced where it meets a Han character of the template."""
    out = dict(values)
    for m in re.finditer(r"\{(\w+)\}", template):
        value = out.get(m.group(1))
        if not isinstance(value, str) or not value:
            continue
        before, after = template[m.start() - 1:m.start()], template[m.end():m.end() + 1]
        if _LATIN.match(value[0]) and before and _CJK.match(before):
            value = " " + value
        if _LATIN.match(value[-1]) and after and _CJK.match(after):
            value = value + " "
        out[m.group(1)] = value
    return out


class _Defaulting(dict[str, object]):
    """format_map helper: a missing placeholder renders as '?' instead of raising."""

    def __missing__(self, key: str) -> str:
        return "?"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def detect_lang(text: str) -> str:
    """'zh' when the text has Chinese characters, else 'en'."""
    return "zh" if _CJK.search(text) else "en"


def vendor_name(lang: str, vendor: str) -> str:
    return t(lang, f"vendor_{vendor}") if f"vendor_{vendor}" in MESSAGES else vendor
