"""AES-CBC through the OpenSSL Python already loaded, for secretstorage (see README.md)."""
