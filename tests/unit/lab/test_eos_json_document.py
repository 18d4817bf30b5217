"""The lab's EOS ``| json`` printer writes exactly what ``json.dumps(value, indent=4)`` writes."""

from __future__ import annotations

import enum
import json
import random
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from netatlas.lab.cli_platforms import load_commands
from netatlas.lab.model import Platform
from netatlas.lab.render.base import RenderContext
from netatlas.lab.render.eos.json_common import document
from netatlas.lab.scenarios import build_network
from tests.support.checks import arguments


class Speed(enum.IntEnum):
    FAST = 100


def reference(value: Any) -> str:
    return json.dumps(value, indent=4) + "\n"


@pytest.mark.parametrize("value", [
    {}, [], "", 0, -1, 2**70, 1.5, 1e-07, 1e22, -0.0, True, False, None,
    {"a": {}, "b": [], "c": [{}], "d": [[]], "e": {"f": {"g": [1, 2.0, "x", None, True]}}},
    {"quote\"back\\slash": "tab\tnew\nline\x00ctl", "ünï": "cödé \u2028 😀", "": ""},
    ("tuple", ("nested",)),
    {2: "int key", 2.5: "float key", True: "bool key", None: "none key"},  # json.dumps's own key rules
    {"nan": float("nan"), "inf": [float("inf"), float("-inf")]},
    {"enum": Speed.FAST},
])
def test_the_same_text_as_json_dumps(value: Any) -> None:
    assert document(value) == reference(value)


def test_random_documents() -> None:
    rng = random.Random(11)

    def value(depth: int) -> Any:
        pick = rng.randrange(9 if depth < 5 else 6)
        scalars: list[Callable[[], Any]] = [
            lambda: rng.choice(["", "Ethernet1", "a\"b", "é\n"]), lambda: rng.randint(-5, 10**12),
            lambda: rng.uniform(-1e6, 1e6), lambda: rng.choice([True, False]), lambda: None,
            lambda: round(rng.random(), 6)]
        if pick < 6:
            return scalars[pick]()
        if pick < 8:
            return {f"k{i}{rng.choice(['', 'é', '/24'])}": value(depth + 1) for i in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    for _ in range(300):
        doc = value(0)
        assert document(doc) == reference(doc)


def test_every_eos_json_command_of_a_lab_prints_as_before() -> None:
    """Every EOS device's every ``| json`` document: the text is ``json.dumps(indent=4)`` of what it holds
    (a round trip through ``json.loads`` gives back the values the renderer passed)."""
    net = build_network("mixed", 80, seed=3)
    checked = 0
    for host, dev in net.devices.items():
        if dev.platform is not Platform.ARISTA_EOS:
            continue
        for spec in load_commands(dev.platform):
            if spec.render_json is None:
                continue
            for args in arguments(spec.pattern, dev):
                text = spec.render_json(RenderContext(dev, partial(net.rib, host), args))
                assert text == reference(json.loads(text)), (host, spec.pattern)
                checked += 1
    assert checked > 50
