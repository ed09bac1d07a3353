"""After the 2xx: handlers run once per delivery, failures retry with backoff, then stay dead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone

from plugin.install.crypto import token_encrypt
from plugin.install.models import Installation
from plugin.saleor.captures import captured_delivery, captured_jwks
from plugin.webhooks.models import DeliveryStatus, WebhookDelivery
from plugin.webhooks.services import deliveries_due_ids, retry_delay
from tests.plugin.webhooks.replay import post


class Recorder:
    """A handler that records what it saw and fails the first `failures` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.seen: list[int] = []

    def __call__(self, delivery: WebhookDelivery) -> None:
        self.seen.append(delivery.pk)
        if len(self.seen) <= self.failures:
            raise RuntimeError(f"handler failure {len(self.seen)}")


@pytest.fixture
def only(monkeypatch):
    """Replace the registered handlers of the processing step by the given ones."""

    def install(*handlers) -> None:
        monkeypatch.setattr(
            "plugin.webhooks.services.handlers_for", lambda event: list(handlers)
        )

    return install


def deliver(client, event: str = "ORDER_PAID", number: int = 1, *, run_tasks, **kwargs):
    with run_tasks(execute=True):
        return post(client, captured_delivery(event, number), **kwargs)


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_an_accepted_delivery_is_processed_after_commit(client, captured_installation, only,
                                                         run_tasks):
    handler = Recorder()
    only(handler)
    response = deliver(client, run_tasks=run_tasks)

    stored = WebhookDelivery.objects.get()
    assert response.status_code == 200
    assert handler.seen == [stored.pk]
    assert stored.status == DeliveryStatus.DONE and stored.attempts == 1
    assert stored.processed_at is not None


def test_an_event_nobody_handles_is_recorded_and_done(client, captured_installation, only,
                                                      run_tasks):
    only()
    deliver(client, run_tasks=run_tasks)

    stored = WebhookDelivery.objects.get()
    assert (stored.status, stored.attempts) == (DeliveryStatus.DONE, 0)  # done when stored
    assert stored.processed_at is not None
    assert deliveries_due_ids() == []


def test_a_duplicate_is_not_processed_again(client, captured_installation, only, run_tasks):
    handler = Recorder()
    only(handler)
    deliver(client, run_tasks=run_tasks)
    deliver(client, run_tasks=run_tasks)

    assert len(handler.seen) == 1
    assert WebhookDelivery.objects.get().duplicates == 1


def test_a_failing_handler_still_gets_a_2xx_and_is_retried_later(client, captured_installation,
                                                                only, run_tasks):
    handler = Recorder(failures=1)
    only(handler)
    response = deliver(client, run_tasks=run_tasks)

    stored = WebhookDelivery.objects.get()
    assert response.status_code == 200
    assert stored.status == DeliveryStatus.FAILED and stored.attempts == 1
    assert "handler failure 1" in stored.last_error
    assert stored.next_attempt_at > timezone.now() + retry_delay(attempts=1) - timedelta(seconds=5)
    assert deliveries_due_ids() == []  # backing off
    assert deliveries_due_ids(now=stored.next_attempt_at) == [stored.pk]

    WebhookDelivery.objects.filter(pk=stored.pk).update(next_attempt_at=timezone.now())
    call_command("webhooks_retry")
    stored.refresh_from_db()
    assert stored.status == DeliveryStatus.DONE and stored.attempts == 2


@override_settings(TASK_MAX_ATTEMPTS=3)
def test_after_the_last_attempt_a_delivery_is_dead_until_re_run(client, captured_installation,
                                                                 only, run_tasks):
    handler = Recorder(failures=3)
    only(handler)
    deliver(client, run_tasks=run_tasks)
    for _ in range(2):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        call_command("webhooks_retry")

    stored = WebhookDelivery.objects.get()
    assert stored.status == DeliveryStatus.DEAD and stored.attempts == 3
    assert stored.next_attempt_at is None
    call_command("webhooks_retry")  # a plain sweep leaves dead letters alone
    assert len(handler.seen) == 3

    call_command("webhooks_retry", "--dead")
    stored.refresh_from_db()
    assert stored.status == DeliveryStatus.DONE and len(handler.seen) == 4


def test_webhooks_retry_by_id_re_runs_only_that_delivery(client, captured_installation, only,
                                                        run_tasks):
    handler = Recorder(failures=2)
    only(handler)
    deliver(client, "ORDER_UPDATED", 1, run_tasks=run_tasks)
    deliver(client, "ORDER_UPDATED", 2, run_tasks=run_tasks)
    first, second = WebhookDelivery.objects.order_by("id")
    assert first.status == second.status == DeliveryStatus.FAILED

    call_command("webhooks_retry", "--id", str(second.pk))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (DeliveryStatus.FAILED, DeliveryStatus.DONE)


def test_a_delivery_left_processing_by_a_dead_worker_is_picked_up(client, captured_installation,
                                                                  only):
    handler = Recorder()
    only(handler)
    post(client, captured_delivery("ORDER_PAID"))  # stored; its task never ran (worker died)
    WebhookDelivery.objects.update(status=DeliveryStatus.PROCESSING,
                                   updated_at=timezone.now() - timedelta(hours=1))
    call_command("webhooks_retry")

    assert WebhookDelivery.objects.get().status == DeliveryStatus.DONE
    assert len(handler.seen) == 1


