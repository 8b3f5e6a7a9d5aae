"""Logs never carry patient-level data: request paths name people by NHS number (/people/9990000018/), and
Django logs the path of every refused or missing page. Every record's message and arguments are redacted."""

import logging
import re

from django.core.exceptions import PermissionDenied

# Ten digits, with or without the usual spaces (999 000 0018), not inside a longer number.
NHS_NUMBER_LIKE = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
REDACTED = "[NHS number]"


def redact(text: str) -> str:
    return NHS_NUMBER_LIKE.sub(REDACTED, text)


class RedactNHSNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


class OneLineRefusals(logging.Filter):
    """An ordinary refusal (PermissionDenied, answered 403) is one line: Django's `django.request` logs
    "Forbidden (Permission denied): <path>" with the exception attached, and a traceback for every refused
    page would bury real errors. The refusal itself is audited; the line says it happened."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
