"""`python -m localdiscord serve [--port N]`: run the local Discord server on 127.0.0.1."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal

from localdiscord.server import LocalDiscord
from localdiscord.spec import DEFAULT_SPEC


async def serve(port: int, strict: bool, rate: int, spec: bool) -> None:
    ld = LocalDiscord(strict=strict, global_rate=rate, spec_path=DEFAULT_SPEC if spec else None)
    await ld.start(port, control=True)
    print(
        json.dumps({"port": ld.port, "token": ld.token, "api_base": ld.api_base, "gateway": ld.gateway_url}), flush=True
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await ld.stop()


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m localdiscord", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the server (prints its port and bot token as JSON)")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--lenient", action="store_true", help="do not record rejected bodies as violations")
    s.add_argument("--rate", type=int, default=50, help="global requests per second (default 50)")
    s.add_argument(
        "--no-spec",
        action="store_true",
        help="skip OpenAPI validation (the body limits are still enforced); for benchmarks",
    )
    a = ap.parse_args()
    asyncio.run(serve(a.port, not a.lenient, a.rate, not a.no_spec))


if __name__ == "__main__":
    main()