def test_app_deleted_deactivates_the_installation_and_forgets_the_token(client, db, run_tasks):
    delivery = captured_delivery("APP_DELETED")
    installation = Installation.objects.create(
        saleor_api_url=delivery.saleor_api_url,
        app_id=delivery.payload["app"]["id"],
        jwks=captured_jwks(),
        auth_token_encrypted=token_encrypt(token="secret-token"),
    )
    response = deliver(client, "APP_DELETED", run_tasks=run_tasks)

    installation.refresh_from_db()
    assert response.status_code == 200
    assert not installation.is_active
    assert installation.auth_token_encrypted == "" and installation.auth_token == ""
    # from now on its webhooks are refused
    assert post(client, captured_delivery("ORDER_PAID")).status_code == 403


def test_app_deleted_for_another_app_leaves_the_installation_alone(client, captured_installation,
                                                                   run_tasks):
    # The captured APP_DELETED is about a throwaway app, not the installed one (App:4).
    response = deliver(client, "APP_DELETED", run_tasks=run_tasks)

    captured_installation.refresh_from_db()
    assert response.status_code == 200
    assert captured_installation.is_active and captured_installation.auth_token


def test_a_database_failure_while_storing_is_a_503_so_saleor_retries(client, captured_installation,
                                                                      monkeypatch):
    def broken(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("plugin.webhooks.views.delivery_store", broken)
    response = post(client, captured_delivery("ORDER_PAID"))

    assert response.status_code == 503
    assert WebhookDelivery.objects.count() == 0


@override_settings(CELERY_BROKER_URL="memory://")
def test_with_a_broker_the_task_goes_to_celery(client, captured_installation, run_tasks,
                                               monkeypatch):
    sent = []
    monkeypatch.setattr("plugin.celery.app.send_task",
                        lambda name, kwargs: sent.append((name, kwargs)))
    deliver(client, run_tasks=run_tasks)

    stored = WebhookDelivery.objects.get()
    expected = {"delivery_id": stored.pk, "event": "ORDER_PAID"}
    assert sent == [("webhooks.process_delivery", expected)]
    assert stored.status == DeliveryStatus.RECEIVED  # nothing ran in the web process


def test_inline_work_waits_for_the_response_to_be_sent():
    from plugin.tasks import _after_response, _request_closed, _request_opened

    ran: list[str] = []
    _request_opened()  # what Django's request_started does
    _after_response(lambda: ran.append("job"))
    assert ran == []  # the response is still being written
    _request_closed()  # request_finished: the response went out
    assert ran == ["job"]
    _after_response(lambda: ran.append("outside a request"))
    assert ran == ["job", "outside a request"]


@pytest.mark.django_db(transaction=True)
def test_with_real_commits_the_delivery_is_processed_within_the_request_cycle(client, only):
    from plugin.saleor.captures import captured_jwks as jwks

    Installation.objects.create(saleor_api_url="http://127.0.0.1:8000/graphql/", jwks=jwks())
    handler = Recorder()
    only(handler)
    response = post(client, captured_delivery("ORDER_PAID"))

    assert response.status_code == 200
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DONE
    assert len(handler.seen) == 1


def test_the_celery_sweep_queues_due_and_stranded_deliveries(client, captured_installation,
                                                             monkeypatch, only):
    from plugin.webhooks import tasks

    only(Recorder())
    post(client, captured_delivery("ORDER_PAID", 1))  # stored an hour ago, its task lost
    post(client, captured_delivery("ORDER_CREATED", 1))  # a worker died processing it
    post(client, captured_delivery("ORDER_UPDATED", 1))  # just stored: its task is queued
    lost, stranded, fresh = WebhookDelivery.objects.order_by("id")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    WebhookDelivery.objects.filter(pk=lost.pk).update(received_at=an_hour_ago)
    WebhookDelivery.objects.filter(pk=stranded.pk).update(
        status=DeliveryStatus.PROCESSING, updated_at=an_hour_ago
    )
    queued = []
    monkeypatch.setattr(tasks.process_delivery, "apply_async",
                        lambda kwargs: queued.append(kwargs["delivery_id"]))

    assert tasks.sweep_deliveries() == 2
    assert queued == [lost.pk, stranded.pk]
    assert fresh.status == DeliveryStatus.RECEIVED  # still waiting, but not queued a second time



def test_steps_of_a_handler_that_calls_saleor_survive_a_later_failure(
    client, captured_installation, only, run_tasks, monkeypatch
):
    """Database-only handlers fail together; a Saleor-side handler's own steps stay recorded."""
    from plugin.webhooks import services

    def database_only(delivery):
        Installation.objects.filter(pk=delivery.installation.pk).update(domain="handled")

    def calls_saleor(delivery):
        # the step it records before/after a call to Saleor, then a failure further on
        Installation.objects.filter(pk=delivery.installation.pk).update(app_id="step-recorded")
        raise RuntimeError("Saleor unavailable after the step")

    only(database_only, calls_saleor)
    monkeypatch.setattr(services, "commits_its_own_steps", lambda handler: handler is calls_saleor)
    deliver(client, run_tasks=run_tasks)

    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    captured_installation.refresh_from_db()
    assert captured_installation.app_id == "step-recorded"
    assert captured_installation.domain == "handled"  # committed before the Saleor step ran


def test_checkout_handlers_are_the_ones_committing_their_own_steps():
    from plugin.webhooks.handlers.referrals import handle_checkout_delivery
    from plugin.webhooks.registry import commits_its_own_steps, handled_events, handlers_for

    own = {event for event in handled_events()
           for handler in handlers_for(event) if commits_its_own_steps(handler)}
    assert own == {"CHECKOUT_CREATED", "CHECKOUT_UPDATED"}
    assert all(commits_its_own_steps(h) == (h is handle_checkout_delivery)
               for event in own for h in handlers_for(event))
