"""Client candidates for plank's two writes per job (pod create + ProwJob status patch).

In one run, against the emulator or (--api-server envtest) a real kube-apiserver, N
pairs each through: the official client's generated calls (raw JSON, no models, 16
threads), `Cluster`'s direct path on the same connection pool (16 threads), and a bare
asyncio client (one keep-alive aiohttp session, 16 requests at once). Prints pairs/s and
the client's CPU per pair (this process only; the API server runs apart); asserts
nothing. Run twice or alternate: the machine is shared and the rates move.

    python hack/bench/kubeclients.py [--pairs 1000] [--api-server emulator|envtest]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import aiohttp
import kubernetes
from servers import api_server  # type: ignore[import-not-found]

from bowsprit.api import GROUP, VERSION
from bowsprit.clients.cluster import Cluster
from bowsprit.clients.kube import load_configuration
from plank import POD, in_parallel, prowjob, setup  # type: ignore[import-not-found]

CONCURRENCY = 16


def pod(index: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p-{index}"}, "spec": POD}


def status(index: int) -> dict[str, Any]:
    return {"state": "pending", "build_id": str(index)}


def official(api: kubernetes.client.ApiClient, namespace: str) -> Callable[[int], object]:
    core, objects = kubernetes.client.CoreV1Api(api), kubernetes.client.CustomObjectsApi(api)

    def pair(index: int) -> None:
        core.create_namespaced_pod(namespace, pod(index), _preload_content=False)
        objects.patch_namespaced_custom_object_status(
            GROUP,
            VERSION,
            namespace,
            "prowjobs",
            f"job-{index}",
            {"status": status(index)},
            _content_type="application/merge-patch+json",
            _preload_content=False,
        )

    return pair


def direct(api: kubernetes.client.ApiClient, namespace: str) -> Callable[[int], object]:
    cluster = Cluster(api)

    def pair(index: int) -> None:
        cluster.create_pod(namespace, pod(index))
        cluster.patch_custom_status(namespace, "prowjobs", f"job-{index}", status(index))

    return pair


async def asyncio_pairs(configuration: Any, namespace: str, count: int) -> None:
    context = ssl.create_default_context(cafile=configuration.ssl_ca_cert)
    if configuration.cert_file:
        context.load_cert_chain(configuration.cert_file, configuration.key_file)
    headers = {"Accept": "application/json"}
    token = configuration.get_api_key_with_prefix("BearerToken")
    if token:
        headers["Authorization"] = token
    base = configuration.host
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, ssl=context)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def pair(index: int) -> None:
            async with session.post(
                f"{base}/api/v1/namespaces/{namespace}/pods",
                data=json.dumps(pod(index)),
                headers={"Content-Type": "application/json"},
            ) as response:
                response.raise_for_status()
                json.loads(await response.read())
            async with session.patch(
                f"{base}/apis/{GROUP}/{VERSION}/namespaces/{namespace}/prowjobs/job-{index}/status",
                data=json.dumps({"status": status(index)}),
                headers={"Content-Type": "application/merge-patch+json"},
            ) as response:
                response.raise_for_status()
                json.loads(await response.read())

        queue = iter(range(count))

        async def worker() -> None:
            for index in queue:
                await pair(index)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def measure(name: str, run: Callable[[], object], count: int) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{name:<34} {count / wall:6,.0f} pairs/s  {cpu / count * 1000:5.2f} ms client CPU/pair")


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--api-server", choices=["emulator", "envtest"], default="emulator")
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory() as folder, api_server(args.api_server, Path(folder)) as kc:
        configuration = load_configuration(str(kc))
        configuration.connection_pool_maxsize = CONCURRENCY
        api = kubernetes.client.ApiClient(configuration)
        setup(api)
        core, objects = kubernetes.client.CoreV1Api(api), kubernetes.client.CustomObjectsApi(api)
        candidates = ["official", "direct", "aiohttp"]
        for name in candidates:
            core.create_namespace({"metadata": {"name": name}})
            in_parallel(
                lambda i, ns=name: objects.create_namespaced_custom_object(
                    GROUP, VERSION, ns, "prowjobs", prowjob(i)
                ),
                args.pairs,
                CONCURRENCY,
            )
        print(f"API server: {args.api_server}; {args.pairs} pairs, {CONCURRENCY} at once")
        measure(
            "official client (generated calls)",
            lambda: in_parallel(official(api, "official"), args.pairs, CONCURRENCY),
            args.pairs,
        )
        measure(
            "Cluster direct (same pool)",
            lambda: in_parallel(direct(api, "direct"), args.pairs, CONCURRENCY),
            args.pairs,
        )
        measure(
            "asyncio (one aiohttp session)",
            lambda: asyncio.run(asyncio_pairs(configuration, "aiohttp", args.pairs)),
            args.pairs,
        )


if __name__ == "__main__":
    main()
