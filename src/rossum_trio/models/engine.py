"""Engines (dedicated AI extractors/splitters) and their fields."""

from __future__ import annotations

from typing import Literal

import msgspec

#: Known values of :attr:`EngineField.type` (the field accepts any string).
EngineFieldType = Literal["string", "number", "date", "enum"]
#: Known values of :attr:`EngineField.multiline` (the field accepts any string).
MultilineType = Literal["true", "false", ""]


class Engine(msgspec.Struct):
    """An engine (``/engines/{id}``); ``type`` is ``extractor`` or ``splitter`` (plain ``str``)."""

    id: int
    url: str
    name: str
    type: str
    learning_enabled: bool
    training_queues: list[str]
    description: str
    agenda_id: str
    organization: str


class EngineField(msgspec.Struct):
    """A field an engine extracts (``/engine_fields/{id}``)."""

    id: int
    url: str
    engine: str
    name: str
    tabular: bool
    label: str
    type: str
    subtype: str | None
    pre_trained_field_id: str | None
    multiline: str
