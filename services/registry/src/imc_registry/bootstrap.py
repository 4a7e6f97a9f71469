"""The registry's composition root: the one place real dependencies are wired."""

from __future__ import annotations

from fastapi import FastAPI
from imc_runtime.rebuild import rebuild_read_models
from imc_runtime.service import Infrastructure, ServiceParts, bind, create_app
from imc_runtime.settings import load_settings

from imc_registry.adapters.store import RegistryStore
from imc_registry.entrypoints import (
    deps,
    events,
    evidence,
    municipalities,
    partnerships,
    people,
    programme,
    submissions,
)
from imc_registry.settings import RegistrySettings


def build_dependencies(settings: RegistrySettings, infra: Infrastructure) -> RegistryStore:
    """The registry's use cases need its storage only: the log, the read models, the files."""
    return RegistryStore(infra.db, infra.commits, settings.read_max_age_seconds)


def build_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    infra = Infrastructure.build(settings)
    store = build_dependencies(settings, infra)
    return create_app(
        infra,
        ServiceParts(
            title="IMC Hub registry",
            dependencies=store,
            # FastAPI tries routes in this order: the most read, a partnership, first.
            routers=[
                partnerships.router,
                programme.router,
                municipalities.router,
                people.router,
                submissions.router,
                evidence.router,
            ],
            events=bind("registry", events.HANDLERS, store),
            consumer_group=settings.consumer_group,
            # The read models again from the log, in case a crash left them behind it.
            start=[store.ensure_indexes, store.catch_up],
            uploads=evidence.uploads(settings),
            errors=deps.EXCEPTION_HANDLERS,
        ),
    )


async def rebuild() -> int:
    """``imc-ops rebuild registry``: the read models again from the commit log."""
    return await rebuild_read_models(load_settings(RegistrySettings), RegistryStore)
