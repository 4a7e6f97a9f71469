"""Notifications' composition root."""

from __future__ import annotations

from fastapi import FastAPI
from imc_runtime.service import Infrastructure, create_app

from imc_notifications.adapters.directory import Directory
from imc_notifications.adapters.mailer import Mailer
from imc_notifications.adapters.rendering import Renderer
from imc_notifications.entrypoints import events
from imc_notifications.service_layer.handlers import Dependencies
from imc_notifications.settings import NotificationsSettings


def build_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    infra = Infrastructure.build(settings)
    deps = Dependencies(
        directory=Directory(infra.db),
        commits=infra.commits,
        renderer=Renderer(),
        mailer=Mailer(settings),
        sender=settings.mail_from,
        frontend_base_url=settings.frontend_base_url.rstrip("/"),
    )
    infra.start_steps.append(deps.directory.ensure_indexes)
    return create_app(infra, title="IMC Hub notifications", events=events.event_router(deps))
