"""Notifications' composition root: the one place real dependencies are wired."""

from __future__ import annotations

import functools

from fastapi import FastAPI
from imc_runtime.periodic import Periodic
from imc_runtime.service import Infrastructure, ServiceParts, bind, create_app

from imc_notifications.adapters.composer import Composer
from imc_notifications.adapters.directory import Directory
from imc_notifications.adapters.mailer import Mailer
from imc_notifications.adapters.rendering import Renderer
from imc_notifications.adapters.store import DeliveryStore, DigestStore, PreferenceStore
from imc_notifications.entrypoints import events, http
from imc_notifications.service_layer.delivery import DeliveryStats, Sender
from imc_notifications.service_layer.digest import send_digests_now
from imc_notifications.service_layer.ports import Dependencies
from imc_notifications.settings import NotificationsSettings


def build_dependencies(
    settings: NotificationsSettings, infra: Infrastructure, mailer: Mailer | None = None
) -> Dependencies:
    deliveries = DeliveryStore(infra.db)
    mailer = mailer or Mailer(settings)
    return Dependencies(
        directory=Directory(infra.db, cache_seconds=settings.directory_cache_seconds),
        preferences=PreferenceStore(infra.db),
        digests=DigestStore(infra.db),
        sender=Sender(
            deliveries=deliveries,
            commits=infra.commits,
            mailer=mailer,
            settings=settings,
            stats=DeliveryStats(
                on_outcome=lambda outcome: infra.metrics.emails.labels(outcome).inc()
            ),
        ),
        delivery_log=deliveries,
        commits=infra.commits,
        emails=Composer(settings, mailer, Renderer()),
        settings=settings,
    )


def storage(
    infra: Infrastructure,
) -> list[Directory | PreferenceStore | DigestStore | DeliveryStore]:
    """The stores whose indexes are made at start-up."""
    return [
        Directory(infra.db),
        PreferenceStore(infra.db),
        DigestStore(infra.db),
        DeliveryStore(infra.db),
    ]


def build_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    infra = Infrastructure.build(settings)
    mailer = Mailer(settings)
    deps = build_dependencies(settings, infra, mailer)
    return create_app(
        infra,
        ServiceParts(
            title="IMC Hub notifications",
            dependencies=deps,
            routers=[http.router],
            events=bind("notifications", events.HANDLERS, deps),
            consumer_group=settings.consumer_group,
            start=[store.ensure_indexes for store in storage(infra)],
            periodic=[
                Periodic(
                    "digest",
                    functools.partial(send_digests_now, deps),
                    settings.digest_interval_seconds,
                )
            ],
            # Once nothing is sent any more: say goodbye on the SMTP connections kept open.
            stop=[mailer.close],
        ),
    )
