"""Schemas: the tree of sections, datapoints, multivalues and tuples a queue extracts.

The nodes form a tagged union on the wire key ``category`` (``section``, ``datapoint``,
``multivalue``, ``tuple``). msgspec does not let a field share the tag's name, so ``category``
is a class attribute on each node (``Datapoint.category == "datapoint"``), still emitted by
encoding; it is therefore not a constructor argument as in the official dataclasses.

Decoding is tolerant: a node whose ``category`` is unknown stays a raw ``dict`` in its parent's
``children`` (as the official client does). To make that hold on every decode path (a decoder
for ``Schema`` or for a page of schemas, ``msgspec.convert``, :meth:`Schema.from_dict`),
``Schema.content`` is decoded in two steps: msgspec yields plain objects for the sections, and
``Schema.__post_init__`` converts each one with the strict tagged union, falling back to a
per-node walk only for a section that holds something unknown. This is the one place where the
models take a dict stage; schemas are small and rarely listed.

After decoding (or construction), each node's :attr:`~Node.parent` is its container.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeAlias, TypeVar, cast

import msgspec

from rossum_trio.models._common import known

ParentType = TypeVar("ParentType")

#: A date format such as ``D/M/YYYY`` (any string).
DateFormat: TypeAlias = str
#: Known number formats of a ``number`` datapoint.
NumberFormat = Literal[
    "# ##0,#", "# ##0.#", "#,##0.#", "#'##0.#", "#.##0,#", "# ##0", "#,##0", "#'##0", "#.##0"
]


class ValueSource(StrEnum):
    """Where a datapoint's value comes from (see :attr:`Datapoint.value_source`)."""

    CAPTURED = "captured"
    DATA = "data"
    MANUAL = "manual"
    FORMULA = "formula"
    REASONING = "reasoning"
    LOOKUP = "lookup"


class MatchingQuery(msgspec.Struct):
    """One query of a Master Data Hub matching; ``comment`` is the wire key ``//``."""

    aggregate: list[dict[str, Any]]
    comment: str = msgspec.field(default="", name="//")


class MatchingVariable(msgspec.Struct):
    """A variable of a Master Data Hub matching; ``formula`` is the wire key ``__formula``."""

    formula: str = msgspec.field(default="", name="__formula")


def _renamed(data: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    """``data`` with key ``old`` renamed to ``new`` unless ``new`` is already present."""
    if old in data and new not in data:
        data = dict(data)
        data[new] = data.pop(old)
    return data


class MatchingConfiguration(msgspec.Struct):
    """Configuration of a Master Data Hub matching: dataset, queries and variables."""

    dataset: str
    queries: list[MatchingQuery]
    variables: dict[str, MatchingVariable]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MatchingConfiguration:
        """Build from an API dict, accepting ``formula``/``comment`` as well as the wire keys
        ``__formula``/``//``."""
        return msgspec.convert(cls._normalized(data), cls)

    @staticmethod
    def _normalized(data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        queries = data.get("queries")
        if isinstance(queries, list):
            data["queries"] = [
                _renamed(q, "comment", "//") if isinstance(q, dict) else q for q in queries
            ]
        variables = data.get("variables")
        if isinstance(variables, dict):
            data["variables"] = {
                name: _renamed(v, "formula", "__formula") if isinstance(v, dict) else v
                for name, v in variables.items()
            }
        return data


class Matching(msgspec.Struct):
    """Master Data Hub matching of a datapoint; ``type`` is ``master_data_hub``."""

    type: str
    configuration: MatchingConfiguration


class Node(msgspec.Struct, Generic[ParentType], dict=True, tag_field="category"):
    """Base of the schema nodes: the ``parent`` link and ``traverse``."""

    category: ClassVar[str]

    @property
    def parent(self) -> ParentType | None:
        """The container of this node (``None`` for a detached node or a schema)."""
        return cast("ParentType | None", self.__dict__.get("_parent"))

    def _attach(self, parent: object) -> None:
        # A runtime-only link kept in the instance __dict__ (the Struct has ``dict=True``), so it
        # is neither a field nor encoded, compared or shown in repr.
        self.__dict__["_parent"] = parent

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Node[Any]]:
        """Iterate over this node and its descendants."""
        raise NotImplementedError


def _adopt(parent: object, children: Any) -> None:
    for child in children:
        if isinstance(child, Node):
            child._attach(parent)


class Datapoint(Node["Multivalue | Section | Tuple"], tag="datapoint"):
    """A datapoint: a single extracted value (a field of the document).

    ``type`` (``string``, ``number``, ``date``, ``enum``, ``button``), ``enum_value_type`` and
    ``format`` (:data:`NumberFormat` or :data:`DateFormat`) are plain strings.
    """

    category: ClassVar[str] = "datapoint"

    id: str
    type: str | None = None
    label: str | None = None
    description: str | None = None
    disable_prediction: bool = False
    hidden: bool = False
    can_export: bool = True
    can_collapse: bool = False
    rir_field_names: list[str] | None = None
    default_value: str | None = None
    constraints: dict[str, Any] = {}
    score_threshold: float | None = None
    options: list[dict[str, Any]] | None = None
    ui_configuration: dict[str, Any] | None = None
    width: int | None = None
    stretch: bool = False
    width_chars: int | None = None
    formula: str | None = None
    prompt: str | None = None
    context: list[str] | None = None
    matching: Matching | None = None
    enum_value_type: str | None = None
    format: str | None = None

    @property
    def is_button(self) -> bool:
        """Whether the datapoint is a button."""
        return self.type == "button"

    @property
    def value_source(self) -> str:
        """Where the value comes from: ``ui_configuration["type"]`` if set (a
        :class:`ValueSource` member when known), else ``MANUAL`` if prediction is disabled,
        else ``CAPTURED``."""
        ui_type = (self.ui_configuration or {}).get("type")
        if isinstance(ui_type, str) and ui_type:
            return known(ValueSource, ui_type)
        return ValueSource.MANUAL if self.disable_prediction else ValueSource.CAPTURED

    @property
    def is_formula(self) -> bool:
        """Whether the value is computed by a formula."""
        return self.type == "formula" or self.value_source == ValueSource.FORMULA

    @property
    def is_reasoning(self) -> bool:
        """Whether the value is produced by reasoning (a prompt)."""
        return self.type == "reasoning" or self.value_source == ValueSource.REASONING

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint]:
        """Yield this datapoint, unless it is a button and ``ignore_buttons`` is set."""
        if not (ignore_buttons and self.is_button):
            yield self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Datapoint:
        """Build from an API dict (``msgspec.ValidationError`` if it does not fit)."""
        data = _without(data, "category")
        if isinstance(data.get("matching"), dict):
            matching = dict(data["matching"])
            matching["configuration"] = MatchingConfiguration._normalized(
                matching.get("configuration")
            )
            data["matching"] = matching
        return msgspec.convert(data, cls)


