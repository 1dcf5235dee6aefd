from django.urls import URLPattern, URLResolver, path

from himaya.notifications import api, views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notification_list, name="list"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("api/", api.NotificationListApi.as_view(), name="api_list"),
    path("api/read-all/", api.NotificationReadAllApi.as_view(), name="api_read_all"),
    path("api/<int:pk>/read/", api.NotificationReadApi.as_view(), name="api_read"),
]
