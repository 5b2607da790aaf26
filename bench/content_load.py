"""Benchmark: load and validate all shipped content (target ≤ 0.5 s at start-up)."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from bench.common import Run
from bot.content import load_content

ROOT = Path(__file__).resolve().parents[1]


def main(runs: int = 20) -> dict[str, float]:
    bench = Run("bench-content")
    t0 = time.perf_counter()
    content = load_content(ROOT / "content")  # first run: cold imports and caches
    cold = time.perf_counter() - t0
    times = []
    with bench.timed():
        for _ in range(runs):
            t = time.perf_counter()
            load_content(ROOT / "content")
            times.append(time.perf_counter() - t)
    s = content.summary()
    result = {
        "bench": "content_load",
        "questions": s["questions"],
        "topics": s["topics"],
        "cold_s": round(cold, 4),
        "p50_s": round(statistics.median(times), 4),
        "max_s": round(max(times), 4),
        "target_s": 0.5,
        **bench.fields(),
    }
    print(f"content: {s['topics']} topics, {s['questions']} questions, {s['links']} links")
    print(
        f"load+validate: cold {cold * 1000:.0f} ms, warm p50 {result['p50_s'] * 1000:.0f} ms, "
        f"max {result['max_s'] * 1000:.0f} ms over {runs} runs (target ≤ 500 ms)"
    )
    print(bench.line() + f" (the {runs} warm runs)")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
