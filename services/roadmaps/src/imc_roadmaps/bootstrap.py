"""Roadmaps' composition root."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from imc_runtime.service import Infrastructure, create_app

from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.entrypoints import events, http
from imc_roadmaps.service_layer.handlers import Today
from imc_roadmaps.settings import RoadmapsSettings


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def build_app(settings: RoadmapsSettings | None = None, today: Today = _utc_today) -> FastAPI:
    settings = settings or RoadmapsSettings()
    infra = Infrastructure.build(settings)
    store = RoadmapsStore(infra.db, infra.commits)

    async def prepare_store() -> None:
        await store.ensure_indexes()
        await store.catch_up()

    infra.start_steps.append(prepare_store)
    app = create_app(
        infra,
        title="IMC Hub roadmaps",
        routers=[http.router],
        events=events.event_router(store, today),
    )
    app.state.store = store
    return app
