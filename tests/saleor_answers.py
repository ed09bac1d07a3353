"""Answers of a real Saleor to the app's order pages that the canned captures do not hold: pages
Saleor could only partly resolve, built from the captured orders and Saleor 3.24's own error for
its sample shop's orders (a blank `origin`); and that sample shop's own answers, captured
(`tests/captured/sample-shop/`)."""

from __future__ import annotations

from typing import Any

import httpx
from graphql import parse

from plugin.saleor import canned
from plugin.saleor.documents import load_document
from plugin.saleor.projection import project_data
from tests.captured_saleor import load_json

# Saleor's own words for an order whose `origin` is blank (its sample data has such orders).
ORIGIN_ERROR = 'Expected a value of type "OrderOriginEnum" but received: '


def orders_page(variables: dict[str, Any]) -> dict[str, Any]:
    """The captured orders as Saleor answers `OrdersFacts`: only the fields the query selects."""
    document = parse(load_document("orders_facts").text)
    return project_data(canned.answer("OrdersFacts", variables), document)


def partial_orders_answer(*, bad: int) -> Any:
    """A handler: the page with order `bad` unresolved (null) and an error whose `path` points
    at it; the other orders are whole, as in a GraphQL partial answer."""

    def handler(variables: dict[str, Any]) -> httpx.Response:
        data = orders_page(variables)
        data["orders"]["edges"][bad]["node"] = None
        error = {"message": ORIGIN_ERROR, "locations": [{"line": 10, "column": 3}],
                 "path": ["orders", "edges", bad, "node", "origin"]}
        return httpx.Response(200, json={"data": data, "errors": [error]})

    return handler


def failed_orders_answer() -> Any:
    """A handler: Saleor 3.24's own answer when such a field cannot be null (its order edges are
    non-null): the null reaches `orders`, so the page holds no order at all (captured from its
    sample shop, asked for `origin`)."""
    return captured_answer("orders-origin")


def captured_answer(name: str) -> Any:
    """A handler: the answer the sample shop gave (`tests/captured/sample-shop/<name>.json`),
    whatever the variables."""
    answer = load_json(f"sample-shop/{name}.json")["response"]

    def handler(_variables: dict[str, Any]) -> httpx.Response:
        return httpx.Response(200, json=answer)

    return handler
