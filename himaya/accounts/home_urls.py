"""The home page, at the root of the site under the name ``home``."""

from django.urls import path

from himaya.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
]
