"""The registry's composition root: the one place real dependencies are wired."""

from __future__ import annotations

from fastapi import FastAPI
from imc_runtime.service import Infrastructure, create_app

from imc_registry.adapters.store import RegistryStore
from imc_registry.entrypoints import deps, events, http, submissions
from imc_registry.settings import RegistrySettings


def build_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    infra = Infrastructure.build(settings)
    store = RegistryStore(infra.db, infra.commits)

    async def prepare_store() -> None:
        await store.ensure_indexes()
        # Repair read models a crash may have left behind their log.
        await store.catch_up()

    infra.start_steps.append(prepare_store)
    app = create_app(
        infra,
        title="IMC Hub registry",
        routers=[http.router, submissions.router],
        events=events.event_router(store),
        consumer_group=settings.consumer_group,
    )
    app.state.store = store
    for error, handler in deps.EXCEPTION_HANDLERS.items():
        app.add_exception_handler(error, handler)
    return app
