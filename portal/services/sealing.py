"""First passwords made by a background import, readable only by the browser that asked for them.

The confirming request makes a key pair (libsodium via PyNaCl), keeps the private key in the person's
signed session cookie and gives the job the public key; the worker seals the password list to it
(a sealed box: X25519 + XSalsa20-Poly1305, anonymous sender). What is stored — the job's parameters and
its result file — can be read by nobody else: not from the database, the file store or a backup.
"""

from __future__ import annotations

import base64

from nacl.public import PrivateKey, PublicKey, SealedBox


def new_key_pair() -> tuple[str, str]:
    """(private, public), base64."""
    private = PrivateKey.generate()
    return (
        base64.b64encode(bytes(private)).decode(),
        base64.b64encode(bytes(private.public_key)).decode(),
    )


def seal(public_key: str, data: bytes) -> bytes:
    """`data` sealed to `public_key` (libsodium sealed box): only the holder of the private key opens it."""
    return bytes(SealedBox(PublicKey(base64.b64decode(public_key))).encrypt(data))


def unseal(private_key: str, data: bytes) -> bytes:
    """The sealed bytes; raises nacl.exceptions.CryptoError for another key or changed bytes."""
    return bytes(SealedBox(PrivateKey(base64.b64decode(private_key))).decrypt(data))
