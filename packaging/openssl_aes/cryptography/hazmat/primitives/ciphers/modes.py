"""The one mode: CBC, with a 16-byte initialisation vector."""

from __future__ import annotations


class CBC:
    def __init__(self, initialization_vector: bytes) -> None:
        if len(initialization_vector) != 16:
            raise ValueError("Invalid IV size for CBC")
        self.initialization_vector = bytes(initialization_vector)
