import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from himaya.accounts import actions
from himaya.accounts.forms import LoginForm, TokenForm
from himaya.accounts.models import User


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
    """Verify a code, or enrol an authenticator first when the user has none."""
    user = request.user
    assert isinstance(user, User)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect("core:home")
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    form = TokenForm(request.POST or None)
    device = None if enrolled else actions.pending_totp_device(user=user)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if device is not None:
            ok = actions.confirm_totp_enrolment(
                user=user, device=device, token=token, request=request
            )
        else:
            ok = actions.verify_second_factor(user=user, token=token, request=request)
        if ok:
            messages.success(request, _("Second factor confirmed."))
            return redirect("core:home")
        form.add_error("token", _("This code is not valid. Wait for a new code and try again."))
    context = {"form": form, "enrolling": device is not None}
    if device is not None:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
    return render(request, "accounts/second_factor.html", context)
