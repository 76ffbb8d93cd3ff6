"""Capacity of the inference API: CPU % at fixed loads for one and two worker processes.

Reuses the open-loop driver of ``bench/load.py`` (real NorMedQA texts, results cache off,
API keys on) at 10, 50 and 100 requests/s against a server with one worker and one with two
(the thesis's Table 6 reported CPU % at these loads), then a short closed-loop peak per
worker count. Reports server CPU (% of one core, and % of the cores the workers may use),
resident memory per replica, requests/s per core and the replicas a stated hospital volume
needs. Writes ``docs/capacity.md`` and the capacity section of ``docs/benchmarks.md``.

    python bench/capacity.py --model runs/default/model
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).parent))
import load  # noqa: E402  (bench/load.py: the open-loop driver and CPU meter)
from doc_sections import markers, write_section  # noqa: E402

from amer.data.corpus import read_corpus  # noqa: E402
from amer.serving.auth import KeyStore  # noqa: E402
from amer.serving.process import ServerProcess  # noqa: E402
from amer.settings import get_settings  # noqa: E402

SECTION_NAME = "capacity"
BEGIN, END = markers(SECTION_NAME)
HPA_TARGET = 0.65
"""The HorizontalPodAutoscaler's CPU target (deploy/k8s/base/api-hpa.yaml)."""


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    root = psutil.Process(pid)
    total = 0
    for p in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return round(total / 1e6, 1)


async def _measure(
    url: str, key: str, texts: list[str], pid: int, args: argparse.Namespace
) -> dict[str, Any]:
    cpu = load.CpuMeter(pid)
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=70, limits=limits) as c:
        for text in texts[:40]:  # warm up every worker
            await c.post("/v1/entities", json={"text": text})
        rates = []
        for rate in args.rates:
            rates.append(
                await load.fixed_rate(c, texts, rate=rate, duration=args.duration, cpu=cpu)
            )
            rates[-1]["rss_mb"] = rss_mb(pid)
            print(json.dumps(rates[-1]), file=sys.stderr)
        peak = await load.closed_loop(
            c, texts, users=args.users, batch=1, duration=args.peak_duration, cpu=cpu
        )
        print(json.dumps(peak), file=sys.stderr)
    return {"fixed_rates": rates, "peak": peak, "rss_mb": rss_mb(pid)}


def run_workers(
    model: str, workers: int, texts: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """Serve ``model`` with ``workers`` processes and measure it."""
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp) / "keys.json"
        key = KeyStore(keys).create("capacity")
        env = {
            "AMER_KEYS_FILE": str(keys),
            "AMER_CACHE_SIZE": "0",
            "AMER_RELOAD_INTERVAL_S": "0",
            "AMER_LOG_LEVEL": "WARNING",
            "AMER_HOME": str(Path(tmp) / "home"),
        }
        extra = ("--workers", str(workers)) if workers > 1 else ()
        with ServerProcess(model, env=env, args=extra, ready_timeout=180) as server:
            time.sleep(2)
            idle = rss_mb(server.pid)
            result = asyncio.run(_measure(server.url, key, texts, server.pid, args))
    result.update({"workers": workers, "idle_rss_mb": idle})
    return result


