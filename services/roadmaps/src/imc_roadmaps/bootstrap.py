"""Roadmaps' composition root."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from imc_runtime.service import Infrastructure, create_app

from imc_roadmaps.adapters.store import RoadmapsStore
from imc_roadmaps.entrypoints import events, http
from imc_roadmaps.entrypoints.schedule import DueDateSchedule
from imc_roadmaps.service_layer.handlers import Today
from imc_roadmaps.settings import RoadmapsSettings


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def build_app(settings: RoadmapsSettings | None = None, today: Today | None = None) -> FastAPI:
    settings = settings or RoadmapsSettings()
    if today is None:
        fixed = settings.fixed_today
        today = (lambda: fixed) if fixed is not None else _utc_today
    infra = Infrastructure.build(settings)
    store = RoadmapsStore(infra.db, infra.commits)
    schedule = DueDateSchedule(
        store,
        today,
        due_soon_days=settings.due_soon_days,
        interval=settings.schedule_interval_seconds,
    )

    async def prepare_store() -> None:
        await store.ensure_indexes()
        await store.catch_up()

    infra.start_steps.append(prepare_store)
    # Started once the broker and relay are up, cancelled before they stop.
    infra.background.append(schedule.run)
    app = create_app(
        infra,
        title="IMC Hub roadmaps",
        routers=[http.router],
        events=events.event_router(store, today, settings.consumer_group),
    )
    app.state.store = store
    app.state.schedule = schedule
    app.state.today = today
    return app
