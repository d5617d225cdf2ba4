"""An in-process Kubernetes API emulator served over real HTTP on 127.0.0.1.

kopf, the official client, pykube-ng and kubectl talk to it as to a cluster; its
behaviour is pinned by the conformance suite in e2e/conformance, which runs the same
tests against a real kube-apiserver.
"""

from bowsprit.emulator.runner import Emulator

__all__ = ["Emulator"]
