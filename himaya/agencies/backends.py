"""The answer to ``user.has_perm(capability)`` straight from the role × capability table.

``agencies.permissions.declare`` also registers each capability with ``rules``; asking
through ``rules`` binds the predicate's arguments on every call, which costs about a
hundred times the set intersection it stands for, and a page asks dozens of times (its
navigation alone asks once an entry). This backend, first in ``AUTHENTICATION_BACKENDS``,
answers the declared capabilities itself: yes, or a refusal that stops the other backends
from asking again. Names it does not know, and a capability whose rule was replaced in
``rules``, go on to the others.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from rules.permissions import permissions as registered_rules

from himaya.agencies.permissions import CAPABILITIES, DECLARED_PREDICATES, roles_of


class CapabilityBackend:
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None  # it answers permission questions only

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        capability = CAPABILITIES.get(perm)
        if capability is None or obj is not None:
            return False
        if registered_rules.get(perm) is not DECLARED_PREDICATES.get(perm):
            return False  # a rule set in place of the declared one (a test's): rules answers
        if roles_of(user_obj) & capability.roles:
            return True
        raise PermissionDenied  # refused: no other backend is asked
