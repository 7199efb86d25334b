"""A plain YAML data file read in one pass over libyaml's events: the same tree the YAML library's safe loader gives,
in about a third of the time, or NotPlain.

`lutonkg.data.load.parse_yaml` read each file twice: once as events, to refuse anchors, aliases and deep nesting
before anything is built, then again through the library's composer and constructor (0.12 s and 0.34 s for the
Luton data's 16 files; the composer makes a node and two marks for each of 75,000 values). Here the events are read
once and the tree is built from them directly: mappings as LineDicts with their first line, sequences as lists,
scalars resolved and constructed by the loader's own resolver and constructors.

Only a plain file is read this way: one document of mappings, sequences and scalars of the types the data uses (text,
integer, float, true/false, null), with text keys, no key twice, no anchor, alias or explicit tag, nested no deeper
than the limit. Anything else, malformed YAML included, raises NotPlain, and the caller reads the file the careful
way, which says what is wrong (`tests/test_yaml_reading.py` compares the two readers).
"""

from __future__ import annotations

import yaml

STR = "tag:yaml.org,2002:str"
CONSTRUCTED = frozenset(
    ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")
)
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class LineDict(dict):
    """A YAML mapping that remembers the line it started on."""

    line: int = 0


class NotPlain(Exception):
    """The file is not a plain data file (or not well-formed): read it the careful way."""


class _NoKey:
    """The place of a mapping's next key, before it is read."""


def read_plain(text: str, loader: type[yaml.BaseLoader], most: int) -> object:
    """The tree of a plain YAML text, as yaml.load(text, Loader=loader) gives it (mappings as LineDicts); NotPlain for
    anything else. `loader` gives the resolver and constructors; `most` is the deepest nesting allowed."""
    if loader.yaml_path_resolvers or None in loader.yaml_implicit_resolvers:
        raise NotPlain("the loader resolves by path or for every first character")
    try:
        return _build(yaml.parse(text, Loader=loader), loader(""), most)
    except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
        raise NotPlain(str(exc)) from None


def _build(events: object, reader: yaml.BaseLoader, most: int) -> object:
    """The tree the events describe (see read_plain), built with a stack of open collections."""
    stack: list[list] = []  # [collection, its pending key (mappings; _NoKey before the key is read)]
    top: list = [None, _NoKey]  # the document itself: a holder for one value
    documents = 0
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            _place(top, _scalar(event, reader), True)
        elif kind in _OPEN:
            if event.anchor is not None or event.tag not in (None, "!") or len(stack) >= most:
                raise NotPlain("an anchor, an explicit tag or deep nesting")
            collection: list | LineDict = [] if kind is yaml.SequenceStartEvent else LineDict()
            if kind is yaml.MappingStartEvent:
                collection.line = event.start_mark.line + 1
            _place(top, collection, False)
            stack.append(top)
            top = [collection, _NoKey]
        elif kind in _CLOSE:
            top = stack.pop()
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise NotPlain("more than one document")
        elif kind is yaml.AliasEvent:
            raise NotPlain("an alias")
    return top[0]


def _scalar(event: yaml.ScalarEvent, reader: yaml.BaseLoader) -> object:
    """A scalar's value, resolved and constructed as the loader does; NotPlain for an anchor, an explicit tag or a
    type the data does not use (a merge key, `=`)."""
    value, tag = event.value, event.tag
    if event.anchor is not None or tag not in (None, "!"):
        raise NotPlain("an anchor or an explicit tag")
    plain = event.implicit[0]
    if plain and (not value or value[0] in reader.yaml_implicit_resolvers):
        tag = reader.resolve(yaml.ScalarNode, value, event.implicit)
        if tag in CONSTRUCTED:
            node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
            return reader.yaml_constructors[tag](reader, node)
        if tag != STR:
            raise NotPlain(f"a value of type {tag}")
    return value


def _place(top: list, value: object, scalar: bool) -> None:
    """Put a value into the open collection: appended to a sequence; a mapping's key (text or another scalar, not
    seen before) or the value of its pending key; or the document's one value."""
    collection, key = top
    if type(collection) is list:
        collection.append(value)
    elif type(collection) is not LineDict:
        top[0] = value
    elif key is _NoKey:
        if not scalar or value in collection:
            raise NotPlain("a key that is not a scalar, or a key twice")
        top[1] = value
    else:
        collection[key] = value
        top[1] = _NoKey
