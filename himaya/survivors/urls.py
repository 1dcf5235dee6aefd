app_name = "survivors"

urlpatterns: list = []
