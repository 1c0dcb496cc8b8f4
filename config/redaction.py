"""A submission's status token is its contributor's only key, and it sits in the status page's
address: logs (Django's request warnings, gunicorn's access log with its Referer) show that
address with the token replaced."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote

from gunicorn.glogging import Logger

STATUS_TOKEN = re.compile(r"(/submit/(?:status|thanks)/)[^/?#\s\"']+")
# A log line's words: an address, a Referer, a quoted request line's parts.
LOGGED_WORD = re.compile(r"[^\s\"']+")
# What an address may hold unescaped (RFC 3986's reserved and unreserved characters, less %).
URL_PUNCTUATION = "/:?#[]@!$&'()*+,;=-._~"


def _redact_word(match: re.Match) -> str:
    word = match.group(0)
    # The server decodes %-escapes before routing, so /submit/%73tatus/TOKEN/ opens the
    # status page too, and a Referer's query (?next=%2Fsubmit%2Fstatus%2FTOKEN) can hold
    # the address escaped: such a word is read decoded, its token replaced.
    if "%" in word:
        decoded = word
        for _round in range(3):  # also what a sender escaped twice (%2573tatus)
            decoded = unquote(decoded, errors="replace")
            if "%" not in decoded:
                break
        if STATUS_TOKEN.search(decoded):
            # Quoted again once redacted: a decoded %0A must not start a forged log line.
            return quote(STATUS_TOKEN.sub(r"\1[token]", decoded), safe=URL_PUNCTUATION)
    return STATUS_TOKEN.sub(r"\1[token]", word)


def redact_status_tokens(text: str) -> str:
    return LOGGED_WORD.sub(_redact_word, text)


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
