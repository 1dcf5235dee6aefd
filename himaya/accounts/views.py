import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts import actions
from himaya.accounts.forms import EnrolmentCodeForm, LoginForm, TokenForm
from himaya.accounts.models import User
from himaya.agencies.models import Membership, MembershipStatus
from himaya.agencies.selectors import active_memberships
from himaya.core import nav
from himaya.core.counts import counts_for
from himaya.core.forms import show_refusal


def _administration_links(user: Any) -> list[dict[str, Any]]:
    """The administration pages, for system administrators only (nobody else sees them)."""
    if not user.has_perm("accounts.manage_users"):
        return []
    pending = Membership.objects.filter(status=MembershipStatus.PENDING).exclude(proposed_by=user)
    return [
        {
            "key": "users",
            "label": _("Users"),
            "description": _("Create accounts, deactivate them, issue enrolment codes."),
            "url": reverse("himaya_admin:accounts_user_changelist"),
        },
        {
            "key": "agencies",
            "label": _("Agencies"),
            "description": _("Ministries, directorates, NGOs, shelters and embassies."),
            "url": reverse("himaya_admin:agencies_agency_changelist"),
        },
        {
            "key": "memberships",
            "label": _("Memberships and roles"),
            "description": _("Propose a role for a user, or approve another administrator's."),
            "url": reverse("himaya_admin:agencies_membership_changelist"),
        },
        {
            "key": "approvals",
            "label": _("Proposals to approve"),
            "description": _("Memberships proposed by another administrator, waiting for you."),
            "url": reverse("himaya_admin:agencies_membership_changelist")
            + f"?status__exact={MembershipStatus.PENDING}",
            "count": pending.count(),
        },
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: the user's agencies and roles, and the pages open to them."""
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": list(active_memberships(request.user)),
            "work_items": [item for item in nav.items_for(request.user) if item.key != "home"],
            "administration": _administration_links(request.user),
            "counts": counts_for(request.user),
        },
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a code from the user's authenticator; a user without one is sent to enrol."""
    user = request.user
    assert isinstance(user, User)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect("home")
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.verify_second_factor(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            messages.success(request, _("Second factor confirmed."))
            return redirect("home")
        form.add_error("token", _("This code is not valid. Wait for a new code and try again."))
    return render(request, "accounts/second_factor.html", {"form": form, "step": "verify"})


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: first an enrolment code (or a current code of an existing
    authenticator), then the new authenticator's key and a code it shows."""
    user = request.user
    assert isinstance(user, User)
    device = actions.enrolling_device(user=user, session=request.session)
    if device is None:
        code_form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and code_form.is_valid():
            try:
                actions.begin_totp_enrolment(
                    user=user, code=code_form.cleaned_data["code"], session=request.session
                )
            except actions.EnrolmentRefused as refusal:
                code_form.add_error("code", str(refusal.message))
            else:
                return redirect("accounts:enrol")
        return render(request, "accounts/second_factor.html", {"form": code_form, "step": "code"})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ok = actions.confirm_totp_enrolment(
                user=user, device=device, token=form.cleaned_data["token"], session=request.session
            )
        except actions.EnrolmentRefused as refusal:
            request.session.pop(actions.SESSION_KEY, None)
            show_refusal(refusal, request=request)
            return redirect("accounts:enrol")
        if ok:
            otp_login(request, device)
            messages.success(request, _("Your authenticator is enrolled."))
            return redirect("home")
        form.add_error("token", _("This code is not valid. Wait for a new code and try again."))
    context = {
        "form": form,
        "step": "scan",
        "qr": _qr_data_uri(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode("ascii"),
    }
    return render(request, "accounts/second_factor.html", context)
