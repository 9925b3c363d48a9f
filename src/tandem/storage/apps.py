from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "tandem.storage"
    label = "storage"
    verbose_name = "Tandem storage"

    def ready(self) -> None:
        from tandem.storage import checks  # noqa: F401  (registers the durability check)
