"""Branch.post gives way to the site: its text is kept in the branch's name."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_the_post_text_of_a_branch_is_kept_in_its_name():
    executor = MigrationExecutor(connection)
    before = [("compounds", "0005_gate_version")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    community = apps.get_model("compounds", "Community").objects.create(name="春龙社区")
    compound = apps.get_model("compounds", "Compound").objects.create(
        community=community, name="绿景水岸"
    )
    Branch = apps.get_model("compounds", "Branch")
    Branch.objects.create(
        name="临时党支部", compound=compound, post="颐和医院执勤岗", founded_on="2020-02-02"
    )
    Branch.objects.create(
        name="绿景水岸临时党支部", compound=compound, post="", founded_on="2020-02-02"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from compounds.models import Branch as Now

    assert sorted(Now.objects.values_list("name", flat=True)) == [
        "临时党支部（颐和医院执勤岗）",
        "绿景水岸临时党支部",
    ]
