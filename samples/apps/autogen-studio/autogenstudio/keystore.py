"""Secrets at rest: API keys are stored Fernet-encrypted, with the key in a 0600 file beside the database.

A stored value looks like ``fernet:<token>``. Values without the prefix (rows written by an older Studio) are read
as they are and encrypted the next time the row is saved.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence

logger = logging.getLogger(__name__)
PREFIX = "fernet:"
KEY_FILE_NAME = "studio.key"
PRIVATE_FILE_MODE = 0o600


def make_private_file(path: Path) -> None:
    """Create ``path`` if needed and make it readable and writable by its owner only."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE)
    os.close(fd)
    os.chmod(path, PRIVATE_FILE_MODE)


class KeyStore:
    """Encrypts and decrypts the secret fields of stored records with one Fernet key kept in ``key_file``."""

    def __init__(self, key_file: Path, secret_fields: Mapping[str, Sequence[str]]) -> None:
        try:
            from cryptography.fernet import Fernet
        except ImportError as exc:  # pragma: no cover - a dependency of autogenstudio
            raise ImportError(
                "AutoGen Studio stores API keys encrypted and needs the 'cryptography' package: "
                "pip install cryptography (it is a dependency of autogenstudio)"
            ) from exc
        self.key_file = key_file
        self.secret_fields = {kind: tuple(fields) for kind, fields in secret_fields.items()}
        self._fernet = Fernet(self._load_or_create_key(key_file))

    @staticmethod
    def _load_or_create_key(key_file: Path) -> bytes:
        from cryptography.fernet import Fernet

        try:
            fd = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        except FileExistsError:
            os.chmod(key_file, PRIVATE_FILE_MODE)
            key = key_file.read_bytes().strip()
            try:
                Fernet(key)
            except ValueError:
                raise ValueError(
                    f"{key_file} is not a Fernet key; restore it from a backup, or delete it and enter the "
                    "models' API keys again"
                ) from None
            return key
        key = Fernet.generate_key()
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        return key

    def seal(self, kind: str, data: Dict[str, Any]) -> Dict[str, Any]:
        """A copy of ``data`` with its secret fields encrypted."""
        fields = self.secret_fields.get(kind, ())
        if not fields:
            return data
        out = dict(data)
        for name in fields:
            value = out.get(name)
            if isinstance(value, str) and value and not value.startswith(PREFIX):
                out[name] = PREFIX + self._fernet.encrypt(value.encode()).decode()
        return out

    def unseal(self, kind: str, data: Dict[str, Any]) -> Dict[str, Any]:
        """``data`` with its secret fields decrypted (in place)."""
        for name in self.secret_fields.get(kind, ()):
            value = data.get(name)
            if isinstance(value, str) and value.startswith(PREFIX):
                data[name] = self._decrypt(value[len(PREFIX) :])
        return data

    def _decrypt(self, token: str) -> Optional[str]:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:  # the row stays readable; the model works again once its key is entered anew
            logger.warning("a stored API key cannot be decrypted with %s (was the key file replaced?)", self.key_file)
            return None
