"""`bowsprit convert`: Prow's config.yaml, plugins.yaml and job files as Bowsprit CRs."""
