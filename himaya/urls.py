from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from himaya.accounts.admin import admin_site

urlpatterns = [
    path("", include("himaya.accounts.home_urls")),
    path("accounts/", include("himaya.accounts.urls")),
    path("audit/", include("himaya.audit.urls")),
    path("survivors/", include("himaya.survivors.urls")),
    path("screening/", include("himaya.screening.urls")),
    path("cases/", include("himaya.cases.urls")),
    path("services/", include("himaya.services.urls")),
    path("referrals/", include("himaya.referrals.urls")),
    path("shelters/", include("himaya.shelters.urls")),
    path("fund/", include("himaya.fund.urls")),
    path("grants/", include("himaya.grants.urls")),
    path("empowerment/", include("himaya.empowerment.urls")),
    path("returns/", include("himaya.returns.urls")),
    path("justice/", include("himaya.justice.urls")),
    path("jobs/", include("himaya.jobs.urls")),
    path("monitoring/", include("himaya.monitoring.urls")),
    path("notifications/", include("himaya.notifications.urls")),
    path("operations/", include("himaya.operations.urls")),
    path("exchange/", include("himaya.exchange.sheet_urls")),
    path("exchange/", include("himaya.exchange.urls")),
    path("duplicates/", include("himaya.duplicates.urls")),
    path("integrity/", include("himaya.integrity.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin_site.urls),
    # The schema describes every endpoint: signed-in users only (anonymous: to sign-in).
    path("api/schema/", login_required(SpectacularAPIView.as_view()), name="api-schema"),
]

# Error pages in the layout and both languages; under an API prefix, problem details.
handler400 = "himaya.core.views.bad_request"
handler403 = "himaya.core.views.permission_denied"
handler404 = "himaya.core.views.not_found"
handler500 = "himaya.core.views.server_error"
