app_name = "empowerment"

urlpatterns: list = []
