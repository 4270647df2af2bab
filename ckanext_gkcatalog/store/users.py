"""Accounts of the standalone portal (inside CKAN, CKAN's own users and sysadmins are used)."""
from __future__ import annotations

from .database import Database
from .models import User


class UserStore(Database):
    def set_user(self, name: str, password_hash: str, is_admin: bool = False) -> None:
        with self.session() as s:
            user = s.get(User, name) or User(name=name)
            user.password_hash, user.is_admin = password_hash, is_admin
            s.add(user)

    def user(self, name: str) -> User | None:
        with self.reading() as s:
            return s.get(User, name)