class Tuple(Node["Multivalue | Section"], tag="tuple"):
    """A tuple: one row of a table, holding datapoints with different ids."""

    category: ClassVar[str] = "tuple"

    id: str
    children: list[Datapoint]
    label: str | None = None
    disable_prediction: bool = False
    hidden: bool = False
    rir_field_names: list[str] | None = None

    def __post_init__(self) -> None:
        _adopt(self, self.children)

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Tuple | Datapoint]:
        """Yield this tuple, then its datapoints."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.traverse(ignore_buttons=ignore_buttons)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tuple:
        """Build from an API dict; children of an unknown category stay raw dicts."""
        children = [
            _node_from_dict(child, _TUPLE_CHILDREN, Datapoint)
            for child in _list_field(data, "children", [])
        ]
        node = msgspec.convert({**_without(data, "category", "children"), "children": []}, cls)
        node.children = children  # may hold raw dicts
        node.__post_init__()
        return node


class Multivalue(Node["Section"], tag="multivalue"):
    """A multivalue: repeated occurrences (table rows or a list) of one child template."""

    category: ClassVar[str] = "multivalue"

    id: str
    children: Datapoint | Tuple
    label: str | None = None
    rir_field_names: list[str] | None = None
    min_occurrences: int | None = None
    max_occurrences: int | None = None
    grid: dict[str, Any] | None = None
    show_grid_by_default: bool = False
    hidden: bool = False

    def __post_init__(self) -> None:
        _adopt(self, (self.children,))

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Multivalue | Datapoint | Tuple]:
        """Yield this multivalue, then its child template and the child's descendants."""
        yield self
        if isinstance(self.children, Node):
            yield from self.children.traverse(ignore_buttons=ignore_buttons)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Multivalue:
        """Build from an API dict; a child of an unknown category stays a raw dict."""
        rest = _without(data, "category", "children")
        if "children" not in data:
            return msgspec.convert(rest, cls)  # reports the missing field
        child = _node_from_dict(data["children"], _MULTIVALUE_CHILDREN, None)
        # ``children`` is required: convert with a stand-in, then put the real child in place.
        node = msgspec.convert({**rest, "children": {"category": "datapoint", "id": ""}}, cls)
        node.children = child  # may be a raw dict
        node.__post_init__()
        return node


class Section(Node["Schema"], tag="section"):
    """A section: a top-level group of datapoints, multivalues and tuples."""

    category: ClassVar[str] = "section"

    id: str
    children: list[Datapoint | Multivalue | Tuple] = []
    label: str | None = None
    icon: str | None = None

    def __post_init__(self) -> None:
        _adopt(self, self.children)

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint | Multivalue | Tuple]:
        """Yield the descendants of this section (not the section itself, as officially)."""
        for child in self.children:
            if isinstance(child, Node):
                yield from child.traverse(ignore_buttons=ignore_buttons)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        """Build from an API dict; children of an unknown category stay raw dicts."""
        children = [
            _node_from_dict(child, _SECTION_CHILDREN, None)
            for child in _list_field(data, "children", [])
        ]
        node = msgspec.convert({**_without(data, "category", "children"), "children": []}, cls)
        node.children = children  # may hold raw dicts
        node.__post_init__()
        return node


