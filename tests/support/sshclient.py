"""A plain asyncssh CLI client for tests: one interactive session, commands one after another.

It plays the part of a third-party client talking to the lab; it shares no code with the lab.
"""

from __future__ import annotations

import asyncio
import re
from types import TracebackType

import asyncssh

PROMPT = re.compile(r"(?:^|\n)([\w.\-]+@)?[\w.\-()]+[#>] ?$")
PAGING_OFF = {"juniper_junos": "set cli screen-length 0"}


class CliSession:
    def __init__(self, host: str, port: int, username: str, password: str, platform: str,
                 enable_secret: str | None = None, timeout: float = 30.0) -> None:
        self.host, self.port, self.username, self.password = host, port, username, password
        self.platform, self.enable_secret, self.timeout = platform, enable_secret, timeout
        self._conn: asyncssh.SSHClientConnection | None = None
        self._proc: asyncssh.SSHClientProcess[str] | None = None
        self.prompt = ""

    async def __aenter__(self) -> CliSession:
        self._conn = await asyncio.wait_for(asyncssh.connect(
            self.host, self.port, username=self.username, password=self.password, known_hosts=None,
            encryption_algs=["aes128-gcm@openssh.com", "aes128-ctr"]), self.timeout)
        self._proc = await self._conn.create_process(term_type="vt100", term_size=(200, 24))
        self.prompt = await self._read_prompt()
        if self.prompt.rstrip().endswith(">") and self.platform != "juniper_junos" and self.enable_secret:
            await self._enable(self.enable_secret)
        await self.run(PAGING_OFF.get(self.platform, "terminal length 0"))
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._conn is not None:
            self._conn.close()
            await self._conn.wait_closed()

    async def _read_until(self, pattern: re.Pattern[str]) -> str:
        assert self._proc is not None
        buf = ""
        while not pattern.search(buf):
            chunk = await asyncio.wait_for(self._proc.stdout.read(65536), self.timeout)
            if not chunk:
                raise ConnectionResetError(f"{self.host}: session closed; got so far: {buf[-200:]!r}")
            buf += chunk
        return buf

    async def _read_prompt(self) -> str:
        text = await self._read_until(PROMPT)
        return text.replace("\r\n", "\n").rsplit("\n", 1)[-1]

    async def _enable(self, secret: str) -> None:
        assert self._proc is not None
        self._proc.stdin.write("enable\n")
        await self._read_until(re.compile(r"[Pp]assword: ?$"))
        self._proc.stdin.write(secret + "\n")
        self.prompt = await self._read_prompt()

    async def run(self, command: str) -> str:
        """The command's output: no echo, no prompt, ``\\n`` line ends."""
        assert self._proc is not None
        self._proc.stdin.write(command + "\n")
        raw = (await self._read_until(PROMPT)).replace("\r\n", "\n")
        body = raw.split("\n", 1)[1] if "\n" in raw else ""
        return body[: body.rfind("\n") + 1] if "\n" in body else ""