def summarise(runs: list[dict[str, Any]], *, peak_rps: float) -> dict[str, Any]:
    """Requests/s per core, memory per replica and replicas for ``peak_rps``."""
    one = next(r for r in runs if r["workers"] == 1)
    peak = one["peak"]
    per_core = peak["docs_per_s"] / max(peak["server_cpu_pct"] / 100, 1e-9)
    from_rates = [
        f["achieved_rps"] / (f["server_cpu_pct"] / 100)
        for f in one["fixed_rates"]
        if f["server_cpu_pct"] and not f["errors"]
    ]
    per_core_rates = min(from_rates) if from_rates else per_core
    usable = per_core_rates * HPA_TARGET
    return {
        "rps_per_core_peak": round(per_core, 1),
        "rps_per_core_fixed": round(per_core_rates, 1),
        "memory_per_replica_mb": one["rss_mb"],
        "peak_rps": peak_rps,
        "replicas": max(2, math.ceil(peak_rps / usable)),
        "replicas_at_100_rps": max(2, math.ceil(100 / usable)),
        "usable_rps_per_replica": round(usable, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="model directory (the trained model)")
    parser.add_argument(
        "--rates", type=lambda s: [float(x) for x in s.split(",")], default=[10.0, 50.0, 100.0]
    )
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per fixed rate")
    parser.add_argument("--peak-duration", type=float, default=15.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--hospital-docs-per-day", type=int, default=200_000)
    parser.add_argument("--busiest-hour-share", type=float, default=0.15)
    parser.add_argument("--note", help="conditions of the run worth stating (other load, ...)")
    parser.add_argument("--render", type=Path, help="re-render the docs from a saved result")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.render:
        result = json.loads(args.render.read_text("utf-8"))
        result["note"] = args.note or result.get("note")
    elif args.model:
        result = measure(args)
        print(json.dumps(result, indent=2))
    else:
        parser.error("give --model (measure) or --render (re-render a saved result)")
    if not args.no_write:
        Path("docs/capacity.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
        Path("docs/capacity.md").write_text(render_capacity(result), "utf-8")
        write_section(Path("docs/benchmarks.md"), render_section(result), name=SECTION_NAME)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Run the loads against each worker count; the result as a JSON-ready dict."""
    settings = get_settings()
    texts = [d.text for d in read_corpus(settings.corpus_path) if d.text.strip()]
    random.Random(settings.seed).shuffle(texts)
    runs = [run_workers(args.model, w, texts, args) for w in args.workers]
    peak_rps = args.hospital_docs_per_day * args.busiest_hour_share / 3600
    return {
        "command": "python " + " ".join(sys.argv),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "model": args.model,
        "texts": f"{settings.corpus_path.name}: {len(texts)} texts",
        "duration_s": args.duration,
        "hospital": {
            "docs_per_day": args.hospital_docs_per_day,
            "busiest_hour_share": args.busiest_hour_share,
        },
        "runs": runs,
        "summary": summarise(runs, peak_rps=round(peak_rps, 1)),
        "note": args.note,
    }


def cpu_table(result: dict[str, Any]) -> list[str]:
    """CPU % per load and worker count, in the shape of the thesis's Table 6."""
    cores = os.cpu_count() or 1
    lines = [
        "| workers | rate (req/s) | achieved (req/s) | p50 / p95 (ms) | errors "
        "| CPU (% of one core) | CPU (% of the workers' cores) | RSS (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in result["runs"]:
        usable = min(run["workers"], cores)
        for f in run["fixed_rates"]:
            cpu = f["server_cpu_pct"]
            lines.append(
                f"| {run['workers']} | {f['rate']:g} | {f['achieved_rps']} | {f['p50_ms']} / "
                f"{f['p95_ms']} | {sum(f['errors'].values())} | {cpu} | "
                f"{round(cpu / usable, 1) if cpu is not None else '–'} | {f['rss_mb']} |"
            )
    return lines


def render_section(result: dict[str, Any]) -> str:
    s = result["summary"]
    lines = [
        BEGIN,
        "## Capacity: CPU per load, one and two workers (issue 6)",
        "",
        f"Command: `{result['command']}`  ",
        f"Machine: {result['machine']}; "
        f"model `{result['model']}`; {result['duration_s']:g} s per rate; cache off.",
        "",
        *cpu_table(result),
        "",
        *([f"Conditions: {result['note']}", ""] if result.get("note") else []),
        f"Requests/s per core (one worker): **{s['rps_per_core_fixed']}** at fixed rates, "
        f"{s['rps_per_core_peak']} at the closed-loop peak; memory per replica "
        f"**{s['memory_per_replica_mb']} MB**. See docs/capacity.md.",
        END,
    ]
    return "\n".join(lines)


def render_capacity(result: dict[str, Any]) -> str:
    """The whole of docs/capacity.md."""
    s, h = result["summary"], result["hospital"]
    one = next(r for r in result["runs"] if r["workers"] == 1)
    lines = [
        "# Capacity: what amer needs on a hospital's own cluster",
        "",
        f"Measured with `{result['command']}` on {result['machine']}, model "
        f"`{result['model']}`, {result['texts']}, {result['duration_s']:g} s per rate, results "
        "cache off, API keys on. The load generator (`bench/load.py`'s open-loop driver) runs on "
        "the same machine and competes for its cores, so the figures are a lower bound of what "
        "a dedicated node gives. Full numbers: the capacity section of docs/benchmarks.md.",
        "",
        "## CPU per load (the thesis's Table 6 shape)",
        "",
        "The thesis's managed endpoint used 15 % / 35 % / 65 % CPU at 10 / 50 / 100 requests/s.",
        "",
        *cpu_table(result),
        "",
        *([f"**Conditions:** {result['note']}", ""] if result.get("note") else []),
        "CPU (% of one core) is the server's process tree (uvicorn and its workers) over the run;"
        " the next column divides by the cores the workers can use.",
        "",
        "## Sizing",
        "",
        f"- **Requests/s per core** (one worker, single-text requests): "
        f"**{s['rps_per_core_fixed']}** from the fixed-rate runs (the lowest of them), "
        f"{s['rps_per_core_peak']} at the closed-loop peak "
        f"({one['peak']['docs_per_s']} requests/s at {one['peak']['server_cpu_pct']} % of a core).",
        "- **Memory per replica** (one worker, after the runs): "
        f"**{s['memory_per_replica_mb']} MB** resident (idle after start: "
        f"{one['idle_rss_mb']} MB). The Deployment requests 1 GiB "
        "and limits 1.5 GiB.",
        f"- **Stated hospital volume:** {h['docs_per_day']:,} clinical documents a day, "
        f"{h['busiest_hour_share']:.0%} of them in the busiest hour → "
        f"**{s['peak_rps']} requests/s** at peak.",
        f"- With one core per pod and the HPA's 65 % CPU target a replica takes "
        f"{s['usable_rps_per_replica']} requests/s before the autoscaler adds another, so the "
        f"peak needs **{s['replicas']} replicas** (never fewer than 2, the HPA minimum; the "
        "maximum of 10 leaves headroom for backlog runs and for longer documents). The "
        f"thesis's top load, 100 requests/s sustained, needs **{s['replicas_at_100_rps']}**.",
        "",
        "Re-measure with the command above after a model or hardware change; "
        "`bench/capacity.py --help` lists the hospital-volume options.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
