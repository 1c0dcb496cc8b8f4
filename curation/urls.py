from django.urls import path

from curation import views

app_name = "curation"

urlpatterns = [
    path("", views.submit, name="submit"),
    path("correct/<int:pk>/", views.correct, name="correct"),
    path("thanks/<str:token>/", views.thanks, name="thanks"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("status/<str:token>/edit/", views.edit, name="edit"),
]
