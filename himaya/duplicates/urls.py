from django.urls import URLPattern, URLResolver

app_name = "duplicates"

urlpatterns: list[URLPattern | URLResolver] = []
