"""JunOS's ``| display json``: the RPC reply's XML, converted element by element, printed as JunOS prints it.

The device converts its XML reply mechanically (what the renderers here build as Python values):

* one top-level object whose key is the reply element (``"route-information"``), its value a
  list holding that element;
* every child element is a key whose value is a *list* of elements, even when there is one;
* a text element is ``{"data": "text"}`` -- always a string, numbers too (``"data" : "170"``);
  an empty element (``<selected-next-hop/>``) is ``{"data": [null]}``;
* XML attributes go under ``"attributes"`` (``{"junos:seconds": "182331"}``, ``{"junos:format":
  "Enabled"}``), before the children of an element, after the ``data`` of a text element.

The printing is JunOS's own: four spaces per level, ``"key" : [`` with the list's objects at the
key's indentation, a leaf ``{"data" : ...}`` spread over three lines, ``attributes`` objects on one
line. Public samples this follows (read, not copied): Batfish's lab_validation tests of ``show route
| display json`` (``parsers/junos/commands/routes``), ipSpace.net's "Junos JSON" article
(``show route | display json`` on vSRX 20.3), and Juniper's "display json" CLI documentation.
"""

from __future__ import annotations

import json
from typing import Any

Element = dict[str, Any]  # {"attributes": {...}?, child key: [Element, ...], ...} or a leaf

EMPTY: Element = {"data": [None]}
_INDENT = "    "


def leaf(value: object, **attributes: str) -> list[Element]:
    """A text element as JunOS converts it: ``[{"data": "value"}]`` (attributes after the data).

    Examples:
        >>> leaf(170)
        [{'data': '170'}]
        >>> leaf("2d 02:38:51", seconds="182331")
        [{'data': '2d 02:38:51', 'attributes': {'junos:seconds': '182331'}}]
    """
    element: Element = {"data": str(value)}
    if attributes:
        element["attributes"] = {f"junos:{k}": v for k, v in attributes.items()}
    return [element]


def flag() -> list[Element]:
    """An empty element (``<selected-next-hop/>``): ``[{"data": [null]}]``."""
    return [EMPTY]


def reply(name: str, element: Element, release: str = "", namespace: str = "") -> str:
    """The whole document of an RPC reply ``name`` holding ``element``, printed as the CLI prints it;
    with ``namespace`` (``junos-routing``) the element carries its ``xmlns`` (``.../junos/21.4R0/...``)."""
    if namespace:
        train = release.split("R", 1)[0] if "R" in release else release
        xmlns = f"http://xml.juniper.net/junos/{train}R0/{namespace}"
        element = {**element, "attributes": {"xmlns": xmlns, **element.get("attributes", {})}}
        element = {"attributes": element["attributes"], **element}
    return dumps({name: [element]})


def dumps(document: Element) -> str:
    """JunOS's layout (see the module docstring).

    Examples:
        >>> print(dumps({"a": [{"b": leaf(1), "c": [{"attributes": {"x": "y"}, "d": flag()}]}]}), end="")
        {
            "a" : [
            {
                "b" : [
                {
                    "data" : "1"
                }
                ],
                "c" : [
                {
                    "attributes" : {"x" : "y"},
                    "d" : [
                    {
                        "data" : [null]
                    }
                    ]
                }
                ]
            }
            ]
        }
    """
    out: list[str] = ["{\n"]
    _members(document, 1, out)
    out.append("}\n")
    return "".join(out)


def _string(value: str) -> str:
    """A JSON string; most leaves need no escaping, so ``json.dumps`` is only called for those that do."""
    return f'"{value}"' if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value else (
        json.dumps(value))


def _members(element: Element, depth: int, out: list[str]) -> None:
    pad = _INDENT * depth
    items = list(element.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        if key == "attributes":
            inner = ", ".join(f"{json.dumps(k)} : {json.dumps(v)}" for k, v in value.items())
            out.append(f"{pad}\"attributes\" : {{{inner}}}{comma}\n")
        elif isinstance(value, str):  # an XML comment kept as text ("comment" : "keepalive")
            out.append(f"{pad}{json.dumps(key)} : {json.dumps(value)}{comma}\n")
        elif key == "data":
            text = "[null]" if value == [None] else json.dumps(value)
            out.append(f"{pad}\"data\" : {text}{comma}\n")
        elif len(value) == 1 and len(value[0]) == 1 and isinstance(value[0].get("data"), str):  # a plain leaf
            out.append(f'{pad}"{key}" : [\n{pad}{{\n{pad}{_INDENT}"data" : {_string(value[0]["data"])}\n'
                       f"{pad}}}\n{pad}]{comma}\n")
        else:
            out.append(f"{pad}{json.dumps(key)} : [\n")
            for m, child in enumerate(value):
                out.append(f"{pad}{{\n")
                _members(child, depth + 1, out)
                out.append(f"{pad}}}{',' if m < len(value) - 1 else ''}\n")
            out.append(f"{pad}]{comma}\n")
