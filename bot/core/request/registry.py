"""Intent registry: `@intent(...)` tags a handler; Registry collects an explicit tuple of them.

As in errbot, the decorator only tags the function (no global mutable state) and the handler's
docstring is its help text. The intent's policy is declared here too, next to its name:
`confirm` (ConfirmMode: always / never / others, overridable by HOSTBOT_CONFIRM) and `authority`
(who may go ahead without approval; a Plan may narrow it for a sub-operation). A handler plans:
it returns a Plan (bot/core/model/plan.py) for the gate, or replies when there is nothing to gate.
Each intent's example requests are declared there too, once, per language: help lists them and a
test parses every one back to its intent. A duplicate intent name is a start-up error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.core.model.events import Reply
from bot.core.model.plan import Authority, ConfirmMode, Plan
from bot.core.request.request import Answer

# What a handler is given: the Context (bot/core/request/context.py, whose Services hold a Registry[Context]).
# A type parameter rather than an import, so that the context and the registry do not import each other.
C = TypeVar("C")
Handler = Callable[[C], Awaitable["Plan | Answer | list[Reply]"]]
H = TypeVar("H", bound=Callable[[Any], Awaitable["Plan | Answer | list[Reply]"]])

_TAG = "__hostbot_intent__"


@dataclass(frozen=True)
class IntentSpec(Generic[C]):
    name: str
    handler: Handler[C]
    examples: Mapping[str, tuple[str, ...]]  # language -> example requests (help, "did you mean", tests)
    help: str
    confirm: ConfirmMode = ConfirmMode.NEVER
    authority: Authority = Authority.SPEAKER

    def examples_in(self, lang: str) -> tuple[str, ...]:
        """The examples in `lang`, else in English."""
        return self.examples.get(lang) or self.examples.get("en", ())


def intent(name: str, examples: Mapping[str, Iterable[str]] | None = None, *,
           confirm: ConfirmMode = ConfirmMode.NEVER, authority: Authority = Authority.SPEAKER) -> Callable[[H], H]:
    """Tag an async handler as the one for intent `name`, with its examples ({"en": …, "zh": …}) and
    its policy; returns it unchanged."""
    by_lang = {lang: tuple(texts) for lang, texts in (examples or {}).items()}

    def tag(fn: H) -> H:
        doc = (fn.__doc__ or "").strip().splitlines()
        setattr(fn, _TAG, IntentSpec(name, fn, by_lang, doc[0] if doc else name, confirm, authority))
        return fn

    return tag


class DuplicateIntentError(ValueError):
    pass


class Registry(Generic[C]):
    def __init__(self, handlers: Iterable[Handler[C]]) -> None:
        self._specs: dict[str, IntentSpec[C]] = {}
        for fn in handlers:
            spec = getattr(fn, _TAG, None)
            if not isinstance(spec, IntentSpec):
                raise TypeError(f"{fn!r} is not tagged with @intent")
            if spec.name in self._specs:
                raise DuplicateIntentError(f"two handlers for intent {spec.name!r}")
            self._specs[spec.name] = spec

    def get(self, name: str) -> IntentSpec[C] | None:
        return self._specs.get(name)

    def specs(self) -> list[IntentSpec[C]]:
        return list(self._specs.values())
