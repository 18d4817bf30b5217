"""The Redis event bus between processes: what a worker publishes, an API process's subscriber gets."""

from __future__ import annotations

import asyncio

import pytest

from netatlas.jobs.celery_executor import RedisBus
from netatlas.jobs.events import ProgressEvent
from tests.integration.celery.conftest import RedisServer

pytestmark = pytest.mark.integration


def test_a_subscriber_gets_its_jobs_events_in_order_and_no_other_jobs(broker: RedisServer) -> None:
    publisher, subscriber = RedisBus(broker.url), RedisBus(broker.url)
    sent = [ProgressEvent("j1", "job", "running", at=1.0), ProgressEvent("j2", "job", "running", at=2.0),
            ProgressEvent("j1", "device", "completed", device="sw1", at=3.0)]

    async def listen() -> list[ProgressEvent]:
        async with subscriber.subscribe("j1") as events:
            for event in sent:
                await asyncio.to_thread(publisher.publish, event)
            return [await asyncio.wait_for(anext(events), 5) for _ in range(2)]

    try:
        assert asyncio.run(listen()) == [sent[0], sent[2]]
    finally:
        publisher.close()
        subscriber.close()
