from django.urls import path

from himaya.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.run_list, name="runs"),
]
