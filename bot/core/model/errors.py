"""The one exception tree. Expected vendor answers are Outcome values (bot/core/model/outcome.py), not
exceptions; exceptions are for bugs and for requests that cannot go on, told to the user.

    UserFacingError            a message key + values; caught once (bot/core/flow/pipeline.py) and
     │                         replied in the reader's language
     ├─ IdentityError          who was meant cannot be settled (unknown, ambiguous, no vendor id);
     │                         `transient` when asking again later may help
     └─ MeetingProblem         no single meeting could be settled on (none named, vendor not
                               configured, a number that several vendors could own)

(A bad setting is bot.config.ConfigError: a start-up error, never a reply.)

Anything else escaping a handler is a bug: logged with its traceback, answered with an apology.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """A request that cannot go on; `key` is an i18n message and `values` fill it."""

    transient = False

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values: dict[str, object] = dict(values)


class IdentityError(UserFacingError):
    """Who was meant cannot be settled."""

    @classmethod
    def later(cls, key: str, **values: object) -> IdentityError:
        err = cls(key, **values)
        err.transient = True
        return err


class MeetingProblem(UserFacingError):
    """No single meeting could be settled on."""
