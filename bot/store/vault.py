"""The token vault: user tokens are sealed at rest with a key derived from HOSTBOT_SECRET_KEY.

    SecretVault   Fernet (AES-128-CBC + HMAC-SHA256) under a key that scrypt derives from the
                  passphrase and a random salt; a sealed value is `v1:<salt>:<fernet token>`, so the
                  same passphrase opens it after a restart and nothing else has to be stored.
    NoKeyVault    what runs without a key: it refuses to seal or open anything (never plain text).

HOSTBOT_SECRET_KEY is any passphrase of at least 16 characters (a Fernet key is one too: it is
used as a passphrase, not as the key itself). `build_vault` turns a missing or short key into a
ConfigError when Feishu is configured (Feishu invite needs stored user tokens), and `check_vault`
refuses to start when the key does not open the tokens already stored (it was changed).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bot.config import ConfigError, Settings
from bot.store import Store, TokenVault
from bot.store.rows.tokens import KEY_HELP, NoKeyVault, VaultError

MIN_KEY_CHARS = 16
VERSION = "v1"
SALT_BYTES = 16
# scrypt work factor: ~16 MiB and a few tens of ms per derivation; each salt is derived once.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class SecretVault:
    """Seals with Fernet under a key derived by scrypt from the passphrase (see module docstring)."""

    def __init__(self, passphrase: str) -> None:
        if len(passphrase) < MIN_KEY_CHARS:
            raise ConfigError(f"HOSTBOT_SECRET_KEY is too short ({len(passphrase)} characters): {KEY_HELP}.")
        self._passphrase = passphrase.encode("utf-8")
        self._salt = os.urandom(SALT_BYTES)  # every sealed value names its own salt
        self._fernets: dict[bytes, Fernet] = {}
        # scrypt takes ~0.1 s: derived here, at start-up, never on the event loop when a token is saved.
        self._fernet(self._salt)

    def warm(self, sealed: Iterable[str]) -> None:
        """Derive the key of every salt these values name (start-up), and seal with the newest one's
        salt from now on: one salt per database, so no scrypt runs on the event loop to open a token."""
        last = b""
        for value in sealed:
            salt = _salt_of(value)
            if salt:
                self._fernet(salt)
                last = salt
        if last:
            self._salt = last

    def __repr__(self) -> str:  # never show the passphrase, even in a traceback
        return "SecretVault(<key>)"

    def _fernet(self, salt: bytes) -> Fernet:
        fernet = self._fernets.get(salt)
        if fernet is None:
            key = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(self._passphrase)
            fernet = self._fernets[salt] = Fernet(base64.urlsafe_b64encode(key))
        return fernet

    def seal(self, plain: str) -> str:
        token = self._fernet(self._salt).encrypt(plain.encode("utf-8")).decode("ascii")
        return f"{VERSION}:{base64.urlsafe_b64encode(self._salt).decode('ascii')}:{token}"

    def open(self, sealed: str) -> str:
        version, _, rest = sealed.partition(":")
        salt_b64, _, token = rest.partition(":")
        if version != VERSION or not token:
            raise VaultError("not a value sealed by hostbot's vault")
        try:
            salt = base64.urlsafe_b64decode(salt_b64.encode("ascii"))
            return self._fernet(salt).decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, binascii.Error, ValueError):
            raise VaultError("HOSTBOT_SECRET_KEY does not open this value (another key, or damaged)") from None


def _salt_of(sealed: str) -> bytes:
    version, _, rest = sealed.partition(":")
    if version != VERSION:
        return b""
    try:
        return base64.urlsafe_b64decode(rest.partition(":")[0].encode("ascii"))
    except (binascii.Error, ValueError):
        return b""


def build_vault(settings: Settings) -> TokenVault:
    """The vault for `settings`; a ConfigError (a clear start-up error) when the key is unusable.

    With Feishu configured a key is required: Feishu invite works only with each person's own
    user_access_token, which hostbot stores (encrypted) once they authorize it.
    """
    if settings.secret_key:
        return SecretVault(settings.secret_key)
    if settings.feishu_configured:
        raise ConfigError("HOSTBOT_SECRET_KEY is not set, and Feishu is configured: Feishu invite stores each "
                          f"person's authorization (user_access_token) encrypted with it; {KEY_HELP}.")
    return NoKeyVault()


def check_vault(store: Store) -> None:
    """Refuse to start when the key cannot open the user tokens already stored (the key changed)."""
    if not isinstance(store.vault, SecretVault):
        return
    sealed = store.any_sealed_token()
    if sealed is None:
        return
    try:
        store.vault.open(sealed)
        store.vault.warm(store.sealed_tokens())
    except VaultError:
        raise ConfigError(f"HOSTBOT_SECRET_KEY does not open the user tokens stored in {store.describe()}: was it "
                          "changed? Put the previous key back, or delete those tokens (table user_tokens) "
                          "and people will be asked to authorize hostbot again.") from None
