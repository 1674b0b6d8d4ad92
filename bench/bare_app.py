"""The baseline: a bare FastAPI endpoint that parses a JSON body and answers JSON."""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Body(BaseModel):
    answer: str | int | float | list[str]


@app.post("/api/challenges/{challenge_id}/attempts")
async def attempt(challenge_id: int, body: Body) -> dict[str, object]:
    return {"correct": False, "points_awarded": 0, "score": 0, "rank": None, "attempts_left": None}
