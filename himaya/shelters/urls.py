from django.urls import path

from himaya.shelters import api, views

app_name = "shelters"

urlpatterns = [
    path("", views.shelter_list, name="list"),
    path("find-bed/", views.find_bed, name="find_bed"),
    path("admit/", views.admit, name="admit"),
    path("occupancy/", views.occupancy, name="occupancy"),
    path("stays/<str:code>/", views.stay_detail, name="stay"),
    path("stays/<str:code>/transfer/", views.transfer, name="transfer"),
    path("stays/<str:code>/discharge/", views.discharge, name="discharge"),
    path("case/<str:code>/panel/", views.case_panel, name="case_panel"),
    path("api/shelters/", api.ShelterListApi.as_view(), name="api_shelters"),
    path("api/shelters/<str:code>/", api.ShelterDetailApi.as_view(), name="api_shelter"),
    path("api/availability/", api.AvailabilityApi.as_view(), name="api_availability"),
    path("api/stays/", api.StayListApi.as_view(), name="api_stays"),
    path("api/stays/admit/", api.AdmitApi.as_view(), name="api_admit"),
    path("api/stays/<str:code>/", api.StayDetailApi.as_view(), name="api_stay"),
    path("api/stays/<str:code>/transfer/", api.TransferApi.as_view(), name="api_transfer"),
    path("api/stays/<str:code>/discharge/", api.DischargeApi.as_view(), name="api_discharge"),
    path("api/occupancy/", api.OccupancyApi.as_view(), name="api_occupancy"),
    path("<str:code>/units/", views.units, name="units"),
    path("<str:code>/units/add/", views.unit_add, name="unit_add"),
    path("<str:code>/units/<int:unit_id>/edit/", views.unit_edit, name="unit_edit"),
    path("<str:code>/units/<int:unit_id>/beds/", views.beds_add, name="beds_add"),
    path("<str:code>/beds/<int:bed_id>/service/", views.bed_service, name="bed_service"),
    path("<str:code>/", views.shelter_detail, name="detail"),
]
