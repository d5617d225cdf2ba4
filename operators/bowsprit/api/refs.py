"""Refs and Pull: the code a job runs against (Prow's Refs, field for field)."""

from __future__ import annotations

from pydantic import Field

from bowsprit.api.base import ApiModel


class Pull(ApiModel):
    """A pull request merged into the base for a presubmit or batch run."""

    number: int = Field(ge=0)
    """Pull request number."""
    author: str
    """GitHub login of the pull request's author."""
    sha: str
    """Head commit SHA tested."""
    title: str | None = None
    """Title of the pull request."""
    ref: str | None = None
    """Ref to fetch instead of pull/<number>/head (for example a Gerrit change ref)."""
    head_ref: str | None = None
    """Name of the pull request's head branch."""
    link: str | None = None
    """URL of the pull request."""
    commit_link: str | None = None
    """URL of the head commit."""
    author_link: str | None = None
    """URL of the author's profile."""


class Refs(ApiModel):
    """A repository at a base ref, with pull requests merged on top for presubmits."""

    org: str = Field(min_length=1)
    """GitHub organisation (or user) owning the repository."""
    repo: str = Field(min_length=1)
    """Repository name."""
    repo_link: str | None = None
    """URL of the repository."""
    base_ref: str | None = None
    """Branch (or ref) the job tests against."""
    base_sha: str | None = None
    """Commit of base_ref tested; resolved when the job is triggered."""
    base_link: str | None = None
    """URL of the base commit."""
    pulls: list[Pull] | None = None
    """Pull requests merged into the base: one for a presubmit, several for a batch."""
    path_alias: str | None = None
    """Clone location under $GOPATH/src instead of github.com/<org>/<repo>."""
    workdir: bool | None = None
    """Use this repository's clone as the working directory of the test."""
    auxiliary: bool | None = None
    """Not the main repository of the job (its SHA is not reported as the version)."""
    clone_uri: str | None = None
    """URI to clone from instead of https://github.com/<org>/<repo>.git."""
    skip_submodules: bool | None = None
    """Do not initialise submodules."""
    clone_depth: int | None = Field(default=None, ge=0)
    """Shallow clone depth; 0 clones the full history."""
    skip_fetch_head: bool | None = None
    """Skip fetching the remote's HEAD (saves a fetch for large repositories)."""
    blobless_fetch: bool | None = None
    """Fetch with --filter=blob:none."""
    sparse_checkout_files: list[str] | None = None
    """Paths for a sparse checkout; empty checks out everything."""
