"""A submission's status token is its contributor's only key, and it sits in the status page's
address: logs (Django's request warnings, gunicorn's access log with its Referer) show that
address with the token replaced."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from gunicorn.glogging import Logger

STATUS_TOKEN = re.compile(r"(/submit/(?:status|thanks)/)[^/?#\s\"']+")
# A path as it appears in a log line: up to a space, a quote or the query.
LOGGED_PATH = re.compile(r"/[^\s\"'?#]+")


def _redact_path(match: re.Match) -> str:
    path = match.group(0)
    # The server decodes %-escapes before routing, so /submit/%73tatus/TOKEN/ opens the
    # status page too: such a path is logged decoded, its token replaced.
    decoded = unquote(path, errors="replace")
    if decoded != path and STATUS_TOKEN.search(decoded):
        path = decoded
    return STATUS_TOKEN.sub(r"\1[token]", path)


def redact_status_tokens(text: str) -> str:
    return LOGGED_PATH.sub(_redact_path, text)


class RedactStatusTokens(logging.Filter):
    """On the log handlers (settings.LOGGING): every record, whichever logger wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_status_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingGunicornLogger(Logger):
    """gunicorn's logger (`--logger-class`), its access log lines redacted the same way."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_status_tokens(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
