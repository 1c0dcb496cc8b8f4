"""Validators the catalog's models share with curation's."""

from __future__ import annotations

from django.core.validators import BaseValidator
from django.utils.deconstruct import deconstructible

# A PostgreSQL btree index row holds at most 2,704 bytes: the unique (paper, link) indexes take
# a link of at most this many bytes in UTF-8. A thousand characters outside ASCII (2 to 4 bytes
# each) passed the length limit and ended in a database error.
LINK_MAX_BYTES = 2000


@deconstructible
class MaxUTF8BytesValidator(BaseValidator):
    message = (
        "This address is too long: at most %(limit_value)s bytes in UTF-8 (it has "
        "%(show_value)s; a character outside A–Z takes 2 to 4)."
    )
    code = "max_bytes"

    def compare(self, size, limit):
        return size > limit

    def clean(self, value):
        return len(value.encode("utf-8", "surrogatepass"))
