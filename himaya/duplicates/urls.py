from django.urls import path

from himaya.duplicates import api, views

app_name = "duplicates"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("pairs/<int:pair_id>/", views.pair_view, name="pair"),
    path("pairs/<int:pair_id>/merge/", views.merge_view, name="merge_pair"),
    path("pairs/<int:pair_id>/distinct/", views.distinct_view, name="distinct"),
    path("merges/", views.merge_list_view, name="merges"),
    path("merges/<int:merge_id>/", views.merge_view_detail, name="merge"),
    path("merges/<int:merge_id>/undo/", views.undo_view, name="undo"),
    path("settings/", views.settings_view, name="settings"),
    path("likely-matches/", views.likely_matches_view, name="likely_matches"),
    path("api/pairs/", api.PairListApi.as_view(), name="api_pairs"),
    path("api/pairs/<int:pair_id>/merge/", api.MergeApi.as_view(), name="api_merge"),
    path("api/pairs/<int:pair_id>/distinct/", api.DistinctApi.as_view(), name="api_distinct"),
    path("api/merges/<int:merge_id>/undo/", api.UndoApi.as_view(), name="api_undo"),
    path("api/likely-matches/", api.LikelyMatchesApi.as_view(), name="api_likely_matches"),
]
