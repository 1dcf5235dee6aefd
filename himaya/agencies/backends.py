"""The answer to ``user.has_perm(capability)`` straight from the role × capability table.

``agencies.permissions.declare`` also registers each capability with ``rules``; asking
through ``rules`` binds the predicate's arguments on every call, which costs about a
hundred times the set intersection it stands for, and a page asks dozens of times (its
navigation alone asks once an entry). This backend, first in ``AUTHENTICATION_BACKENDS``,
answers the declared capabilities itself: yes, or a refusal that stops the other backends
from asking again. Names it does not know, and a capability whose rule was replaced in
``rules``, go on to the others. ``accounts.models.User.has_perm`` asks
``declared_answer`` itself while this backend is the first that answers permissions: the
same answer, without Django's walk through the list of backends for each question.
"""

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.module_loading import import_string
from rules.permissions import permissions as registered_rules

from himaya.agencies.permissions import CAPABILITIES, DECLARED_PREDICATES, roles_of


def declared_answer(user_obj: Any, perm: str) -> bool | None:
    """The table's answer for a declared capability, or ``None`` for any other name (and
    for a capability whose rule was replaced in ``rules``): what ``CapabilityBackend``
    answers, without the other backends' turn."""
    capability = CAPABILITIES.get(perm)
    if capability is None or registered_rules.get(perm) is not DECLARED_PREDICATES.get(perm):
        return None
    return bool(roles_of(user_obj) & capability.roles)


@functools.lru_cache(maxsize=8)
def answers_first(backends: tuple[str, ...]) -> bool:
    """Whether ``CapabilityBackend`` is the first of these backends asked about permissions
    (the others before it answer only sign-ins): its answer is then Django's."""
    for path in backends:
        if path == f"{__name__}.CapabilityBackend":
            return True
        if hasattr(import_string(path), "has_perm"):
            return False
    return False


class CapabilityBackend:
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None  # it answers permission questions only

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        answer = None if obj is not None else declared_answer(user_obj, perm)
        if answer is None:
            return False  # not a capability, or a rule set in place of the declared one
            # (a test's): the other backends answer
        if answer:
            return True
        raise PermissionDenied  # refused: no other backend is asked
