"""Flask's JSON through orjson: plain UTF-8 (Chinese is not escaped), several times faster.

Anything orjson does not write itself (dates, dataclasses, decimals, objects with
`__html__`) goes to Flask's own `default`, so answers read as before, only
smaller: a check's answer is about a third shorter without `\\uXXXX` escapes.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

# dates and dataclasses as Flask writes them; integer keys as strings, like the json module
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | \
    orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs.get("indent") or kwargs.get("sort_keys"):
            return super().dumps(obj, **kwargs)
        return orjson.dumps(obj, default=self.default, option=OPTIONS).decode()

    def response(self, *args: Any, **kwargs: Any):
        obj = self._prepare_response_obj(args, kwargs)
        body = orjson.dumps(obj, default=self.default, option=OPTIONS | orjson.OPT_APPEND_NEWLINE)
        return self._app.response_class(body, mimetype=self.mimetype)
