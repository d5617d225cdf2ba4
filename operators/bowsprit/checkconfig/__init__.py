"""`bowsprit check`: validate CR manifests and Prow config files, like Prow's checkconfig."""
