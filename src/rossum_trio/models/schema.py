"""Schemas: the tree of sections, datapoints, multivalues and tuples a queue extracts.

Each node carries ``category`` (``section``, ``datapoint``, ``multivalue``, ``tuple``) as a real
field, in the official position and with the official default, so ``Datapoint(id="x")`` and
``Datapoint(id="x", category="datapoint")`` both work and encoding writes it like any field. A
node's ``category`` is always its own kind (anything else raises ``ValueError``): a node written
out with another category would come back as a different node.

Decoding picks each child's class by its ``category``. msgspec's tagged unions cannot do it
here, as a struct may not have a field named like its tag (``tag_field``), so containers hold
their children as plain objects for msgspec, and each container's ``__post_init__`` converts
them one level down (:func:`_child`); this is the one place where the models take a dict stage
(schemas are small and rarely listed). The same step keeps a node whose ``category`` is
unknown as a raw ``dict`` in its parent (as the official client does), and it runs whatever
the path: a decoder for ``Schema`` or a page of schemas, ``msgspec.convert``, ``from_dict``,
or construction with dicts as children. Type errors name the full path, e.g.
``$.content[0].children[2].id``.

After decoding (or construction), each node's :attr:`~Node.parent` is its container.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypeVar, cast

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


class Node(msgspec.Struct, Generic[ParentType], dict=True):
    """Base of the schema nodes: the ``parent`` link and ``traverse``."""

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


def _wrong_category(node: object, expected: str) -> None:
    got = getattr(node, "category", None)
    raise ValueError(f"{type(node).__name__}.category is always {expected!r}, got {got!r}")


def _adopt(parent: object, children: Any) -> None:
    for child in children:
        if isinstance(child, Node):
            child._attach(parent)


def _descendants(
    children: Iterable[Any], ignore_buttons: bool, kind: type[Node[Any]] = Node
) -> Iterator[Any]:
    """What each child node of ``kind`` traverses to, in order (raw dicts are skipped)."""
    for child in children:
        if isinstance(child, kind):
            yield from child.traverse(ignore_buttons=ignore_buttons)


class Datapoint(Node["Multivalue | Section | Tuple"]):
    """A datapoint: a single extracted value (a field of the document).

    ``type`` (``string``, ``number``, ``date``, ``enum``, ``button``), ``enum_value_type`` and
    ``format`` (:data:`NumberFormat` or :data:`DateFormat`) are plain strings; ``category`` is
    always ``"datapoint"``.
    """

    id: str
    type: str | None = None
    label: str | None = None
    description: str | None = None
    category: str = "datapoint"  # always
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

    def __post_init__(self) -> None:
        if self.category != "datapoint":
            _wrong_category(self, "datapoint")

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
        """Build from an API dict (``msgspec.ValidationError`` if it does not fit).

        Accepts ``formula``/``comment`` in a matching configuration besides the wire keys.
        """
        return _from_dict(data, cls)


class Tuple(Node["Multivalue | Section"]):
    """A tuple: one row of a table, holding datapoints with different ids."""

    id: str
    # Plain objects for msgspec, converted in __post_init__ (see the module docstring).
    if TYPE_CHECKING:
        children: list[Datapoint]
    else:
        children: list[Any]
    category: str = "tuple"  # always
    label: str | None = None
    disable_prediction: bool = False
    hidden: bool = False
    rir_field_names: list[str] | None = None

    def __post_init__(self) -> None:
        if self.category != "tuple":
            _wrong_category(self, "tuple")
        self.children = _children(self.children, _TUPLE_CHILDREN, Datapoint, "children")
        _adopt(self, self.children)

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Tuple | Datapoint]:
        """Yield this tuple, then its datapoints."""
        yield self
        yield from _descendants(self.children, ignore_buttons)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tuple:
        """Build from an API dict; children of an unknown category stay raw dicts."""
        return _from_dict(data, cls)


class Multivalue(Node["Section"]):
    """A multivalue: repeated occurrences (table rows or a list) of one child template."""

    id: str
    if TYPE_CHECKING:
        children: Datapoint | Tuple
    else:
        children: Any
    category: str = "multivalue"  # always
    label: str | None = None
    rir_field_names: list[str] | None = None
    min_occurrences: int | None = None
    max_occurrences: int | None = None
    grid: dict[str, Any] | None = None
    show_grid_by_default: bool = False
    hidden: bool = False

    def __post_init__(self) -> None:
        if self.category != "multivalue":
            _wrong_category(self, "multivalue")
        self.children = _child(self.children, _MULTIVALUE_CHILDREN, None, "children")
        _adopt(self, (self.children,))

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Multivalue | Datapoint | Tuple]:
        """Yield this multivalue, then its child template and the child's descendants."""
        yield self
        yield from _descendants((self.children,), ignore_buttons)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Multivalue:
        """Build from an API dict; a child of an unknown category stays a raw dict."""
        return _from_dict(data, cls)


