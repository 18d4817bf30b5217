"""Identify a device known only by its address: log in, read its prompt and ``show version``.

Used for crawl seeds given as addresses. The platform comes from the same signature table
the crawler uses for neighbor advertisements; the host name from the prompt.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from netatlas.collect.hostkeys import HostKeyCheck
from netatlas.collect.platforms import PLATFORMS, SIGNATURES, PlatformSpec
from netatlas.collect.transport import DEFAULT_LIMITS, ConnectFn, Limits, SshOptions, SshTransport, Timeouts
from netatlas.domain.errors import CommandRejected, UnsupportedPlatform
from netatlas.domain.inventory import Credential
from netatlas.domain.platforms import Platform

GENERIC = PlatformSpec(
    name="generic",
    prompt=re.compile(r"(?:^|\n)(?:[\w.\-]+@)?[\w.\-()/:]+[#>]\s*$"),
    paging_off=(),
    commands={},
    all_routes="",
    errors=(),
    enable_from=None,
    preamble=PLATFORMS[Platform.JUNIPER_JUNOS].preamble,  # a JunOS seed's {master:0} line
)
_PROMPT_NAME = re.compile(r"(?:[\w.\-]+@)?([\w.\-]+)")


@dataclass(frozen=True, slots=True)
class Identity:
    hostname: str
    platform: str  # a Platform's value: what an inventory entry holds


def hostname_from_prompt(prompt: str) -> str:
    """
    Examples:
        >>> hostname_from_prompt("core1#"), hostname_from_prompt("netatlas@rtr2> "), hostname_from_prompt("sw3>")
        ('core1', 'rtr2', 'sw3')
    """
    match = _PROMPT_NAME.match(prompt.strip())
    return match.group(1) if match else prompt.strip()


async def identify(host: str, port: int, credential: Credential, timeouts: Timeouts,
                   connect: ConnectFn = SshTransport.connect, *, host_keys: HostKeyCheck | None = None,
                   limits: Limits = DEFAULT_LIMITS) -> Identity:
    """Raises the collector's errors (Unreachable, AuthFailed, HostKeyChanged, ...) or UnsupportedPlatform.

    The host key is verified like the collector's (``host_keys``; None = not verified): under a
    strict policy an address whose key is not trusted gets no password. A key trusted on first
    use here is recorded without a device name (the name is only known after login).
    """
    options = SshOptions(host_keys, limits, credential.legacy_ssh)
    transport = await connect(host, port, credential, GENERIC, timeouts, options)
    try:
        with contextlib.suppress(CommandRejected):  # JunOS refuses it: harmless
            await transport.send("terminal length 0", timeout=timeouts.command)
        version = await transport.send("show version", timeout=timeouts.command)
        prompt = getattr(transport, "prompt", "")
    finally:
        await transport.close()
    platform = platform_of_version(version)
    if platform is None:
        raise UnsupportedPlatform(f"{host}:{port}: `show version` names no supported platform")
    return Identity(hostname_from_prompt(prompt), platform.value)


def platform_of_version(version: str) -> Platform | None:
    """The platform whose signature ``show version`` matches (the crawler's table), or None.

    Examples:
        >>> platform_of_version("Cisco Nexus Operating System (NX-OS) Software")
        <Platform.CISCO_NXOS: 'cisco_nxos'>
        >>> platform_of_version("Linux 6.1") is None
        True
    """
    return next((name for pattern, name in SIGNATURES if pattern.search(version)), None)
