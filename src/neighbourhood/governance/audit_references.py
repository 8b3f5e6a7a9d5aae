"""Audit references: a pseudonym for the person an audit event names, shown to people who manage accounts
but have no business knowing whose record was opened (administrators).

A reference is a keyed HMAC-SHA256 of the NHS number, cut to 12 hex characters and shown in groups
("3F9A-11C2-7B0E"). Without the key nobody can work out the reference of a given NHS number, nor the other
way round; the same person always has the same reference, so an administrator can still see that one person's
record was opened many times. Only a privacy officer resolves a reference to a person
(governance.privacy_views), and that is audited.

The key is NEIGHBOURHOOD_AUDIT_REFERENCE_KEY if set, otherwise derived from SECRET_KEY. Each audit row stores
its reference (and hashes it into the chain), so changing the key changes references of new rows only;
resolution looks rows up by their stored reference.
"""

import hashlib
import hmac
import os
import re

from django.conf import settings

REFERENCE_LENGTH = 12  # hex characters: 48 bits
_GROUP = 4
# What someone types: any case, with or without the dashes or spaces.
_TYPED = re.compile(r"^[0-9A-F]{12}$")
# A 10-digit number, possibly shown as 999 123 4567 or 999-123-4567, standing on its own.
_NHS_NUMBER_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{4})(?![0-9])")


def _key() -> bytes:
    if configured := os.environ.get("NEIGHBOURHOOD_AUDIT_REFERENCE_KEY"):
        return configured.encode()
    return hmac.new(
        settings.SECRET_KEY.encode(), b"neighbourhood.governance.audit_references", hashlib.sha256
    ).digest()


def reference_for(nhs_number: str) -> str:
    digest = hmac.new(_key(), nhs_number.encode(), hashlib.sha256).hexdigest()[:REFERENCE_LENGTH].upper()
    return "-".join(digest[i : i + _GROUP] for i in range(0, REFERENCE_LENGTH, _GROUP))


def normalise(typed: str) -> str | None:
    """A typed reference in its stored form, or None if it cannot be one."""
    compact = re.sub(r"[\s-]", "", typed or "").upper()
    if not _TYPED.match(compact):
        return None
    return "-".join(compact[i : i + _GROUP] for i in range(0, REFERENCE_LENGTH, _GROUP))


def pseudonymise_text(text: str) -> str:
    """`text` with every 10-digit number in it (an NHS number typed into a free-text reason) replaced by its
    reference."""
    return _NHS_NUMBER_IN_TEXT.sub(lambda m: reference_for("".join(m.groups())), text)


def pseudonymise(value):
    """A JSON value (an audit event's detail) with NHS numbers replaced by references, wherever they are."""
    if isinstance(value, str):
        return pseudonymise_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return reference_for(str(value)) if len(str(value)) == 10 else value
    if isinstance(value, dict):
        return {pseudonymise_text(str(k)): pseudonymise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [pseudonymise(v) for v in value]
    return value
