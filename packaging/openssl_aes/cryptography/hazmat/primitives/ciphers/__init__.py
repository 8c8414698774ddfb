"""``Cipher`` with AES in CBC mode, without padding, on OpenSSL's EVP interface."""

from __future__ import annotations

import ctypes
from typing import Any

from . import algorithms, modes

__all__ = ["Cipher", "algorithms", "modes"]


def _openssl() -> ctypes.CDLL:
    import _hashlib  # noqa: F401 - loads the libcrypto Python itself uses

    with open("/proc/self/maps") as maps:
        path = next(line.split()[-1] for line in maps if "/libcrypto.so" in line)
    lib = ctypes.CDLL(path)
    lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
    lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
    lib.EVP_CIPHER_CTX_set_padding.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.EVP_CipherInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                      ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
    lib.EVP_CipherUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                     ctypes.POINTER(ctypes.c_int), ctypes.c_char_p,
                                     ctypes.c_int]
    lib.EVP_CipherFinal_ex.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                       ctypes.POINTER(ctypes.c_int)]
    for name in ("EVP_aes_128_cbc", "EVP_aes_192_cbc", "EVP_aes_256_cbc"):
        getattr(lib, name).restype = ctypes.c_void_p
    return lib


_lib = _openssl()


class _Context:
    """One encryption or decryption; input a multiple of 16 bytes (no padding)."""

    def __init__(self, key: bytes, iv: bytes, encrypt: bool) -> None:
        self._ctx = _lib.EVP_CIPHER_CTX_new()
        cipher = getattr(_lib, f"EVP_aes_{len(key) * 8}_cbc")()
        if not self._ctx or _lib.EVP_CipherInit_ex(self._ctx, cipher, None, key, iv,
                                                   int(encrypt)) != 1:
            raise ValueError("OpenSSL refused the AES key")
        _lib.EVP_CIPHER_CTX_set_padding(self._ctx, 0)

    def update(self, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(len(data) + 16)
        written = ctypes.c_int(0)
        if _lib.EVP_CipherUpdate(self._ctx, out, ctypes.byref(written), bytes(data),
                                 len(data)) != 1:
            raise ValueError("AES-CBC failed")
        return out.raw[:written.value]

    def finalize(self) -> bytes:
        out = ctypes.create_string_buffer(16)
        written = ctypes.c_int(0)
        try:
            if _lib.EVP_CipherFinal_ex(self._ctx, out, ctypes.byref(written)) != 1:
                raise ValueError("The data is not a whole number of AES blocks")
            return out.raw[:written.value]
        finally:
            _lib.EVP_CIPHER_CTX_free(self._ctx)
            self._ctx = None


class Cipher:
    def __init__(self, algorithm: algorithms.AES, mode: modes.CBC, backend: Any = None) -> None:
        if not isinstance(algorithm, algorithms.AES) or not isinstance(mode, modes.CBC):
            raise NotImplementedError("only AES in CBC mode")
        self.algorithm, self.mode = algorithm, mode

    def encryptor(self) -> _Context:
        return _Context(self.algorithm.key, self.mode.initialization_vector, True)

    def decryptor(self) -> _Context:
        return _Context(self.algorithm.key, self.mode.initialization_vector, False)
