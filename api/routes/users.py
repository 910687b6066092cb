"""The signed-in person's own profile: GET and PUT /api/v1/users/me."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, SessionDep
from api.schemas.users import UserPublic, UserUpdate
from store.repositories.users import update_user

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("/me", response_model=UserPublic)
async def read_me(user: CurrentUser) -> UserPublic:
    """The profile of the caller (created on their first authenticated call)."""
    return UserPublic.model_validate(user)


@router.put("/me", response_model=UserPublic)
async def update_me(changes: UserUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    """Change `full_name` and/or `avatar_url`; fields left out keep their value."""
    updated = await update_user(session, user, changes.model_dump(exclude_unset=True))
    return UserPublic.model_validate(updated)
