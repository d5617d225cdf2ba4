"""The approve plugin's notification comment, word for word as Prow's GetMessage
(pkg/plugins/approve/approvers/owners.go), whose Go template is unrolled here."""

from __future__ import annotations

import json

from bowsprit.hook.plugins.owners.approvers import Approvers

NOTIFICATION_NAME = "ApprovalNotifier"
DEFAULT_COMMAND_HELP_LINK = "https://go.k8s.io/bot-commands"
DEFAULT_PR_PROCESS_LINK = (
    "https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process"
)
ONCE = "**Once this PR has been reviewed and has the lgtm label**"


def _people(logins: list[str]) -> str:
    return ", ".join(f"[{login}](https://github.com/{login})" for login in logins)


def _approvals(ap: Approvers, no_issue: bool = False) -> str:
    listed = ap.list_no_issue_approvals() if no_issue else ap.list_approvals()
    return "".join((", " if index else " ") + str(item) for index, item in enumerate(listed))


def _ask(ap: Approvers, process: str, ccs: list[str]) -> str:
    suggested, assigned = ap.suggested_ccs(ccs), ap.assigned_ccs(ccs)
    see = f"For more information see [the Code Review Process]({process})."
    if suggested and assigned:
        return (
            f"{ONCE}, please ask for approval from {_people(assigned)} and additionally "
            f"assign {_people(suggested)} for approval. {see}"
        )
    if suggested:
        return f"{ONCE}, please assign {_people(suggested)} for approval. {see}"
    if assigned:
        return f"{ONCE}, please ask for approval from {_people(assigned)}. {see}"
    return ""


def _issue(ap: Approvers, manual: bool) -> str:
    if not ap.require_issue:
        return ""
    if ap.associated_issue:
        return f"Associated issue: *#{ap.associated_issue}*\n\n"
    if ap.no_issue_approvers():
        return f"Associated issue requirement bypassed by:{_approvals(ap, True)}\n\n"
    if manual:
        return "*No associated issue*. Requirement bypassed by manually added approval.\n\n"
    return (
        "*No associated issue*. Update pull-request body to add a reference to an issue, "
        "or get approval with `/approve no-issue`\n\n"
    )


def message(
    ap: Approvers,
    *,
    link_url: str,
    command_help_link: str,
    pr_process_link: str,
    org: str,
    repo: str,
    branch: str,
) -> str:
    """The whole comment: `[APPROVALNOTIFIER] This PR is **(NOT )APPROVED**`, the body,
    and the machine-readable approvers Gubernator reads."""
    manual = ap.manually_approved()
    ccs = ap.ccs()  # the costly part: worked out once
    files_approved = ap.are_files_approved()
    base_url = f"{link_url.rstrip('/')}/{org}/{repo}"
    text = ""
    if not ap.requirements_met() and manual:
        text += "\nApproval requirements bypassed by manually added approval.\n\n"
    text += "This pull-request has been approved by:" + _approvals(ap)
    if not files_approved and not manual:
        text += "\n" + _ask(ap, pr_process_link, ccs)
    text += "\n\n" + _issue(ap, manual)
    text += (
        f"The full list of commands accepted by this bot can be found "
        f"[here]({command_help_link}?repo={org}%2F{repo}).\n\n"
    )
    if files_approved or manual:
        text += f"The pull request process is described [here]({pr_process_link})\n\n"
    text += "<details open>" if not files_approved and not manual else "<details >"
    text += "\nNeeds approval from an approver in each of these files:\n\n"
    text += "".join(ap.files(base_url, branch))
    text += (
        "\nApprovers can indicate their approval by writing `/approve` in a comment\n"
        "Approvers can cancel approval by writing `/approve cancel` in a comment\n"
        "</details>"
    )
    text += "\n<!-- META=" + json.dumps({"approvers": ccs}, separators=(",", ":")) + " -->"
    title = "This PR is **" + ("" if ap.is_approved() else "NOT ") + "APPROVED**"
    return f"[{NOTIFICATION_NAME.upper()}] {title}\n\n{text.strip()}"
