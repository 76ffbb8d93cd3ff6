"""Load benchmark of the inference API: fixed open-loop rates, peak throughput, in-process compute.

Drives a server on loopback (started here from ``--model``, cache disabled, or a running one at
``--url``) at fixed request rates (default 10, 50 and 100 requests/s for 60 s each) with real
NorMedQA texts (``AMER_DATA_DIR``), then measures the highest sustained throughput (closed
loop, single and batch requests), and — in the same run, on the same texts — the in-process
per-document compute time and batched throughput of the same model. Results go to stdout
(JSON) and to the serving section of ``docs/benchmarks.md``.

    python bench/load.py --model runs/default/model
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import psutil
from doc_sections import markers, write_section  # bench/doc_sections.py

from amer.data.corpus import read_corpus
from amer.model import load_model
from amer.serving.auth import KeyStore
from amer.serving.process import ServerProcess
from amer.settings import get_settings

SECTION_NAME = "serving-load"
BEGIN, END = markers(SECTION_NAME)
MAX_OUTSTANDING = 2000


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class CpuMeter:
    """CPU time of the server process and its children, as % of one core over an interval."""

    def __init__(self, pid: int | None) -> None:
        self.process = psutil.Process(pid) if pid else None

    def _cpu(self) -> float:
        if self.process is None:
            return 0.0
        total = 0.0
        for p in [self.process, *self.process.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def start(self) -> None:
        self._t0, self._c0 = time.perf_counter(), self._cpu()

    def percent(self) -> float | None:
        if self.process is None:
            return None
        return 100 * (self._cpu() - self._c0) / (time.perf_counter() - self._t0)


async def fixed_rate(
    client: httpx.AsyncClient, texts: list[str], *, rate: float, duration: float, cpu: CpuMeter
) -> dict[str, Any]:
    """Open loop: request i is due at i/rate; latency counts from when it was due."""
    total = int(rate * duration)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    outstanding = 0

    async def one(i: int, due: float) -> None:
        nonlocal outstanding
        try:
            r = await client.post("/v1/entities", json={"text": texts[i % len(texts)]})
            if r.status_code == 200:
                latencies.append(time.perf_counter() - due)
            else:
                errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
        except httpx.HTTPError as e:
            errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
        finally:
            outstanding -= 1

    cpu.start()
    start = time.perf_counter()
    tasks = []
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if outstanding >= MAX_OUTSTANDING:
            errors["client_backlog"] = errors.get("client_backlog", 0) + 1
            continue
        outstanding += 1
        tasks.append(asyncio.ensure_future(one(i, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    return {
        "rate": rate,
        "duration_s": round(elapsed, 1),
        "requests": total,
        "ok": len(latencies),
        "errors": errors,
        "achieved_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(_pct(latencies, 50) * 1000, 1),
        "p95_ms": round(_pct(latencies, 95) * 1000, 1),
        "p99_ms": round(_pct(latencies, 99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "server_cpu_pct": _round(cpu.percent()),
    }


async def closed_loop(
    client: httpx.AsyncClient,
    texts: list[str],
    *,
    users: int,
    batch: int,
    duration: float,
    cpu: CpuMeter,
) -> dict[str, Any]:
    """``users`` callers back to back for ``duration`` s; documents/s answered without error."""
    docs = 0
    errors = 0
    deadline = time.perf_counter() + duration

    async def user(u: int) -> None:
        nonlocal docs, errors
        i = u * 997
        while time.perf_counter() < deadline:
            chunk = [texts[(i + k) % len(texts)] for k in range(batch)]
            i += batch
            if batch == 1:
                r = await client.post("/v1/entities", json={"text": chunk[0]})
            else:
                body = {"documents": [{"id": str(k), "text": t} for k, t in enumerate(chunk)]}
                r = await client.post("/v1/entities/batch", json=body)
            if r.status_code == 200:
                docs += batch
            else:
                errors += 1

    cpu.start()
    start = time.perf_counter()
    await asyncio.gather(*(user(u) for u in range(users)))
    elapsed = time.perf_counter() - start
    return {
        "users": users,
        "batch": batch,
        "docs_per_s": round(docs / elapsed, 1),
        "errors": errors,
        "server_cpu_pct": _round(cpu.percent()),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def in_process(model_path: str, texts: list[str], *, sample: int) -> dict[str, Any]:
    """Per-document compute time (one text per call) and batched throughput (64 per call)."""
    model = load_model(model_path)
    docs = texts[:sample]
    model.analyse_batch(docs[:16])  # warm up
    per_doc = []
    for text in docs:
        t = time.perf_counter()
        model.analyse_batch([text])
        per_doc.append(time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(0, len(docs), 64):
        model.analyse_batch(docs[i : i + 64])
    batched = len(docs) / (time.perf_counter() - t)
    return {
        "documents": len(docs),
        "per_doc_p50_ms": round(_pct(per_doc, 50) * 1000, 2),
        "per_doc_p95_ms": round(_pct(per_doc, 95) * 1000, 2),
        "per_doc_mean_ms": round(statistics.fmean(per_doc) * 1000, 2),
        "single_docs_per_s": round(len(docs) / sum(per_doc), 1),
        "batched_docs_per_s": round(batched, 1),
    }


async def drive(
    url: str, key: str | None, texts: list[str], args: argparse.Namespace, pid: int | None
) -> dict[str, Any]:
    cpu = CpuMeter(pid)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=70, limits=limits) as c:
        for text in texts[:20]:  # warm up
            await c.post("/v1/entities", json={"text": text})
        rates = []
        for rate in args.rates:
            rates.append(await fixed_rate(c, texts, rate=rate, duration=args.duration, cpu=cpu))
            print(json.dumps(rates[-1]), file=sys.stderr)
        peak = [
            await closed_loop(
                c, texts, users=args.users, batch=1, duration=args.peak_duration, cpu=cpu
            ),
            await closed_loop(c, texts, users=2, batch=64, duration=args.peak_duration, cpu=cpu),
        ]
        for p in peak:
            print(json.dumps(p), file=sys.stderr)
    return {"fixed_rates": rates, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--model", help="model directory to serve here (cache disabled)")
    target.add_argument("--url", help="a running server on loopback")
    parser.add_argument("--api-key", help="key for --url")
    parser.add_argument("--server-pid", type=int, help="pid of the --url server, for CPU %%")
    parser.add_argument("--in-process-model", help="model for the in-process figures (--url)")
    parser.add_argument(
        "--rates", type=lambda s: [float(x) for x in s.split(",")], default=[10.0, 50.0, 100.0]
    )
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--peak-duration", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=16, help="closed-loop callers for the peak")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sample", type=int, default=500, help="texts for in-process figures")
    parser.add_argument("--write", type=Path, default=Path("docs/benchmarks.md"))
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.url and not args.url.startswith(
        ("http://127.", "https://127.", "http://localhost", "https://localhost")
    ):
        parser.error("--url must be a loopback address")

    settings = get_settings()
    texts = [d.text for d in read_corpus(settings.corpus_path) if d.text.strip()]
    random.Random(settings.seed).shuffle(texts)
    model_path = args.model or args.in_process_model
    result: dict[str, Any] = {
        "command": "python " + " ".join(sys.argv),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "corpus": f"{settings.corpus_path.name}: {len(texts)} texts, "
        f"median {int(statistics.median(len(t) for t in texts))} chars",
        "model": str(model_path or args.url),
        "workers": args.workers,
    }
    if model_path:
        result["in_process"] = in_process(model_path, texts, sample=args.sample)
        print(json.dumps(result["in_process"]), file=sys.stderr)
    if args.url:
        result.update(asyncio.run(drive(args.url, args.api_key, texts, args, args.server_pid)))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            key = KeyStore(Path(tmp) / "keys.json").create("bench")
            env = {
                "AMER_KEYS_FILE": str(Path(tmp) / "keys.json"),
                "AMER_CACHE_SIZE": "0",
                "AMER_RELOAD_INTERVAL_S": "0",
                "AMER_LOG_LEVEL": "WARNING",
                "AMER_HOME": str(Path(tmp) / "home"),
            }
            extra = ("--workers", str(args.workers)) if args.workers > 1 else ()
            with ServerProcess(args.model, env=env, args=extra, ready_timeout=120) as server:
                result.update(asyncio.run(drive(server.url, key, texts, args, server.pid)))
    print(json.dumps(result, indent=2))
    if not args.no_write:
        write_section(args.write, render(result), name=SECTION_NAME)


def render(r: dict[str, Any]) -> str:
    lines = [
        BEGIN,
        "## Inference API under load (issue 4)",
        "",
        f"Command: `{r['command']}`  ",
        f"Machine: {r['machine']}; server workers: {r['workers']}; "
        f"results cache disabled; API keys on.  ",
        f"Texts: {r['corpus']}.  ",
        f"Model: `{r['model']}`.",
        "",
    ]
    if "fixed_rates" in r:
        lines += [
            "| rate (req/s) | duration (s) | ok | errors | p50 (ms) | p95 (ms) | p99 (ms) "
            "| server CPU (% of a core) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for f in r["fixed_rates"]:
            lines.append(
                f"| {f['rate']:g} | {f['duration_s']} | {f['ok']} | "
                f"{sum(f['errors'].values())} {f['errors'] or ''} | {f['p50_ms']} | "
                f"{f['p95_ms']} | {f['p99_ms']} | {f['server_cpu_pct']} |"
            )
        lines += ["", "Highest sustained throughput (closed loop):", ""]
        for p in r["peak"]:
            kind = "single-text requests" if p["batch"] == 1 else f"batch requests of {p['batch']}"
            lines.append(
                f"- {p['users']} callers, {kind}: **{p['docs_per_s']} documents/s**, "
                f"{p['errors']} errors, server CPU {p['server_cpu_pct']} %"
            )
    if "in_process" in r:
        ip = r["in_process"]
        lines += [
            "",
            f"In-process, same model and texts ({ip['documents']} documents): "
            f"per-document compute p50 {ip['per_doc_p50_ms']} ms, p95 {ip['per_doc_p95_ms']} ms "
            f"(one text per call: {ip['single_docs_per_s']} documents/s); batched (64 per call) "
            f"**{ip['batched_docs_per_s']} documents/s**.",
        ]
        if "peak" in r:
            best = max(p["docs_per_s"] for p in r["peak"])
            share = 100 * best / ip["batched_docs_per_s"]
            lines.append(f"Service peak / in-process batched: **{share:.0f} %**.")
    return "\n".join([*lines, END])


if __name__ == "__main__":
    main()
