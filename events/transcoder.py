"""The log's transcoder: the library's JSON transcoder, decoding with orjson.

A rebuild decodes every stored event, and the standard library's parser with a Python hook per object
costs more than reading the rows. orjson parses in C, and only the objects that carry a registered type
(`{"_type_": ..., "_data_": ...}`) are revived in Python, innermost first, as the library's hook does.
Encoding stays the library's own, so the stored bytes (and the audit chain over them) do not change. What
orjson refuses (integers past 64 bits, lone surrogates, NaN) the library's parser still reads.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder


class FastJSONTranscoder(JSONTranscoder):
    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        return self._revive(parsed)

    def _revive(self, value: Any) -> Any:
        """Revive the typed objects in a freshly parsed value, in place (nothing else holds it)."""
        if type(value) is dict:
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                return self._typed(value)
            for key, item in value.items():
                # Inline for the common case, a typed object of plain data (a date, an id): no call per level.
                if type(item) is dict and len(item) == 2 and "_type_" in item and type(item.get("_data_")) is str:
                    value[key] = self._typed(item)
                elif type(item) in _CONTAINERS:
                    value[key] = self._revive(item)
        elif type(value) is list:
            for index, item in enumerate(value):
                if type(item) in _CONTAINERS:
                    value[index] = self._revive(item)
        return value

    def _typed(self, value: dict[str, Any]) -> Any:
        transcoding = self.names.get(value["_type_"])
        if transcoding is None:
            return self._decode_obj(value)  # the library's error for a name never registered
        data = value["_data_"]
        return transcoding.decode(self._revive(data) if type(data) in _CONTAINERS else data)


_CONTAINERS = (dict, list)
