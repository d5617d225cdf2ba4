"""`bowsprit local`: the emulator, the operators and a kubelet that runs job pods as local
processes, on one machine without a cluster."""
