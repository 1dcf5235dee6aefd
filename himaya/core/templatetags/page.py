"""The frame of every page (``base.html``): its head, navigation bar and messages.

Every page writes the same few dozen words, links and addresses around its content;
through the pages' engine they cost about a millisecond a page, as much as a list's rows.
``{% page_header %}`` writes them with Jinja2 (``core.rows.render_part``), from the page's
context: the language, the signed-in user, the navigation, the CSRF token, the messages
and the address to come back to after a change of language (``language_next``, or the
page's own).
"""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_bidi

from himaya.core.rows import render_part

register = template.Library()


@register.simple_tag(takes_context=True)
def page_header(context: template.Context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    signed_in = user is not None and bool(user.is_authenticated)
    navigation = context.get("navigation")
    return render_part(
        "core/page_header.html",
        {
            "bidi": get_language_bidi(),
            "language": get_language(),
            "csrf_token": str(context.get("csrf_token") or ""),
            "signed_in": signed_in,
            "username": user.get_username() if user is not None and signed_in else "",
            "navigation": navigation() if signed_in and callable(navigation) else "",
            "next": context.get("language_next") or (request.get_full_path() if request else ""),
            "messages": context.get("messages") or (),
        },
    )
