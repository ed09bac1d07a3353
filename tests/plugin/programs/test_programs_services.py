"""Drafts, publishing (refused unless the check and every example pass), rollback, diffs and
the audit log, on a real database with the real rules language."""

from __future__ import annotations

import pytest
from program_sources import BROKEN, FAILING_EXAMPLE, VALID, VALID_V2

from plugin.install.models import Installation
from plugin.programs import selectors, services
from plugin.programs.models import AuditLog, ImmutableRowError, ProgramVersion
from plugin.programs.services import PublishRefused
from plugin.saleor.tokens import DashboardUser

pytestmark = pytest.mark.django_db


def make_installation(name: str) -> Installation:
    return Installation.objects.create(
        saleor_api_url=f"https://{name}.example.com/graphql/", app_id=f"app-{name}", domain=name
    )


@pytest.fixture
def shop():
    return make_installation("shop-a")


@pytest.fixture
def staff():
    from datetime import UTC, datetime

    return DashboardUser(user_id="VXNlcjo1", email="ann@shop-a.example.com", is_staff=True,
                         app_id="app-shop-a", permissions=(), user_permissions=(),
                         expires_at=datetime.now(tz=UTC))


def draft(shop, staff, source):
    program = services.program_get_or_create(installation=shop)
    return services.program_save_draft(program=program, source=source, actor=staff)


def test_saving_a_draft_records_who_and_accepts_broken_text(shop, staff):
    program = draft(shop, staff, BROKEN)
    program.refresh_from_db()
    assert program.draft_source == BROKEN
    assert program.updated_by_email == "ann@shop-a.example.com"
    entry = AuditLog.objects.get(installation=shop)
    assert (entry.action, entry.actor_email, entry.actor_user_id) == (
        "draft_saved", "ann@shop-a.example.com", "VXNlcjo1")


def test_publish_freezes_the_draft_as_version_1_and_makes_it_live(shop, staff):
    program = draft(shop, staff, VALID)
    version = services.program_publish(program=program, actor=staff)
    assert version.number == 1
    assert version.source == VALID
    assert version.published_by_email == "ann@shop-a.example.com"
    assert program.current_version_id == version.pk
    live = selectors.program_published(installation=shop)
    assert live is not None and live[0].pk == version.pk
    assert AuditLog.objects.filter(action="published").count() == 1


def test_publish_is_refused_when_the_check_fails(shop, staff):
    program = draft(shop, staff, BROKEN)
    with pytest.raises(PublishRefused) as refused:
        services.program_publish(program=program, actor=staff)
    assert refused.value.diagnostics
    first = refused.value.diagnostics[0]
    assert (first["line"], first["severity"]) == (4, "error")
    assert not ProgramVersion.objects.exists()
    assert selectors.program_published(installation=shop) is None
    assert AuditLog.objects.filter(action="publish_refused").count() == 1


def test_publish_is_refused_when_an_example_fails(shop, staff):
    program = draft(shop, staff, FAILING_EXAMPLE)
    with pytest.raises(PublishRefused) as refused:
        services.program_publish(program=program, actor=staff)
    assert "a referred order pays the referrer" in refused.value.reason
    assert [e["passed"] for e in refused.value.examples] == [False]
    assert not ProgramVersion.objects.exists()


def test_rollback_moves_the_live_pointer_without_rewriting_versions(shop, staff):
    program = draft(shop, staff, VALID)
    v1 = services.program_publish(program=program, actor=staff)
    services.program_save_draft(program=program, source=VALID_V2, actor=staff)
    v2 = services.program_publish(program=program, actor=staff)
    assert selectors.program_published(installation=shop)[0].number == 2

    services.program_rollback(program=program, version=v1, actor=staff)
    live, compiled = selectors.program_published(installation=shop)
    assert live.number == 1 and live.source == VALID
    assert compiled is not None
    assert ProgramVersion.objects.filter(program=program).count() == 2
    v2.refresh_from_db()
    assert v2.source == VALID_V2
    entry = AuditLog.objects.filter(action="rolled_back").get()
    assert entry.details == {"to_number": 1, "from_number": 2}


def test_versions_cannot_be_changed_or_deleted(shop, staff):
    version = services.program_publish(program=draft(shop, staff, VALID), actor=staff)
    version.source = "tampered"
    with pytest.raises(ImmutableRowError):
        version.save()
    with pytest.raises(ImmutableRowError):
        version.delete()


def test_rollback_refuses_another_installations_version(shop, staff):
    other = make_installation("shop-b")
    theirs = services.program_publish(program=draft(other, staff, VALID), actor=staff)
    mine = draft(shop, staff, VALID)
    with pytest.raises(services.ProgramError):
        services.program_rollback(program=mine, version=theirs, actor=staff)


def test_published_program_is_scoped_to_its_installation(shop, staff):
    other = make_installation("shop-b")
    services.program_publish(program=draft(shop, staff, VALID), actor=staff)
    assert selectors.program_published(installation=other) is None
    assert selectors.program_published(installation=shop) is not None


def test_compiled_program_is_cached_by_source_hash(shop, staff, django_assert_num_queries):
    services.program_publish(program=draft(shop, staff, VALID), actor=staff)
    selectors.compiled_cache.clear()
    _, first = selectors.program_published(installation=shop)
    with django_assert_num_queries(1):
        _, second = selectors.program_published(installation=shop)
    assert first is second


def test_diff_between_two_versions_is_a_unified_diff(shop, staff):
    program = draft(shop, staff, VALID)
    v1 = services.program_publish(program=program, actor=staff)
    services.program_save_draft(program=program, source=VALID_V2, actor=staff)
    v2 = services.program_publish(program=program, actor=staff)
    diff = selectors.program_diff(a=v1, b=v2)
    assert diff.startswith("--- v1\n+++ v2\n")
    assert "-    give referrer 10 USD\n" in diff
    assert "+    give referrer 15 USD\n" in diff
    assert selectors.program_diff(a=v1, b=v1) == ""


def test_static_report_is_stored_with_the_version(shop, staff):
    version = services.program_publish(program=draft(shop, staff, VALID), actor=staff)
    assert isinstance(version.static_report, dict) and version.static_report


def test_draft_size_is_bounded(shop, staff):
    program = services.program_get_or_create(installation=shop)
    with pytest.raises(services.ProgramError):
        services.program_save_draft(program=program, source="#" * (services.MAX_SOURCE_CHARS + 1),
                                    actor=staff)
