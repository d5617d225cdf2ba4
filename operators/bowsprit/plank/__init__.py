"""plank: turns ProwJobs into pods and follows each pod to the end (Prow's plank / PCM)."""
