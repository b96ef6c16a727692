"""The token vault's key derivation is not on the start-up path (issue 27): scrypt runs in a thread of its own."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bot.store import vault as vault_module
from bot.store.vault import SecretVault

PASSPHRASE = "a test passphrase of 16+ chars"


def test_the_vault_is_built_before_its_key_is_derived_and_a_seal_waits_for_that_one_derivation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    derived: list[bytes] = []

    class HeldScrypt:  # the real scrypt, held until the test releases it
        def __init__(self, **params: Any) -> None:
            self.salt, self.real = params["salt"], Scrypt(**params)

        def derive(self, key: bytes) -> bytes:
            derived.append(self.salt)
            started.set()
            assert release.wait(10)
            return self.real.derive(key)

    monkeypatch.setattr(vault_module, "Scrypt", HeldScrypt)
    vault = SecretVault(PASSPHRASE)  # returned while its key is still being derived
    assert started.wait(5)
    sealed: list[str] = []
    sealer = threading.Thread(target=lambda: sealed.append(vault.seal("xoxp-secret")))
    sealer.start()
    sealer.join(0.3)
    assert sealer.is_alive() and sealed == []  # the seal waits for the key being derived
    release.set()
    sealer.join(10)
    assert len(derived) == 1  # derived once, by the vault's own thread, not again by the seal
    assert vault.open(sealed[0]) == "xoxp-secret"
    assert SecretVault(PASSPHRASE).open(sealed[0]) == "xoxp-secret"  # after a restart: the same key from the salt
    assert derived.count(derived[0]) == 2  # which the restarted vault derived from the stored salt
