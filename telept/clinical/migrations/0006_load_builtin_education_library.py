"""Load the built-in education articles (telept/clinical/education_library.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from telept.clinical.education_library import articles_sync

    articles_sync(apps.get_model("clinical", "Article"))


class Migration(migrations.Migration):
    dependencies = [("clinical", "0005_create_education_articles_and_assignments")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
