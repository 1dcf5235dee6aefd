"""Authentication by username and password, without Django's permission tables.

Capabilities come only from roles (``agencies/permissions.py``, through ``rules``); this
backend authenticates and answers no permission question, so that a refused capability
costs no query on permission tables that Himaya does not use.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()
