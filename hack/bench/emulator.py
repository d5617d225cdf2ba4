"""Emulator throughput: creates/s, patches/s, and watch events/s delivered to 5 watchers.

Runs `bowsprit emulator` as its own process (as the local mode does) and loads it from
this one over HTTP, so client and server each get a core. Prints figures; asserts nothing.

    python hack/bench/emulator.py [--objects 4000] [--concurrency 32] [--prowjobs]

--prowjobs creates ProwJobs (our CRD, every CEL rule of its schema evaluated on each
create) instead of ConfigMaps; run both for a same-run baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import yaml

PATH = "/api/v1/namespaces/default/configmaps"
PROWJOBS = "/apis/bowsprit.dev/v1/namespaces/default/prowjobs"
CRD = Path(__file__).parents[2] / "crds" / "prowjobs.bowsprit.dev.yaml"
WATCHERS = 5


def configmap(index: int) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"cm-{index}", "labels": {"bench": "yes"}},
        "data": {"index": str(index)},
    }


def prowjob(index: int) -> dict[str, object]:
    """As hook creates one for a pull request's presubmit."""
    refs = {
        "org": "acme",
        "repo": "widgets",
        "base_ref": "main",
        "base_sha": "f" * 40,
        "pulls": [{"number": index, "author": "dev", "sha": f"{index:040x}"}],
    }
    return {
        "apiVersion": "bowsprit.dev/v1",
        "kind": "ProwJob",
        "metadata": {"name": f"cm-{index}", "labels": {"bench": "yes"}},
        "spec": {
            "type": "presubmit",
            "agent": "kubernetes",
            "job": "unit",
            "refs": refs,
            "context": "unit",
            "rerun_command": "/test unit",
            "pod_spec": {"containers": [{"image": "busybox", "command": ["make", "test"]}]},
        },
        "status": {"state": "triggered", "startTime": "2026-01-01T00:00:00Z"},
    }


async def install_crd(session: aiohttp.ClientSession, url: str) -> None:
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    async with session.post(url + crds, json=yaml.safe_load(CRD.read_text())) as response:
        assert response.status == 201, await response.text()
    for _ in range(100):
        async with session.get(url + PROWJOBS) as response:
            if response.status == 200:
                return
        await asyncio.sleep(0.1)
    raise RuntimeError("the ProwJob CRD was not served")


def start_emulator(folder: Path) -> tuple[subprocess.Popen[str], str]:
    kubeconfig = folder / "kubeconfig"
    process = subprocess.Popen(
        [sys.executable, "-m", "bowsprit", "emulator", "--kubeconfig-out", str(kubeconfig)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("kubeconfig written"):
            break
    server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    return process, server


async def watch(
    session: aiohttp.ClientSession,
    url: str,
    expected: int,
    counts: list[int],
    index: int,
    ready: asyncio.Event,
) -> None:
    # A new kind's watch from version 1 would be expired: follow it from now (before any
    # create) instead.
    params = {"watch": "true"} if PATH == PROWJOBS else {"watch": "true", "resourceVersion": "1"}
    async with session.get(url + PATH, params=params) as response:
        ready.set()
        async for _ in response.content:
            counts[index] += 1
            if counts[index] >= expected:
                return


async def run(url: str, objects: int, concurrency: int, prowjobs: bool) -> None:
    global PATH
    connector = aiohttp.TCPConnector(limit=concurrency + WATCHERS)
    async with aiohttp.ClientSession(connector=connector) as session:
        make = configmap
        if prowjobs:
            await install_crd(session, url)
            PATH, make = PROWJOBS, prowjob
        counts = [0] * WATCHERS
        events_expected = objects * 2  # one ADDED and one MODIFIED per object
        readies = [asyncio.Event() for _ in range(WATCHERS)]
        watchers = [
            asyncio.create_task(watch(session, url, events_expected, counts, i, readies[i]))
            for i in range(WATCHERS)
        ]
        await asyncio.gather(*(ready.wait() for ready in readies))
        queue: asyncio.Queue[int] = asyncio.Queue()

        async def worker(verb: str) -> None:
            while not queue.empty():
                index = queue.get_nowait()
                if verb == "create":
                    async with session.post(url + PATH, json=make(index)) as response:
                        assert response.status == 201, await response.text()
                else:
                    patch = json.dumps({"metadata": {"labels": {"patched": "yes"}}})
                    headers = {"Content-Type": "application/merge-patch+json"}
                    async with session.patch(
                        f"{url}{PATH}/cm-{index}", data=patch, headers=headers
                    ) as response:
                        assert response.status == 200, await response.text()

        load_started = time.perf_counter()
        for verb in ("create", "patch"):
            for index in range(objects):
                queue.put_nowait(index)
            started = time.perf_counter()
            await asyncio.gather(*(worker(verb) for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
            plural = "creates" if verb == "create" else "patches"
            print(
                f"{plural}/s: {objects / elapsed:,.0f}  ({objects} {plural} in {elapsed:.2f} s, "
                f"{concurrency} concurrent clients, {WATCHERS} watchers following)"
            )
        await asyncio.wait_for(asyncio.gather(*watchers), timeout=120)
        elapsed = time.perf_counter() - load_started
        delivered = sum(counts)
        print(
            f"watch events/s delivered: {delivered / elapsed:,.0f}  ({delivered:,} events to "
            f"{WATCHERS} watchers, {events_expected:,} each, in {elapsed:.2f} s)"
        )
        started_list = time.perf_counter()
        async with session.get(url + PATH, params={"labelSelector": "bench=yes"}) as response:
            items = len((await response.json())["items"])
        print(
            f"list of {items:,} objects with a label selector: "
            f"{(time.perf_counter() - started_list) * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--prowjobs", action="store_true", help="ProwJobs, CEL rules on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, url = start_emulator(Path(folder))
        try:
            asyncio.run(run(url, args.objects, args.concurrency, args.prowjobs))
        finally:
            process.terminate()
            process.communicate(timeout=30)


if __name__ == "__main__":
    main()
