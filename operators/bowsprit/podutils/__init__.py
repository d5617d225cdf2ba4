"""The utilities that run inside decorated job pods (PROW-REFERENCE 3): clonerefs clones the
refs, initupload records the start, entrypoint (a POSIX sh script) runs the test, sidecar
uploads the results. Options arrive as Prow's JSON environment variables."""
