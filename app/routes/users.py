"""`/api/users`: staff accounts, for admins (the accounts page, `/admin/accounts`, and programs).

  GET  /api/users                          every account and the roles there are
  POST /api/users                          {"username", "role", "password"}: a new account
  POST /api/users/{username}/disable       its tokens stop working at once
  POST /api/users/{username}/enable
  POST /api/users/{username}/password      {"password"}: a new password; its earlier tokens stop working
  POST /api/users/{username}/role          {"role"}: another role; its earlier tokens stop working

The same account functions as `triage users` (app/users.py). A bearer token, or the `triage_token` cookie with
the page's `X-CSRF-Token` (app/auth.py), as every staff action. Each change is recorded in the audit trail as
an access event (`account_create`, `account_disable`, `account_enable`, `account_password`, `account_role`:
who, whose account, from where; never a password). An admin cannot disable their own account or change its
role here (the last admin could lock everyone out); `triage users` still can.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, StringConstraints

from app.auth import Principal, accounts_for
from app.deps import AdminPrincipal, UsersDep
from app.users import STAFF_ROLES, StaffRole, StaffUser, UserError, UserStore
from compliance.audit import AccessAction, AccessEvent
from compliance.audit.spool import SpoolingTrail

router = APIRouter(prefix="/api/users", tags=["accounts"])

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class NewUser(BaseModel):
    username: Username
    password: Password
    role: StaffRole


class NewPassword(BaseModel):
    password: Password


class NewRole(BaseModel):
    role: StaffRole


def user_out(user: StaffUser) -> dict[str, Any]:
    return {
        "username": user.username,
        "role": user.role,
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat(),
    }


@router.get("")
async def list_users(_: AdminPrincipal, users: UsersDep) -> dict[str, Any]:
    return {"users": [user_out(u) for u in await asyncio.to_thread(users.list)], "roles": list(STAFF_ROLES)}


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_user(request: Request, principal: AdminPrincipal, body: NewUser, users: UsersDep) -> dict[str, Any]:
    change = partial(users.create, body.username, body.role, body.password)
    return user_out(await _change(request, principal, "account_create", change, role=body.role))


@router.post("/{username}/disable")
async def disable_user(request: Request, principal: AdminPrincipal, username: str, users: UsersDep) -> dict[str, Any]:
    _not_self(principal, username, "disable")
    await _existing(users, username)
    return user_out(await _change(request, principal, "account_disable", partial(users.set_disabled, username, True)))


@router.post("/{username}/enable")
async def enable_user(request: Request, principal: AdminPrincipal, username: str, users: UsersDep) -> dict[str, Any]:
    await _existing(users, username)
    return user_out(await _change(request, principal, "account_enable", partial(users.set_disabled, username, False)))


@router.post("/{username}/password")
async def set_password(
    request: Request, principal: AdminPrincipal, username: str, body: NewPassword, users: UsersDep
) -> dict[str, Any]:
    await _existing(users, username)
    change = partial(users.set_password, username, body.password)
    return user_out(await _change(request, principal, "account_password", change))


@router.post("/{username}/role")
async def set_role(
    request: Request, principal: AdminPrincipal, username: str, body: NewRole, users: UsersDep
) -> dict[str, Any]:
    _not_self(principal, username, "change the role of")
    await _existing(users, username)
    change = partial(users.set_role, username, body.role)
    return user_out(await _change(request, principal, "account_role", change, role=body.role))


def _not_self(principal: Principal, username: str, what: str) -> None:
    if username.strip().lower() == principal.subject:
        raise HTTPException(status.HTTP_409_CONFLICT, f"you cannot {what} your own account here")


async def _existing(users: UserStore, username: str) -> None:
    if await asyncio.to_thread(users.get, username) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no account {username!r}")


async def _change(
    request: Request, principal: Principal, action: AccessAction, change: Callable[[], StaffUser], **detail: str
) -> StaffUser:
    """Make the change (422 with the reason when refused), honour it in this process at once, and record it."""
    try:
        user = await asyncio.to_thread(change)
    except UserError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
    await accounts_for(request.app.state.settings).note(user)
    event = AccessEvent(
        actor=principal.subject,
        role=principal.role,
        action=action,
        target=f"user:{user.username}",
        source=request.client.host if request.client else "",
        detail={"username": user.username, **detail, "user_agent": request.headers.get("user-agent", "")[:200]},
    )
    trail: SpoolingTrail = request.app.state.trail
    await asyncio.to_thread(trail.record_access, event)
    return user
