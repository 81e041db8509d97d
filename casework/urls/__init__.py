from .browse import urlpatterns as browse_urlpatterns
from .edit import urlpatterns as edit_urlpatterns

app_name = "casework"

urlpatterns = [*browse_urlpatterns, *edit_urlpatterns]
