"""Routes of the dashboard: the page, its assets, the development entry and the JSON API."""

from django.urls import path, re_path

from plugin.dashboard import (
    views_backtest,
    views_codes,
    views_dev,
    views_editor,
    views_messages,
    views_page,
    views_playbook,
    views_program,
    views_referrals,
    views_segments,
    views_settings,
    views_widgets,
)

app_name = "dashboard"

api = [
    path("api/", views_program.program_detail, name="api-root"),
    path("api/program", views_program.program_detail, name="program"),
    path("api/program/draft", views_program.program_draft, name="program-draft"),
    path("api/program/publish", views_program.program_publish, name="program-publish"),
    path("api/program/rollback", views_program.program_rollback, name="program-rollback"),
    path("api/program/diff", views_program.program_diff, name="program-diff"),
    path("api/program/versions/<int:number>", views_program.program_version_detail,
         name="program-version"),
    path("api/audit", views_program.audit_log, name="audit"),
    path("api/check", views_editor.check, name="check"),
    path("api/types", views_editor.types, name="types"),
    path("api/format", views_editor.format_source, name="format"),
    path("api/examples", views_editor.examples, name="examples"),
    path("api/sandbox", views_editor.sandbox, name="sandbox"),
    path("api/vocabulary", views_editor.vocabulary, name="vocabulary"),
    path("api/gallery", views_editor.gallery, name="gallery"),
    path("api/orders/recent", views_editor.orders_recent, name="orders-recent"),
    path("api/backtests", views_backtest.backtest_start, name="backtests"),
    path("api/backtests/<int:job_id>", views_backtest.backtest_detail, name="backtest"),
    path("api/referrals", views_referrals.referrals, name="referrals"),
    path("api/rewards", views_referrals.rewards, name="rewards"),
    path("api/review", views_referrals.review_queue, name="review"),
    path("api/review/reward/<int:item_id>", views_referrals.review_decide, {"kind": "reward"},
         name="review-reward"),
    path("api/review/referral/<int:item_id>", views_referrals.review_decide,
         {"kind": "referral"}, name="review-referral"),
    path("api/contests", views_referrals.contests, name="contests"),
    path("api/overview", views_referrals.overview, name="overview"),
    path("api/settings", views_settings.settings_detail, name="settings"),
    path("api/settings/save", views_settings.settings_update, name="settings-save"),
    path("api/messages", views_messages.messages_list, name="messages"),
    path("api/messages/<str:template>/preview", views_messages.message_preview,
         name="message-preview"),
    path("api/messages/<str:template>", views_messages.message_save, name="message"),
    path("api/messages/<str:template>/reset", views_messages.message_reset,
         name="message-reset"),
    path("api/sleeping", views_playbook.sleeping, name="sleeping"),
    path("api/sleeping/rate", views_playbook.sleeping_rate, name="sleeping-rate"),
    path("api/segments", views_segments.segments, name="segments"),
    path("api/segments/advocates.csv", views_segments.segments_csv, name="segments-csv"),
    path("api/segments/recompute", views_segments.segments_recompute,
         name="segments-recompute"),
    path("api/codes", views_codes.codes_lookup, name="codes"),
    path("api/codes/<int:code_id>/deactivate", views_codes.code_deactivate,
         name="code-deactivate"),
    path("api/codes/<int:code_id>/rotate", views_codes.code_rotate, name="code-rotate"),
    path("api/widgets/customer", views_widgets.customer_widget, name="widget-customer"),
    path("api/widgets/order", views_widgets.order_widget, name="widget-order"),
]

urlpatterns = [
    path("", views_page.dashboard_page, name="page"),
    # A section the page told Saleor's dashboard of (`updateRouting`): the dashboard's URL then
    # ends in it, and a reload or a link loads the page here, on that section.
    re_path(r"^(?P<area>program|results|growth|settings)/(?P<section>[a-z]+)/?$",
            views_page.dashboard_section_page, name="page-section"),
    path("assets/<str:name>", views_page.dashboard_asset, name="asset"),
    path("widgets/<slug:kind>", views_widgets.widget_page, name="widget"),
    path("dev/", views_dev.dev_entry, name="dev"),
    path("dev/token", views_dev.dev_token, name="dev-token"),
    *api,
]
