"""Notifications' composition root."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from imc_runtime.service import Infrastructure, create_app

from imc_notifications.adapters.directory import Directory
from imc_notifications.adapters.mailer import Mailer
from imc_notifications.adapters.rendering import Renderer
from imc_notifications.adapters.store import DeliveryStore, DigestStore, PreferenceStore
from imc_notifications.entrypoints import events, http
from imc_notifications.service_layer.delivery import DeliveryStats, Sender
from imc_notifications.service_layer.digest import DigestScheduler
from imc_notifications.service_layer.handlers import Dependencies
from imc_notifications.settings import NotificationsSettings


def build_dependencies(
    settings: NotificationsSettings, infra: Infrastructure, mailer: Mailer | None = None
) -> Dependencies:
    deliveries = DeliveryStore(infra.db)
    return Dependencies(
        directory=Directory(infra.db),
        preferences=PreferenceStore(infra.db),
        digests=DigestStore(infra.db),
        sender=Sender(
            deliveries=deliveries,
            commits=infra.commits,
            mailer=mailer or Mailer(settings),
            settings=settings,
            stats=DeliveryStats(
                on_outcome=lambda outcome: infra.metrics.emails.labels(outcome).inc()
            ),
        ),
        delivery_log=deliveries,
        commits=infra.commits,
        renderer=Renderer(),
        settings=settings,
    )


def build_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    infra = Infrastructure.build(settings)
    mailer = Mailer(settings)
    deps = build_dependencies(settings, infra, mailer)
    for step in (
        deps.directory.ensure_indexes,
        deps.preferences.ensure_indexes,
        deps.digests.ensure_indexes,
        deps.delivery_log.ensure_indexes,
    ):
        infra.start_steps.append(step)
    app = create_app(
        infra,
        title="IMC Hub notifications",
        routers=[http.build_router(deps)],
        events=events.event_router(deps),
        consumer_group=settings.consumer_group,
    )
    _run_digests_alongside(app, DigestScheduler(deps), mailer)
    return app


def _run_digests_alongside(app: FastAPI, scheduler: DigestScheduler, mailer: Mailer) -> None:
    """Start the digest task once the service is up; stop it, and close the mailer's
    connections, once the service has stopped sending."""
    started = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with started(app):
            task = asyncio.create_task(scheduler.run(), name="digests")
            try:
                yield
            finally:
                scheduler.stop()
                await task
        await mailer.close()

    app.router.lifespan_context = lifespan
