"""The token vault's key derivation is not on the start-up path (issue 27). `hostbot run` derives it in the
thread that loads lark-oapi at the first Feishu need: tests/ops/test_lark_imports.py checks that part."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from cryptography.hazmat.primitives.kdf import scrypt as scrypt_module
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bot.store.vault import SecretVault

PASSPHRASE = "a test passphrase of 16+ chars"


def test_the_vault_is_built_without_scrypt_and_a_seal_waits_for_the_one_derivation_under_way(
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

    monkeypatch.setattr(scrypt_module, "Scrypt", HeldScrypt)  # the vault imports it when it derives
    vault = SecretVault(PASSPHRASE)
    assert derived == []  # start-up (build_vault) pays no scrypt
    preparing = threading.Thread(target=vault.prepare)  # what `hostbot run` does at the first Feishu need
    preparing.start()
    assert started.wait(5)
    sealed: list[str] = []
    sealer = threading.Thread(target=lambda: sealed.append(vault.seal("xoxp-secret")))
    sealer.start()
    sealer.join(0.3)
    assert sealer.is_alive() and sealed == []  # the seal waits for the key being derived
    release.set()
    sealer.join(10)
    preparing.join(10)
    assert len(derived) == 1  # derived once, by prepare(), not again by the seal
    assert vault.open(sealed[0]) == "xoxp-secret"
    restarted = SecretVault(PASSPHRASE)
    assert restarted.open(sealed[0]) == "xoxp-secret"  # after a restart: the same key from the stored salt
    assert derived == [derived[0]] * 2

