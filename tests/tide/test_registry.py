"""What tide knows before its first sync: one list of each kind (as Prow waits for its
caches), so it never merges untested PRs for lack of job definitions, nor restarts
running jobs."""

from __future__ import annotations

from typing import Any

from bowsprit.tide.registry import Deps, prime

POD = {"containers": [{"image": "busybox"}]}


class ListingCluster:
    def __init__(self, objects: dict[str, list[dict[str, Any]]]) -> None:
        self.objects = objects

    def list_custom_everywhere(self, plural: str) -> list[dict[str, Any]]:
        return self.objects.get(plural, [])

    def list_custom(
        self, namespace: str, plural: str, label_selector: str = ""
    ) -> list[dict[str, Any]]:
        return [o for o in self.objects.get(plural, []) if o["metadata"]["namespace"] == namespace]


def _object(namespace: str, name: str, spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"metadata": {"namespace": namespace, "name": name}, "spec": spec, **extra}


def test_prime_reads_pools_job_definitions_and_prowjobs() -> None:
    history = [{"action": "MERGE", "org": "o", "repo": "r", "branch": "main"}]
    refs = {
        "org": "o",
        "repo": "r",
        "base_ref": "main",
        "base_sha": "b" * 40,
        "pulls": [{"number": 1, "sha": "1" * 40}],
    }
    cluster = ListingCluster(
        {
            "tidepools": [
                _object("team", "main", {"repos": ["o/r"]}, status={"history": history}),
                _object("team", "bad", {"orgs": [], "repos": ["not a repo"]}),
            ],
            "blockingpresubmits": [
                _object(
                    "team", "unit", {"org": "o", "repo": "r", "always_run": True, "pod_spec": POD}
                )
            ],
            "presubmits": [_object("team", "lint", {"org": "o", "repo": "r", "pod_spec": POD})],
            "prowjobs": [
                _object(
                    "default",
                    "run-1",
                    {"type": "presubmit", "job": "unit", "refs": refs},
                    status={"state": "pending"},
                ),
                _object("elsewhere", "run-2", {"type": "presubmit", "job": "unit", "refs": refs}),
            ],
        }
    )
    deps = Deps(cluster, "bowsprit", "bowsprit", False)  # type: ignore[arg-type]
    prime(deps)
    assert list(deps.caches.pools) == [("team", "main")]  # the invalid one is left out
    assert deps.caches.history[("team", "main")] == history
    assert sorted(deps.caches.jobs) == [
        ("BlockingPresubmit", "team", "unit"),
        ("Presubmit", "team", "lint"),
    ]
    assert [j.name for j in deps.caches.prowjobs.values()] == ["run-1"]
    assert deps.caches.prowjobs["run-1"].state == "pending"
