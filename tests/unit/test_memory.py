"""``netatlas.memory.cap_arenas``: glibc's arenas capped for this process and the ones it starts,
an operator's own ``MALLOC_ARENA_MAX`` left alone."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from netatlas import memory


def test_the_cap_is_set_here_and_handed_to_children(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "-")  # so that the teardown restores what was there before
    monkeypatch.delenv("MALLOC_ARENA_MAX")
    capped = memory.cap_arenas()
    assert capped is (platform.libc_ver()[0] == "glibc")
    child = subprocess.run([sys.executable, "-c", "import os; print(os.environ['MALLOC_ARENA_MAX'])"],
                           capture_output=True, text=True, check=True)
    assert child.stdout.strip() == str(memory.ARENAS)


def test_an_operators_setting_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert memory.cap_arenas() is False
    child = subprocess.run([sys.executable, "-c", "import os; print(os.environ['MALLOC_ARENA_MAX'])"],
                           capture_output=True, text=True, check=True)
    assert child.stdout.strip() == "8"
