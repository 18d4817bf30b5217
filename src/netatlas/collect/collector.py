"""Collect one device: one session, the platform's plan command by command, one result.

:func:`collect_device` never raises for a device problem; it returns a
:class:`~netatlas.domain.records.DeviceResult`:

- unknown platform: ``unsupported_platform``, no connection is made;
- connection-level failure (connect, login, ``enable``, a command timing out or the session
  dropping): the device fails with that kind; what was collected before is kept;
- a command the device rejects, or whose output does not parse: recorded on that command's
  :class:`~netatlas.domain.records.CommandOutput` (raw output kept, ``error_kind`` set), the
  session goes on with the next command, and the device ends **failed with the first such
  kind** (``command_rejected`` or ``parse_error``) while its other records are still returned,
  so the caller stores them next to the failure;
- ``should_stop()`` returning True before a command (or before connecting): ``cancelled``, with
  everything finished so far kept;
- the whole device taking longer than ``timeouts.device``: ``timeout``;
- a command form the device refuses that has a plain form in the platform's ``fallbacks``: the
  plain form is sent once, its output recorded with a ``note`` naming both, and the device
  does not fail for it;
- a command refused because its feature is disabled (NX-OS: ``show lldp ...`` does not exist
  until ``feature lldp``; the platform's ``features``): the probe (``show feature``, once per
  session) says so, and the command is recorded ``feature_off`` with a note, not as a failure;
- per-VRF commands (IOS ``show ip arp vrf NAME``; the platform's ``per_vrf``): the VRF list,
  last in the plan, is read (recorded, not parsed into records; refused: no VRFs) and the
  commands are sent for each VRF it names;
- output over a cap (``limits``): that command is recorded ``output_too_large`` with the start of
  its text, the session is closed and the device fails ``output_too_large``; raw output kept
  per command is cut at ``limits.stored_output`` (the ``note`` says how much was kept);
- the SSH host key not trusted (``host_keys``): ``host_key_changed`` / ``host_key_unknown``,
  with no password sent;
- anything unexpected raised while handling the device (a bug): ``internal`` with the
  exception's type and message; never the job's failure. A parser that crashes (not a
  ``ParseError``) fails its command ``internal`` the same way, and the session goes on.

Retries are not done here: the job engine retries transient kinds. Error texts never contain
the credential's password or enable secret. Session warnings (legacy SSH algorithms, a host key
not verified) are returned in ``DeviceResult.warnings``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import TypeVar

from netatlas.collect.hostkeys import HostKeyCheck
from netatlas.collect.platforms import PLATFORMS, FeatureGate, PerVrf, PlatformSpec, spec_for
from netatlas.collect.transport import (
    DEFAULT_LIMITS,
    CappedOutput,
    ConnectFn,
    Limits,
    RejectedWithOutput,
    SshOptions,
    SshTransport,
    Timeouts,
    Transport,
)
from netatlas.domain.datatypes import spec_of
from netatlas.domain.errors import CollectError, CommandRejected, OutputTooLarge, ParseError, StoreError
from netatlas.domain.inventory import Credential, InventoryDevice
from netatlas.domain.records import (
    PACK_FROM,
    CommandOutput,
    Coverage,
    DataType,
    DeviceRecords,
    DeviceResult,
    ErrorKind,
    Neighbor,
    ParseOutcome,
    pack_text,
    unpack_text,
)
from netatlas.domain.text import scrub

log = logging.getLogger(__name__)
T = TypeVar("T")

ParseFn = Callable[[str, str, str, frozenset[DataType]], Awaitable[ParseOutcome]]
PackedParseFn = Callable[[str, str, bytes, frozenset[DataType]], Awaitable[ParseOutcome]]  # pack_text(text)
StopFn = Callable[[], Awaitable[bool]]
StepFn = Callable[[str], Awaitable[None]]

CONNECT_STEP = "connect"
MAX_FALLBACKS = 2  # a refused structured form -> its text form -> an old image's plain form
_ORDER = {data_type: i for i, data_type in enumerate(DataType)}


async def collect_device(
    device: InventoryDevice,
    credential: Credential,
    wanted: frozenset[DataType],
    *,
    timeouts: Timeouts,
    parse: ParseFn,
    parse_packed: PackedParseFn | None = None,
    host_keys: HostKeyCheck | None = None,
    limits: Limits = DEFAULT_LIMITS,
    should_stop: StopFn | None = None,
    on_step: StepFn | None = None,
    connect: ConnectFn = SshTransport.connect,
) -> DeviceResult:
    """Collect ``wanted`` (facts always) from ``device`` in one session; see the module docstring.

    ``host_keys``: the deployment's trusted keys and policy. None = the key is NOT verified (a
    warning on the result says so): only for callers that have no store yet.
    ``on_step`` is told ``"connect"`` and then each command before it is sent. A long output is held
    packed from the moment it is read (``CommandOutput.raw``); ``parse_packed`` parses that form (else
    it is unpacked for ``parse``).
    """
    started = time.perf_counter()
    spec = spec_for(device.platform)
    if spec is None:
        known = ", ".join(sorted(PLATFORMS))
        return DeviceResult(device.name, ok=False, error_kind=ErrorKind.UNSUPPORTED_PLATFORM,
                            error=f"{device.name}: platform {device.platform!r} is not supported (known: {known})")
    options = SshOptions(host_keys, limits, device.legacy_ssh or credential.legacy_ssh, device.name)
    run = _DeviceRun(device, credential, spec, timeouts, parse, should_stop, on_step, parse_packed)
    try:
        async with asyncio.timeout(timeouts.device):
            try:
                await run.execute(wanted, connect, options)
            finally:
                await run.settle()  # the output still being parsed: the last one, or the one before a failure
    except TimeoutError:
        run.fail(ErrorKind.TIMEOUT, f"{device.name}: the device time budget of {timeouts.device:g} s ran out "
                                    f"during {run.step} (device timeout)")
    except CollectError as exc:
        run.fail(exc.kind, str(exc))
    except _CallerFailed as exc:  # the caller's own callback (progress, cancel check) failed: its problem
        raise exc.original from None
    except StoreError:  # the caller's store (host keys) failed: a storage failure stops the job, not this device
        raise
    except Exception as exc:  # a bug while handling this device: its failure, never the job's
        run.log_bug(f"internal error while collecting {device.name}", exc)
        run.fail(ErrorKind.INTERNAL, f"{device.name}: internal error during {run.step}: {type(exc).__name__}: {exc}")
    finally:
        await run.close()
    return dataclasses.replace(run.result(time.perf_counter() - started), asked=wanted | {DataType.FACTS})


class _DeviceRun:
    """The state of one device's collection: transport, records so far, outputs, failure."""

    def __init__(self, device: InventoryDevice, credential: Credential, spec: PlatformSpec, timeouts: Timeouts,
                 parse: ParseFn, should_stop: StopFn | None, on_step: StepFn | None,
                 parse_packed: PackedParseFn | None = None) -> None:
        self.device, self.credential, self.spec, self.timeouts = device, credential, spec, timeouts
        self._parse, self._should_stop, self._on_step = parse, should_stop, on_step
        self._parse_packed = parse_packed
        self.records = DeviceRecords()
        self.outputs: list[CommandOutput] = []
        self.step = "start"
        self.transport: Transport | None = None
        self.failure: tuple[ErrorKind, str] | None = None
        self.warnings: tuple[str, ...] = ()
        self.limits = DEFAULT_LIMITS
        self._features: str | None = None  # the feature probe's output, once read
        self._parsing: asyncio.Task[None] | None = None  # the previous output's parse, while the next is sent

    async def execute(self, wanted: frozenset[DataType], connect: ConnectFn, options: SshOptions) -> None:
        if await self._stopped(CONNECT_STEP):
            return
        await self._announce(CONNECT_STEP)
        dev, self.limits = self.device, options.limits
        self.transport = await connect(dev.host, dev.port, self.credential, self.spec, self.timeouts, options)
        self.warnings = tuple(self.transport.warnings)
        per_vrf = self.spec.per_vrf
        for command, types in self.spec.plan(wanted | {DataType.FACTS}):
            if await self._stopped(command):
                return
            if per_vrf is not None and command == per_vrf.list_command:
                await self._per_vrf(per_vrf, types)
                continue
            follow = any(data_type in types for data_type in self.spec.per_interface)
            partial = await self._run(command, types, overlap=not follow)
            if partial is None:
                continue
            for data_type, template in self.spec.per_interface.items():
                if data_type in types:
                    partial = await self._follow_up(data_type, template, partial)
            self.records.merge(partial)
            if self.failure is not None:  # cancelled during the follow-ups
                return

    async def _run(self, command: str, types: frozenset[DataType], note: str = "",
                   retries: int = MAX_FALLBACKS, *, overlap: bool = False) -> DeviceRecords | None:
        """Send and parse one command; a rejection or parse failure is recorded and gives None.

        A refused form with a plainer fallback is retried in that form (``note`` says so): a
        structured form as text, then an old image's plain form, at most :data:`MAX_FALLBACKS`
        steps; output over a cap is recorded and raised (the session is closed: the device cannot go on).

        ``overlap``: the output is parsed while the next command is sent (its records are merged
        and its output recorded before anything of the next command is: :meth:`_send` settles it),
        and empty records are returned: for commands whose records nothing in the session reads.
        """
        text, refused, started = await self._send(command, types, note)
        if refused is not None:
            if await self._feature_off(command, types, text, started, note):
                return DeviceRecords()
            plain = self._fallback(command, text)
            if plain is not None and retries > 0:
                return await self._run(plain, types, _fallback_note(note, command, plain), retries - 1,
                                       overlap=overlap)
            self._record(command, types, text, started, ErrorKind.COMMAND_REJECTED, str(refused), note=note)
            return None
        elapsed = time.perf_counter() - started
        raw = self._held(text)
        del text  # a long output is held packed from here on: parsed from that, recorded as that
        if overlap:
            self._parsing = asyncio.ensure_future(self._parse_and_merge(command, types, raw, started, elapsed, note))
            return DeviceRecords()
        return await self._parsed(command, types, raw, started, elapsed, note)

    def _held(self, text: str) -> str | bytes:
        """``text`` as the session holds it while it is parsed and until it is stored: packed when long
        (:data:`~netatlas.domain.records.PACK_FROM`; not when it is cut for storage: that keeps its start)."""
        return pack_text(text) if PACK_FROM < len(text) <= self.limits.stored_output else text

    async def _read(self, command: str, raw: str | bytes, types: frozenset[DataType]) -> ParseOutcome:
        if isinstance(raw, str):
            return await self._parse(self.spec.name, command, raw, types)
        if self._parse_packed is not None:
            return await self._parse_packed(self.spec.name, command, raw, types)
        return await self._parse(self.spec.name, command, unpack_text(raw), types)

    async def _parse_and_merge(self, command: str, types: frozenset[DataType], text: str | bytes, started: float,
                               elapsed: float, note: str) -> None:
        records = await self._parsed(command, types, text, started, elapsed, note)
        if records is not None:
            self.records.merge(records)

    async def settle(self) -> None:
        """Wait for the output being parsed (if any): recorded and merged when this returns."""
        parsing, self._parsing = self._parsing, None
        if parsing is not None:
            await parsing

    async def _parsed(self, command: str, types: frozenset[DataType], text: str | bytes, started: float,
                      elapsed: float, note: str) -> DeviceRecords | None:
        """Parse one output and record it; a parse failure is recorded and gives None."""
        try:
            outcome = await self._read(command, text, types)
        except ParseError as exc:
            self._record(command, types, text, started, ErrorKind.PARSE_ERROR, f"{command!r}: {exc}", elapsed,
                         note=note)
            return None
        except Exception as exc:  # a parser bug (or its process pool failing) is this command's internal failure
            self.log_bug(f"parser crashed on {self.spec.name} {command!r}", exc)
            error = f"{command!r}: the parser crashed: {type(exc).__name__}: {exc}"
            self._record(command, types, text, started, ErrorKind.INTERNAL, error, elapsed, note=note)
            return None
        self._record(command, types, text, started, elapsed=elapsed, outcome=outcome, note=note)
        return outcome.records

    def _fallback(self, command: str, refusal: str) -> str | None:
        """The plain form to try when ``command`` was refused as unknown (never after an authorization refusal)."""
        unknown = self.spec.unknown_form
        if unknown is None or not unknown.search(refusal):
            return None
        return self.spec.fallback(command)

    async def _feature_off(self, command: str, types: frozenset[DataType], refusal: str, started: float,
                           note: str) -> bool:
        """Whether ``command`` was refused as unknown because its feature is disabled (then recorded so)."""
        gate, unknown = self.spec.features, self.spec.unknown_form
        feature = gate.commands.get(self.spec.text_form(command)) if gate is not None else None
        if gate is None or feature is None or unknown is None or not unknown.search(refusal):
            return False
        if not gate.disabled(feature, await self._probe(gate, types)):
            return False
        outcome = ParseOutcome(DeviceRecords(), Coverage.FEATURE_OFF, note=f"feature {feature} disabled")
        self._record(command, types, refusal, started, outcome=outcome, note=note)
        return True

    async def _probe(self, gate: FeatureGate, types: frozenset[DataType]) -> str:
        if self._features is None:
            self._features = await self._aside(gate.probe, types)
        return self._features

    async def _per_vrf(self, step: PerVrf, types: frozenset[DataType]) -> None:
        """Read the VRF list, then send the per-VRF commands of ``types`` for every VRF it names."""
        commands = [(template, data_type) for data_type, templates in step.commands.items() if data_type in types
                    for template in templates]
        listing = await self._aside(step.list_command, types)
        for vrf in step.vrfs(listing):
            for template, data_type in commands:
                command = self.spec.sent_form(template.format(vrf=vrf))
                if await self._stopped(command):
                    return
                await self._run(command, frozenset({data_type}), overlap=True)  # merged as it is parsed

    async def _aside(self, command: str, types: frozenset[DataType], note: str = "",
                     retries: int = MAX_FALLBACKS) -> str:
        """Send a command whose text the collector itself reads (a VRF list, ``show feature``).

        Recorded with its output, never parsed into records; a refusal (after the plain fallback
        form, if any) is noted and gives ``""``, never the device's failure.
        """
        text, refused, started = await self._send(command, types, note, aside=True)
        if refused is not None:
            plain = self._fallback(command, text)
            if plain is not None and retries > 0:
                return await self._aside(plain, types, _fallback_note(note, command, plain), retries - 1)
            self._record(command, types, text, started, note="; ".join(n for n in (note, "refused: read as empty")
                                                                        if n), aside=True)
            return ""
        self._record(command, types, text, started, note=note, aside=True)
        return text

    async def _send(self, command: str, types: frozenset[DataType], note: str, *,
                    aside: bool = False) -> tuple[str, CommandRejected | None, float]:
        """Announce and send one command: ``(text, None, started)``, or the refusal's text and the
        rejection; output over a cap is recorded and raised (the session cannot go on). The previous
        command's output, if still being parsed, is recorded before this returns (outputs stay in order)."""
        assert self.transport is not None
        await self._announce(command)
        started = time.perf_counter()
        try:
            text = await self.transport.send(command, self.timeouts.command)
        except CommandRejected as exc:
            await self.settle()
            return (exc.output if isinstance(exc, RejectedWithOutput) else ""), exc, started
        except OutputTooLarge as exc:
            await self.settle()
            output = exc.output if isinstance(exc, CappedOutput) else ""
            self._record(command, types, output, started, ErrorKind.OUTPUT_TOO_LARGE, str(exc), note=note,
                         aside=aside)
            raise
        await self.settle()  # the previous output, parsed meanwhile, is recorded before this one
        return text, None, started

    async def _follow_up(self, data_type: DataType, template: str, brief: DeviceRecords) -> DeviceRecords:
        """Replace the brief neighbors of ``data_type`` by the per-interface detail ones.

        An interface whose detail command fails keeps its brief neighbors (the failure is
        recorded on that command). Cancelling stops the follow-ups; brief ones are kept.
        """
        ours = spec_of(data_type).keeps  # the neighbor protocol of the data type (registry row)
        mine = [n for n in brief.neighbors if ours(n)]
        kept: list[Neighbor] = [n for n in brief.neighbors if not ours(n)]
        for interface in dict.fromkeys(n.local_interface for n in mine):
            command = self.spec.sent_form(template.format(interface=interface))
            detail = None if await self._stopped(command) else await self._run(command, frozenset({data_type}))
            if detail is None:
                kept += [n for n in mine if n.local_interface == interface]
            else:
                kept += [n for n in detail.neighbors if ours(n)]
        brief.neighbors = kept
        return brief

    async def _stopped(self, next_step: str) -> bool:
        if self.failure is not None:
            return True
        if self._should_stop is None or not await _caller(self._should_stop()):
            return False
        done = len(self.outputs)
        self.failure = (ErrorKind.CANCELLED, f"{self.device.name}: cancelled before {next_step!r} "
                                             f"({done} command(s) done)")
        return True

    async def _announce(self, step: str) -> None:
        self.step = repr(step)
        if self._on_step is not None:
            await _caller(self._on_step(step))

    def _record(self, command: str, types: frozenset[DataType], output: str | bytes, started: float,
                kind: ErrorKind | None = None, error: str = "", elapsed: float | None = None,
                outcome: ParseOutcome | None = None, note: str = "", aside: bool = False) -> None:
        duration = time.perf_counter() - started if elapsed is None else elapsed
        primary = min(types, key=_ORDER.__getitem__)
        read = outcome or ParseOutcome(DeviceRecords())
        kept, cut = (output, "") if isinstance(output, bytes) else cap_output(output, self.limits.stored_output)
        notes = "; ".join(n for n in (note, cut, read.note) if n)
        self.outputs.append(CommandOutput(command, primary, kept, round(duration, 6), kind, self._scrub(error),
                                          data_types=types, coverage=read.coverage, unparsed=read.unparsed,
                                          note=notes, aside=aside))

    def fail(self, kind: ErrorKind, error: str) -> None:
        self.failure = (kind, error)

    async def close(self) -> None:
        transport, self.transport = self.transport, None
        if transport is None:
            return
        try:
            await transport.close()
        except Exception as exc:  # closing must never turn a result into an exception
            self.log_bug(f"closing the session of {self.device.name} failed", exc)

    def log_bug(self, what: str, exc: Exception) -> None:
        """Log an unexpected exception with its traceback, secrets scrubbed (device text may echo them)."""
        log.error("%s\n%s", what, self._scrub("".join(traceback.format_exception(exc))))

    def result(self, duration: float) -> DeviceResult:
        kind, error = self.failure if self.failure is not None else _command_failure(self.outputs)
        return DeviceResult(self.device.name, ok=kind is None, records=self.records, outputs=self.outputs,
                            error_kind=kind, error=self._scrub(error), duration_s=round(duration, 6),
                            warnings=tuple(self._scrub(w) for w in self.warnings))

    def _scrub(self, text: str) -> str:
        return scrub(text, (self.credential.password, self.credential.enable_secret))


