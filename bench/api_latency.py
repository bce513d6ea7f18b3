#!/usr/bin/env python3
"""Research latency through the HTTP API: sends the labelled questions one after another to a
running Sophia (POST /api/v1/chat, search_engine "local") and reports request-to-answer time as
the client saw it (median, p95) and the share of Sophia's own time spent in each stage, from each
response's metadata.timings_ms. Standard library only.

Usage: bench/api_latency.py BASE_URL QUESTIONS_TSV [--n 60] [--warmup 3] [--sources 3]
The API key comes from SOPHIA_API_KEY."""
import argparse
import json
import os
import statistics
import time
import urllib.request


def pct(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("questions")
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--sources", type=int, default=3)
    a = ap.parse_args()
    key = os.environ["SOPHIA_API_KEY"]
    qs = [l.split("\t")[0] for l in open(a.questions) if l.strip() and not l.startswith("#")]

    def ask(q):
        body = json.dumps({"query": q, "sources_limit": a.sources, "search_engine": "local"}).encode()
        req = urllib.request.Request(a.base + "/api/v1/chat", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-API-Key": key})
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=60) as r:
            d = json.load(r)
        return (time.perf_counter() - t) * 1000, d

    for q in qs[: a.warmup]:
        ask(q)
    client, stages, answered, quality = [], {}, 0, []
    for i in range(a.n):
        ms, d = ask(qs[(a.warmup + i) % len(qs)])
        client.append(ms)
        answered += d["answer"] is not None
        quality.append(d["research_quality_score"])
        for stage, v in d["metadata"]["timings_ms"].items():
            stages.setdefault(stage, []).append(v)
    total = sum(stages["total"])
    print(f"{a.n} requests, {a.sources} sources each, {answered} answered, "
          f"mean quality {statistics.mean(quality):.3f}")
    print()
    print("| measure | median | p95 |")
    print("| --- | ---: | ---: |")
    print(f"| request to answer (client) | {statistics.median(client):.0f} ms | {pct(client, 95):.0f} ms |")
    for stage in ["search", "fetch", "rank", "summarize", "store", "total"]:
        v = stages.get(stage, [0])
        print(f"| stage {stage} | {statistics.median(v):.0f} ms | {pct(v, 95):.0f} ms |")
    print()
    print("| stage | share of Sophia's time |")
    print("| --- | ---: |")
    for stage in ["search", "fetch", "rank", "summarize", "store"]:
        print(f"| {stage} | {100 * sum(stages.get(stage, [0])) / total:.1f} % |")


if __name__ == "__main__":
    main()
