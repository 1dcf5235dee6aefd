"""The user acting on a request, typed as ``User`` for the actions.

Pages and API views ask for sign-in first; an anonymous request reaching an action's
call is refused (403) rather than passed on.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from himaya.accounts.models import User


def acting_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a page or an API request."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
