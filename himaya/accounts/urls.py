from django.urls import path

from himaya.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/enrol/", views.enrol, name="enrol"),
]
