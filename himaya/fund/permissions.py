"""The user acting on a request. The capabilities of the fund are declared with every
other in ``himaya.agencies.permissions``."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from himaya.accounts.models import User


def acting_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a page or an API request (both ask for sign-in first)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
