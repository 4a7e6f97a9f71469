"""A trivial endpoint on the services' server stack (FastAPI on uvicorn, one process): the
raw HTTP limit that ``bench.limits`` measures."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return {"status": "ok"}