class _CallerFailed(Exception):
    """A callback of the caller raised: re-raised as is, not made a device failure."""

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.original = original


async def _caller(call: Awaitable[T]) -> T:
    try:
        return await call
    except Exception as exc:
        raise _CallerFailed(exc) from exc


def _fallback_note(note: str, refused: str, plain: str) -> str:
    """The note of a fallback step, after the earlier steps' (``fallback: 'a' rejected, used 'b'; ...``).

    Examples:
        >>> _fallback_note(_fallback_note("", "x | json", "x"), "x", "y")
        "fallback: 'x | json' rejected, used 'x'; fallback: 'x' rejected, used 'y'"
    """
    step = f"fallback: {refused!r} rejected, used {plain!r}"
    return f"{note}; {step}" if note else step


def cap_output(output: str, limit: int) -> tuple[str, str]:
    """The raw output as stored (at most ``limit`` characters) and a note when it was cut.

    Examples:
        >>> cap_output("abcdef", 10)
        ('abcdef', '')
        >>> cap_output("abcdef", 4)
        ('abcd', 'raw output cut for storage: 4 of 6 characters kept')
    """
    if len(output) <= limit:
        return output, ""
    return output[:limit], f"raw output cut for storage: {limit:,} of {len(output):,} characters kept"


def _command_failure(outputs: list[CommandOutput]) -> tuple[ErrorKind | None, str]:
    """The device-level kind and message for per-command failures (the first one's kind)."""
    failed = [o for o in outputs if o.error_kind is not None]
    if not failed:
        return None, ""
    shown = "; ".join(o.error for o in failed[:3])
    more = f" (and {len(failed) - 3} more)" if len(failed) > 3 else ""
    return failed[0].error_kind, f"{len(failed)} of {len(outputs)} command(s) failed: {shown}{more}"
