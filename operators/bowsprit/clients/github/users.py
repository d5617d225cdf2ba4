"""Calls about people: who the bot is, org and team membership, collaborators."""

from __future__ import annotations

from bowsprit.clients.github.transport import Transport, _q, _repo


class UserCalls(Transport):
    async def bot_login(self) -> str:
        """The login this client acts as (an App acts as `<slug>[bot]`)."""
        if self._bot is None:
            if self._creds.is_app:
                app = await self._json("GET", "/app", None, app=True)
                self._bot = f"{app['slug']}[bot]"
            else:
                self._bot = str((await self._json("GET", "/user", None))["login"])
        return self._bot

    async def is_member(self, org: str, user: str) -> bool:
        return await self._exists(f"/orgs/{_q(org)}/members/{_q(user)}", org)

    async def is_collaborator(self, org: str, repo: str, user: str) -> bool:
        return await self._exists(f"{_repo(org, repo)}/collaborators/{_q(user)}", org)

    async def list_collaborators(self, org: str, repo: str) -> list[str]:
        return _logins(await self._pages(f"{_repo(org, repo)}/collaborators", org))

    async def team_has_member(self, org: str, team: str, user: str) -> bool:
        """An active member of the team with this slug (Prow's TeamBySlugHasMember)."""
        url = f"/orgs/{_q(org)}/teams/{_q(team)}/memberships/{_q(user)}"
        response = await self._get_or_none(url, org)
        return response is not None and bool(response.json().get("state") == "active")

    async def list_team_members(self, org: str, team_name: str) -> list[str] | None:
        """The logins of the org's team with this name (Prow's sticky-lgtm team is named,
        not a slug); None when there is no such team."""
        for team in await self._pages(f"/orgs/{_q(org)}/teams", org):
            if team.get("name") == team_name:
                url = f"/orgs/{_q(org)}/teams/{_q(str(team['slug']))}/members"
                return _logins(await self._pages(url, org))
        return None


def _logins(users: list[dict[str, object]]) -> list[str]:
    return [str(user["login"]) for user in users]
