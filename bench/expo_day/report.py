"""Markdown tables of a run.py result directory (for docs/capacity.md).

.venv/bin/python bench/expo_day/report.py bench/expo_day/results/cluster-<stamp>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PLAYER_TABLES = (
    "account",
    "api_token",
    "progress",
    "attempt",
    "solve",
    "hint_unlock",
    "idempotent_response",
    "jobseeker",
    "handoff_event",
    "jobs_candidate",
    "jobs_recruiter_audit",
)


def steps(report: dict[str, Any]) -> list[str]:
    lines = [
        "| users | HTTP req/s | p50 | p99 (sign-ups excepted) | p99 with sign-ups | failures "
        "| cores: " + ", ".join(report["steps"][0]["cores"]) + " |",
        "|---|---|---|---|---|---|---|",
    ]
    for step in report["steps"]:
        http, every = step["http"], step["all_http"]
        cores = ", ".join(f"{v:.2f}" for v in step["cores"].values())
        lines.append(
            f"| {step['users']} | {http['rps']:.1f} | {http['p50_ms']:.0f} ms "
            f"| {http['p99_ms']:.0f} ms | {every['p99_ms']:.0f} ms "
            f"| {http['failures']} / {http['requests']} | {cores} |"
        )
    return lines


def endpoints(step: dict[str, Any]) -> list[str]:
    lines = ["| endpoint | req/s | p50 | p99 | failures |", "|---|---|---|---|---|"]
    for row in step["rows"]:
        label = f"{row['type']} {row['name']}".strip()
        lines.append(
            f"| `{label}` | {row['rps']:.1f} | {row['p50']:.0f} ms | {row['p99']:.0f} ms "
            f"| {row['failures']} |"
        )
    return lines


def memory(found: dict[str, Any]) -> list[str]:
    if "sqlite" in found:
        lite = found["sqlite"]
        per = lite["bytes"] / max(1, lite["players"])
        return [f"SQLite: {lite['bytes']:,} bytes, {lite['players']:,} players, {per:,.0f} B each"]
    seeded = found["seeded"]
    lines = [
        f"seeded board of {seeded['players']:,} players: "
        f"{seeded['bytes_per_board_entry']:.1f} B per sorted-set entry, "
        f"{seeded['bytes_per_handle']:.1f} B per handle",
        "",
        "| table | rows | bytes | rows per player | bytes per player |",
        "|---|---|---|---|---|",
    ]
    pg = found["postgres"]
    players = max(1, int(pg["players"]))
    rows_total = bytes_total = 0
    for name in PLAYER_TABLES:
        if name not in pg:
            continue
        rows, size = pg[name]["rows"], pg[name]["bytes"]
        rows_total += rows
        bytes_total += size
        lines.append(
            f"| {name} | {rows:,} | {size:,} | {rows / players:.2f} | {size / players:,.0f} |"
        )
    lines.append(
        f"| **per player ({players:,} players)** | {rows_total:,} | {bytes_total:,} "
        f"| {rows_total / players:.1f} | {bytes_total / players:,.0f} |"
    )
    lines.append(f"\ndatabase: {pg['database_bytes']:,} bytes")
    return lines


def main() -> None:
    where = Path(sys.argv[1])
    report = json.loads((where / "summary.json").read_text())
    print(f"{report['deployment']}, {report['workers']} worker(s), {report['date']}, ")
    print(f"{report['machine']}, {report['step_s']} s per step\n")
    print("\n".join(steps(report)))
    best = report["sustained"]
    if best:
        print(f"\nhighest step under 200 ms: {best['users']} users\n")
        print("\n".join(endpoints(best)))
    if report.get("memory"):
        print()
        print("\n".join(memory(report["memory"])))


if __name__ == "__main__":
    main()
