"""Store rows of user tokens, sealed by the vault (a mixin of bot/store/rows/base.AsyncStore).

Tokens a person granted hostbot at a vendor (Feishu invite) are sealed before they are written and
opened when read (bot/store/vault.py); without HOSTBOT_SECRET_KEY nothing is stored (NoKeyVault).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.store.rows.handovers import iso


class TokenVault(Protocol):
    """Seals tokens before they are stored and opens them when read (bot/store/vault.py)."""

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str) -> str: ...


KEY_HELP = ("set HOSTBOT_SECRET_KEY to a passphrase of at least 16 characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, and keep it: the tokens "
            "stored with it cannot be read without it")


class VaultError(Exception):
    """A value could not be sealed or opened (no key, another key, a damaged value)."""


class NoKeyVault:
    """Without HOSTBOT_SECRET_KEY nothing is stored: sealing fails rather than writing plain text."""

    def seal(self, plain: str) -> str:
        raise VaultError(f"HOSTBOT_SECRET_KEY is not set, so no token can be stored: {KEY_HELP}")

    def open(self, sealed: str) -> str:
        raise VaultError(f"HOSTBOT_SECRET_KEY is not set, so stored tokens cannot be read: {KEY_HELP}")


@dataclass(frozen=True)
class UserToken:
    token: str
    refresh_token: str = ""
    expires_at: datetime | None = None

    def __repr__(self) -> str:  # never print a token, even in a traceback
        return f"UserToken(expires_at={self.expires_at!r})"


class TokenRows:
    """User-token queries; the backend primitives and the vault come from the Store."""

    vault: TokenVault

    async def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def _exec(self, sql: str, args: Sequence[Any] = ()) -> int:
        raise NotImplementedError

    async def _one(self, sql: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    async def save_user_token(self, vendor: str, subject: str, token: str, refresh_token: str = "",
                        expires_at: datetime | None = None) -> None:
        await self._exec("INSERT INTO user_tokens (vendor, subject, token_enc, refresh_enc, expires_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (vendor, subject) DO UPDATE SET "
                   "token_enc = excluded.token_enc, refresh_enc = excluded.refresh_enc, "
                   "expires_at = excluded.expires_at, updated_at = excluded.updated_at",
                   [vendor, subject, self.vault.seal(token), self.vault.seal(refresh_token) if refresh_token else "",
                    iso(expires_at) if expires_at else "", iso(self.now())])

    async def user_token(self, vendor: str, subject: str) -> UserToken | None:
        """The token `subject` granted us at `vendor`, expired or not (the caller decides), or None."""
        r = await self._one("SELECT * FROM user_tokens WHERE vendor = ? AND subject = ?", [vendor, subject])
        if r is None:
            return None
        return UserToken(token=self.vault.open(r["token_enc"]),
                         refresh_token=self.vault.open(r["refresh_enc"]) if r["refresh_enc"] else "",
                         expires_at=datetime.fromisoformat(r["expires_at"]) if r["expires_at"] else None)

    async def delete_user_token(self, vendor: str, subject: str, *, refresh_token: str | None = None) -> bool:
        """Forget `subject`'s token; with `refresh_token`, only while the row still holds that refresh
        token (a renewal that failed must not delete the token another replica just saved). Sealed
        values differ at every seal, so the row is matched on the sealed text that was read and opened:
        a concurrent save changes it and the DELETE then matches nothing. True when a row went."""
        if refresh_token is None:
            return await self._exec("DELETE FROM user_tokens WHERE vendor = ? AND subject = ?", [vendor, subject]) > 0
        r = await self._one("SELECT refresh_enc FROM user_tokens WHERE vendor = ? AND subject = ?", [vendor, subject])
        if r is None or not r["refresh_enc"] or self.vault.open(r["refresh_enc"]) != refresh_token:
            return False
        return await self._exec("DELETE FROM user_tokens WHERE vendor = ? AND subject = ? AND refresh_enc = ?",
                          [vendor, subject, r["refresh_enc"]]) > 0

    async def any_sealed_token(self) -> str | None:
        """One stored (sealed) token, to check that the key opens it (bot/store/vault.check_vault)."""
        r = await self._one("SELECT token_enc FROM user_tokens LIMIT 1")
        return str(r["token_enc"]) if r else None

    async def sealed_tokens(self) -> list[str]:
        """Every stored (sealed) token and refresh token: their keys are derived at start-up, off the loop."""
        rows = await self._rows("SELECT token_enc, refresh_enc FROM user_tokens ORDER BY updated_at")
        return [str(v) for r in rows for v in (r["token_enc"], r["refresh_enc"]) if v]