class Section(Node["Schema"]):
    """A section: a top-level group of datapoints, multivalues and tuples."""

    id: str
    if TYPE_CHECKING:
        children: list[Datapoint | Multivalue | Tuple] = []
    else:
        children: list[Any] = []
    category: str = "section"  # always
    label: str | None = None
    icon: str | None = None

    def __post_init__(self) -> None:
        if self.category != "section":
            _wrong_category(self, "section")
        self.children = _children(self.children, _SECTION_CHILDREN, None, "children")
        _adopt(self, self.children)

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint | Multivalue | Tuple]:
        """Yield the descendants of this section (not the section itself, as officially)."""
        yield from _descendants(self.children, ignore_buttons)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        """Build from an API dict; children of an unknown category stay raw dicts."""
        return _from_dict(data, cls)


class Schema(Node[None]):
    """A schema (``/schemas/{id}``): the sections and fields extracted by its queues."""

    id: int
    name: str | None = None
    queues: list[str] = []
    url: str | None = None
    if TYPE_CHECKING:
        content: list[Section] = []
    else:
        content: list[Any] = []
    metadata: dict[str, Any] = {}
    modified_by: str | None = None
    modified_at: str | None = None

    def __post_init__(self) -> None:
        self.content = _children(self.content, _SCHEMA_CONTENT, Section, "content")
        _adopt(self, self.content)

    def traverse(self, ignore_buttons: bool = True) -> Iterator[Datapoint | Multivalue | Tuple]:
        """Yield every node below the sections, depth first (not the sections themselves)."""
        yield from _descendants(self.content, ignore_buttons, Section)

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
        return _from_dict(data, cls)


#: The node classes allowed in each container, by ``category``.
_SCHEMA_CONTENT: Mapping[str, type[Node[Any]]] = {"section": Section}
_SECTION_CHILDREN: Mapping[str, type[Node[Any]]] = {
    "datapoint": Datapoint,
    "multivalue": Multivalue,
    "tuple": Tuple,
}
_MULTIVALUE_CHILDREN: Mapping[str, type[Node[Any]]] = {"datapoint": Datapoint, "tuple": Tuple}
_TUPLE_CHILDREN: Mapping[str, type[Node[Any]]] = {"datapoint": Datapoint}

_NodeT = TypeVar("_NodeT", bound=Node[Any])


def _from_dict(data: Any, cls: type[_NodeT]) -> _NodeT:
    """``data`` converted to ``cls`` (the ``from_dict`` of every node)."""
    if not isinstance(data, dict):
        raise msgspec.ValidationError(f"Expected `object`, got `{type(data).__name__}`")
    node: _NodeT = msgspec.convert(_with_wire_keys(data) if cls is Datapoint else data, cls)
    return node


def _with_wire_keys(data: dict[str, Any]) -> dict[str, Any]:
    """A datapoint dict whose matching configuration uses the wire keys (``__formula``, ``//``)
    also where it came with the field names (``formula``, ``comment``)."""
    if not isinstance(data.get("matching"), dict):
        return data
    matching = dict(data["matching"])
    matching["configuration"] = MatchingConfiguration._normalized(matching.get("configuration"))
    return {**data, "matching": matching}


def _children(
    items: list[Any],
    kinds: Mapping[str, type[Node[Any]]],
    untagged: type[Node[Any]] | None,
    name: str,
) -> list[Any]:
    """The list field ``name`` of a container, each item made a node by :func:`_child`."""
    return [_child(item, kinds, untagged, f"{name}[{index}]") for index, item in enumerate(items)]


def _child(
    item: Any, kinds: Mapping[str, type[Node[Any]]], untagged: type[Node[Any]] | None, where: str
) -> Any:
    """One child of a container (at ``$.<where>`` below it) as a node.

    A node stays as it is; a dict becomes the class ``kinds`` names for its ``category`` (or
    ``untagged`` when it has none, ``None``: keep it raw); a dict of unknown category stays a
    dict. Anything else is a type error.
    """
    if isinstance(item, Node):
        return item
    if not isinstance(item, dict):
        raise msgspec.ValidationError(
            f"Expected `object`, got `{type(item).__name__}` - at `$.{where}`"
        )
    category = item.get("category")
    if category is None:
        node_type = untagged
        if node_type is None:
            return item
        if "category" in item:  # ``null``: the class's default applies
            item = {key: value for key, value in item.items() if key != "category"}
    else:
        node_type = kinds.get(category) if isinstance(category, str) else None
        if node_type is None:
            return item
    try:
        return msgspec.convert(_with_wire_keys(item) if node_type is Datapoint else item, node_type)
    except msgspec.ValidationError as exc:
        raise msgspec.ValidationError(_located(str(exc), where)) from None


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")


def _located(message: str, where: str) -> str:
    """A msgspec error message with its path (``- at `$...```) prefixed by ``where``."""
    found = _AT.search(message)
    if found is None:
        return f"{message} - at `$.{where}`"
    return f"{message[: found.start()]} - at `$.{where}{found['path']}`"
