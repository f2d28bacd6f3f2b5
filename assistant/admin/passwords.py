"""The admin password's hash: scrypt from the standard library (hashlib), so no password is stored.

A hash reads "scrypt$<n>$<r>$<p>$<salt>$<key>" (salt and key in base64). Make one with
`python -m assistant.admin.passwords` (it asks for the password twice) and set it as
PLAN_ASSISTANT_ADMIN_PASSWORD_HASH.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import secrets
import sys

# OWASP's scrypt floor is N=2^17, r=8, p=1 (128 MiB); 2^15 (32 MiB, ~0.1 s here) keeps a sign-in
# cheap on a 2-core server while a guess still costs an attacker the same memory and time.
N, R, P = 2**15, 8, 1
KEY_BYTES = 32


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=KEY_BYTES)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, N, R, P)
    return "$".join(["scrypt", str(N), str(R), str(P), base64.b64encode(salt).decode(), base64.b64encode(key).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; False for a hash this cannot read."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        return hmac.compare_digest(_scrypt(password, base64.b64decode(salt), int(n), int(r), int(p)), expected)
    except ValueError:  # not six parts, not numbers, not base64, parameters scrypt refuses
        return False


def _main() -> int:
    password = getpass.getpass("Admin password: ")
    if len(password) < 12:
        print("Use at least 12 characters.", file=sys.stderr)
        return 1
    if getpass.getpass("Again: ") != password:
        print("The two differ.", file=sys.stderr)
        return 1
    print(f"PLAN_ASSISTANT_ADMIN_PASSWORD_HASH='{hash_password(password)}'")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
