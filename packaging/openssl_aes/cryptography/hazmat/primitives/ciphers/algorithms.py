"""The one algorithm: AES, with a 128, 192 or 256-bit key."""

from __future__ import annotations


class AES:
    block_size = 128

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError("Invalid key size for AES")
        self.key = bytes(key)
