"""Benchmark: interaction acknowledgement, timed from the wire, under a mixed load.

The local Discord runs in its own process (no spec validation); the real bot runs in this
one. The headline is the server's own figure: the INTERACTION_CREATE leaving the server →
the bot's callback arriving (what Discord's 3-second deadline measures). Beside it: the
full answer shown (the user's wait for the reply or edit), and the bot's internal window
(from discord.py having parsed the event to the deferral sent) as a secondary figure.
Two loads, each mixing /roadmap, roadmap menu selects, /quiz starts and quiz answer clicks
(writes) in equal parts: a burst of 200 at once, and 100 interactions/s with random
(Poisson) arrivals for 30 s. The local server's CPU per request and the bot's CPU per
interaction are reported, so a server-bound figure shows as such. ``--pg``: PostgreSQL.
Targets (DESIGN.md): sustained p99 ≤ 50 ms (answer ≤ 250 ms); burst p99 ≤ 400 ms (answer ≤ 1.5 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any

from bench.common import Run, database, process_cpu
from bench.remote import bot_settings, remote_discord
from bot.endpoint import reset_endpoints
from bot.runner import build_services, start_bot, stop_bot
from localdiscord.remote import RemoteDiscord

KINDS = ("roadmap", "select", "quiz", "answer")
QUIZ = {"topic": "numpy", "count": 5}


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


async def lag_monitor(samples: list[float], stop: asyncio.Event, interval: float = 0.005) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(interval)
        samples.append(max(0.0, time.perf_counter() - t - interval))


class Load:
    """Users and the messages their clicks need, prepared before anything is timed."""

    def __init__(self, rd: RemoteDiscord, channel: int, users: list[int]) -> None:
        self.rd, self.channel = rd, channel
        self.free = list(users)  # users not yet used by this load
        self.menus: list[tuple[int, dict[str, Any]]] = []
        self.quizzes: list[tuple[int, dict[str, Any]]] = []

    def _take(self, n: int) -> list[int]:
        taken, self.free = self.free[:n], self.free[n:]
        return taken

    async def prepare(self, per_kind: int) -> None:
        """A roadmap menu for each select and an open quiz for each answer (not timed): a
        select or an answer changes its message, so each needs its own."""
        menu_users, quiz_users = self._take(per_kind), self._take(per_kind)
        for i in range(0, per_kind, 200):
            chunk = menu_users[i : i + 200]
            opened = await self.rd.interact([self._slash(u, "roadmap") for u in chunk])
            self.menus += list(zip(chunk, opened["results"], strict=True))
            chunk = quiz_users[i : i + 200]
            started = await self.rd.interact([self._slash(u, "quiz") for u in chunk])
            self.quizzes += list(zip(chunk, started["results"], strict=True))

    def _slash(self, user: int, command: str) -> dict[str, Any]:
        options = QUIZ if command == "quiz" else {}
        return {"user": user, "kind": "slash", "command": command, "channel": self.channel, "options": options}

    def actions(self, per_kind: int, rng: random.Random) -> list[dict[str, Any]]:
        """``per_kind`` of each kind, shuffled; each answer click uses its own open quiz."""
        out = [self._slash(u, "roadmap") for u in self._take(per_kind)]
        out += [self._slash(u, "quiz") for u in self._take(per_kind)]
        for n, (user, menu) in enumerate(self.menus[:per_kind]):
            out.append(
                {"user": user, "kind": "select", "channel": menu["channel"], "message": menu["message"]}
                | {"custom_id": "rm:sel:", "values": [str(1 + n % 3)]}
            )
        for user, started in self.quizzes[:per_kind]:
            answers = [c for c in started["custom_ids"] if c.startswith("quiz:ans:")]
            if answers:
                out.append(
                    {"user": user, "kind": "click", "channel": started["channel"], "message": started["message"]}
                    | {"custom_id": answers[0]}
                )
        self.menus, self.quizzes = self.menus[per_kind:], self.quizzes[per_kind:]
        rng.shuffle(out)
        return out


def kind_of(action: dict[str, Any]) -> str:
    if action["kind"] == "slash":
        return str(action["command"])
    return "select" if action["kind"] == "select" else "answer"


def _figures(actions: list[dict[str, Any]], results: list[dict[str, Any]], bot_ms: list[float]) -> dict[str, Any]:
    wire = [r["bot_ack_ms"] for r in results if r["bot_ack_ms"] is not None]
    done = [r["done_ms"] for r in results]

    def p(values: list[float], q: float) -> float:
        return round(pct(values, q), 1) if values else 0.0

    by_kind = {
        kind: {
            "wire_ack_p99_ms": p([r["bot_ack_ms"] for a, r in pairs if r["bot_ack_ms"] is not None], 99),
            "answer_p99_ms": p([r["done_ms"] for a, r in pairs], 99),
        }
        for kind in ("roadmap", "select", "quiz", "answer")
        if (pairs := [(a, r) for a, r in zip(actions, results, strict=True) if kind_of(a) == kind])
    }
    return {
        "by_kind": by_kind,
        "interactions": len(results),
        "wire_ack_p50_ms": p(wire, 50),
        "wire_ack_p99_ms": p(wire, 99),
        "answer_p50_ms": p(done, 50),
        "answer_p99_ms": p(done, 99),
        "bot_window_p50_ms": p(bot_ms, 50),
        "bot_window_p99_ms": p(bot_ms, 99),
        "errors": sum(1 for r in results if "Something went wrong" in r["titles"] or r["message"] is None),
    }


async def _timed(rd: RemoteDiscord, services: Any, actions: list[dict[str, Any]], bench: Run) -> dict[str, Any]:
    services.metrics.interaction_ack.samples.clear()
    before = await rd.stats()
    server_cpu = process_cpu(rd.pid)
    samples: list[float] = []
    stop = asyncio.Event()
    monitor = asyncio.create_task(lag_monitor(samples, stop))
    cpu = time.process_time()
    with bench.timed():
        res = await rd.interact(actions)
    cpu = time.process_time() - cpu
    stop.set()
    await monitor
    server_cpu = process_cpu(rd.pid) - server_cpu
    requests = (await rd.stats())["requests"] - before["requests"]
    assert res["expired"] == 0, "every interaction must be acknowledged within Discord's 3 s"
    figures = _figures(actions, res["results"], [v * 1000 for v in services.metrics.interaction_ack.samples])
    lag = [x * 1000 for x in samples] or [0.0]
    return figures | {
        "bot_cpu_ms_per_interaction": round(cpu * 1000 / len(actions), 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, requests), 3),
        "server_requests": requests,
        "loop_lag_p99_ms": round(pct(lag, 99), 1),
    }


async def run(burst: int, rate: float, seconds: float, pg: bool, bench: Run) -> dict[str, Any]:
    rng = random.Random(7)
    sustained = int(rate * seconds)
    async with remote_discord() as rd, database(pg) as url:
        services = await build_services(bot_settings(rd, url))
        bot, task = await start_bot(services, rd.token, guild_ready_timeout=0.05)
        try:
            users = await rd.users(2 * (burst + sustained))
            _, channel = await rd.guild(users)
            await asyncio.sleep(0.2)  # GUILD_MEMBER_ADD events reach the bot
            load = Load(rd, channel, users)
            await load.prepare(burst // 4 + sustained // 4)
            out: dict[str, Any] = {"burst": await _timed(rd, services, load.actions(burst // 4, rng), bench)}
            actions = load.actions(sustained // 4, rng)
            at = 0.0
            for action in actions:
                at += rng.expovariate(rate)
                action["delay"] = round(at, 4)
            out["sustained"] = await _timed(rd, services, actions, bench)
            out["sustained"]["offered_per_s"] = rate
            out["sustained"]["seconds"] = round(at, 1)
        finally:
            await stop_bot(bot, task)
            await services.engine.dispose()
            reset_endpoints()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--rate", type=float, default=100.0, help="sustained interactions per second")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--pg", action="store_true", help="PostgreSQL (TEST_DATABASE_URL) instead of SQLite")
    a = ap.parse_args()
    bench = Run("bench-interactions")
    r = asyncio.run(run(a.burst, a.rate, a.seconds, a.pg, bench))
    db = "PostgreSQL" if a.pg else "SQLite"
    for name, f, target in (
        (f"burst of {a.burst} at once", r["burst"], "p99 ≤ 400 ms, answer p99 ≤ 1.5 s"),
        (f"{a.rate:g}/s sustained for {a.seconds:g} s", r["sustained"], "p99 ≤ 50 ms, answer p99 ≤ 250 ms"),
    ):
        print(
            f"{db}, {name} ({f['interactions']} mixed: /roadmap, selects, /quiz, answers): "
            f"server-side ack (INTERACTION_CREATE sent → callback received) p50 {f['wire_ack_p50_ms']} ms, "
            f"p99 {f['wire_ack_p99_ms']} ms; full answer p50 {f['answer_p50_ms']} ms, p99 {f['answer_p99_ms']} ms "
            f"(target {target}); bot's internal window p50 {f['bot_window_p50_ms']} ms, "
            f"p99 {f['bot_window_p99_ms']} ms; bot CPU {f['bot_cpu_ms_per_interaction']} ms per interaction, "
            f"local server CPU {f['server_cpu_ms_per_request']} ms per request; loop lag p99 "
            f"{f['loop_lag_p99_ms']} ms; errors {f['errors']}"
        )
        print(
            "  p99 by kind (server-side ack / full answer, ms): "
            + ", ".join(f"{k} {v['wire_ack_p99_ms']} / {v['answer_p99_ms']}" for k, v in f["by_kind"].items())
        )
    print(bench.line())
    print(json.dumps({"bench": "interaction_ack", "database": db.lower(), **r, **bench.fields()}))


if __name__ == "__main__":
    main()
