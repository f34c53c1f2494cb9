"""Uploads stay in memory: never a temporary file, never logged.

Werkzeug spools an upload over 500 KB to a temporary file on disk; this
request class keeps every upload in a BytesIO instead, and lets only the
upload pages take a body larger than MAX_CONTENT_LENGTH (which stays small for
every form and the API).
"""

from __future__ import annotations

import io

from flask import Request, current_app

from app.batch.read import MAX_BYTES

UPLOAD_ENDPOINTS = frozenset({"tools.batch"})
# the file, plus the form's other fields and the multipart boundaries
UPLOAD_MAX_CONTENT_LENGTH = MAX_BYTES + 64 * 1024
# Werkzeug's multipart reader checks its read buffer (file parts included) against
# MAX_FORM_MEMORY_SIZE, so the upload pages need more than the forms' 64 KiB
UPLOAD_MAX_FORM_MEMORY_SIZE = 1024 * 1024


class MemoryRequest(Request):
    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.endpoint in UPLOAD_ENDPOINTS:
            return UPLOAD_MAX_CONTENT_LENGTH
        return Request.max_content_length.fget(self)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        if self._max_form_memory_size is None and current_app and \
                self.endpoint in UPLOAD_ENDPOINTS:
            return UPLOAD_MAX_FORM_MEMORY_SIZE
        return Request.max_form_memory_size.fget(self)

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    def _get_file_stream(self, total_content_length, content_type, filename=None,
                         content_length=None):
        return io.BytesIO()
