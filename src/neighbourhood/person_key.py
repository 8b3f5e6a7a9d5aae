"""The key that names a person in the lake: an NHS number, or a pseudonym.

Direct care sees NHS numbers (the default; the record, `load`, is keyed by them). Population analytics at
integrated-care-system or national scale run on pseudonymised data sets, as they do for real, and the
reserved synthetic test range (999…) holds only 909,091 valid NHS numbers: too few for an ICS of 1 to 3
million.

A pseudonym is "P" and then 15 characters of Crockford's base32 alphabet (digits and capital letters
without I, L, O and U): 16 characters with a letter first, so it can never pass as an NHS number, which is
ten digits. It carries 75 bits, so a few million synthetic pseudonyms do not collide in practice.
"""

import hashlib
import re

import numpy as np

from neighbourhood import nhs_number

PSEUDONYM_PREFIX = "P"
PSEUDONYM_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
PSEUDONYM_BODY_LENGTH = 15
PSEUDONYM_LENGTH = len(PSEUDONYM_PREFIX) + PSEUDONYM_BODY_LENGTH
PSEUDONYM_PATTERN = re.compile(rf"^{PSEUDONYM_PREFIX}[{PSEUDONYM_ALPHABET}]{{{PSEUDONYM_BODY_LENGTH}}}$")

NHS_NUMBER = "nhs_number"
PSEUDONYM = "pseudonym"


def is_pseudonym(key: object) -> bool:
    return isinstance(key, str) and PSEUDONYM_PATTERN.match(key) is not None


def kind_of(key: object) -> str | None:
    """NHS_NUMBER, PSEUDONYM, or None for something that is neither."""
    if is_pseudonym(key):
        return PSEUDONYM
    if isinstance(key, str) and nhs_number.is_valid(key) and len(key) == 10:
        return NHS_NUMBER
    return None


def synthetic_pseudonyms(seed: int, start: int, count: int) -> np.ndarray:
    """Pseudonyms for synthetic people `start` … `start + count - 1` of the lake made with `seed`: the same
    numbers always give the same pseudonyms, whatever the chunking."""
    out = np.empty(count, dtype=object)
    for offset in range(count):
        digest = hashlib.blake2b(f"{seed}:{start + offset}".encode(), digest_size=10).digest()
        value = int.from_bytes(digest, "big") >> (80 - 5 * PSEUDONYM_BODY_LENGTH)
        body = []
        for _ in range(PSEUDONYM_BODY_LENGTH):
            value, index = divmod(value, 32)
            body.append(PSEUDONYM_ALPHABET[index])
        out[offset] = PSEUDONYM_PREFIX + "".join(reversed(body))
    return out