class Schema(Node[None], tag=False):
    """A schema (``/schemas/{id}``): the sections and fields extracted by its queues."""

    id: int
    name: str | None = None
    queues: list[str] = []
    url: str | None = None
    # Decoded as plain objects, converted in __post_init__ (see the module docstring); type
    # checkers see the sections.
    if TYPE_CHECKING:
        content: list[Section] = []
    else:
        content: list[Any] = []
    metadata: dict[str, Any] = {}
    modified_by: str | None = None
    modified_at: str | None = None

    def __post_init__(self) -> None:
        self.content = [_section(item, index) for index, item in enumerate(self.content)]
        _adopt(self, self.content)

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint | Multivalue | Tuple]:
        """Yield every node below the sections, depth first (not the sections themselves)."""
        for section in self.content:
            if isinstance(section, Section):
                yield from section.traverse(ignore_buttons=ignore_buttons)

    def get_by_id(
        self, node_id: str, ignore_buttons: bool = True
    ) -> Section | Multivalue | Tuple | Datapoint | None:
        """Return the node (sections included) with ``id == node_id``, or ``None``."""
        for section in self.content:
            if isinstance(section, Section) and section.id == node_id:
                return section
        for node in self.traverse(ignore_buttons=ignore_buttons):
            if node.id == node_id:
                return node
        return None

    def formula_fields(self, ignore_buttons: bool = True) -> Iterator[Datapoint]:
        """Yield the datapoints computed by a formula."""
        for node in self.traverse(ignore_buttons=ignore_buttons):
            if isinstance(node, Datapoint) and node.is_formula:
                yield node

    def reasoning_fields(self, ignore_buttons: bool = True) -> Iterator[Datapoint]:
        """Yield the datapoints produced by reasoning."""
        for node in self.traverse(ignore_buttons=ignore_buttons):
            if isinstance(node, Datapoint) and node.is_reasoning:
                yield node

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        """Build from an API dict, tolerating nodes of unknown category (kept as raw dicts).

        Accepts ``formula``/``comment`` in matching configurations besides the wire keys.
        Raises ``msgspec.ValidationError`` for values of the wrong type.
        """
        if not isinstance(data, dict):
            raise msgspec.ValidationError(f"Expected `object`, got `{type(data).__name__}`")
        content = [
            _node_from_dict(section, _SCHEMA_CONTENT, Section)
            for section in _list_field(data, "content", [])
        ]
        schema = msgspec.convert({**_without(data, "content"), "content": []}, cls)
        schema.content = content  # may hold raw dicts
        _adopt(schema, content)
        return schema


_SCHEMA_CONTENT: dict[str, Any] = {"section": Section}
_SECTION_CHILDREN: dict[str, Any] = {
    "datapoint": Datapoint,
    "multivalue": Multivalue,
    "tuple": Tuple,
}
_MULTIVALUE_CHILDREN: dict[str, Any] = {"datapoint": Datapoint, "tuple": Tuple}
_TUPLE_CHILDREN: dict[str, Any] = {"datapoint": Datapoint}


def _without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in keys}


def _list_field(data: dict[str, Any], key: str, default: list[Any]) -> list[Any]:
    value = data.get(key, default)
    if not isinstance(value, list):
        raise msgspec.ValidationError(
            f"Expected `array`, got `{type(value).__name__}` - at `{key}`"
        )
    return value


def _section(item: Any, index: int) -> Any:
    """Item ``index`` of ``Schema.content`` as a :class:`Section` (or raw dict if unknown)."""
    if isinstance(item, Section):
        return item
    try:
        if not isinstance(item, dict):
            raise msgspec.ValidationError(f"Expected `object`, got `{type(item).__name__}`")
        try:
            return msgspec.convert(item, Section)  # the fast, strict path
        except msgspec.ValidationError:
            # Something unknown (or wrong) inside: walk it node by node, which keeps unknown
            # nodes as raw dicts and re-raises genuine type errors.
            return _node_from_dict(item, _SCHEMA_CONTENT, Section)
    except msgspec.ValidationError as exc:
        raise msgspec.ValidationError(f"{exc} (in `content[{index}]`)") from exc


def _node_from_dict(data: Any, allowed: dict[str, Any], untagged: Any) -> Any:
    """Convert one node dict by its ``category``; unknown categories stay the raw dict.

    ``untagged`` is the node type assumed when ``category`` is missing (``None``: keep raw).
    """
    if not isinstance(data, dict):
        raise msgspec.ValidationError(f"Expected `object`, got `{type(data).__name__}`")
    category = data.get("category")
    if category is None:
        node_type = untagged
    elif isinstance(category, str):
        node_type = allowed.get(category)
    else:
        node_type = None
    if node_type is None:
        return data
    return node_type.from_dict(data)
