"""The ecommerce domain: product ids from searches, cart and address preconditions of checkout,
order-status transitions (cancel before shipping, return after delivery), coupons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import default_world, get_domain

DOMAIN = get_domain("ecommerce")


@pytest.fixture
def shop() -> Session:
    return default_world(0, domains=["ecommerce"], timeout=None)


def api(session: Session) -> Any:
    return session.environment_of("checkout_cart").instance


def stocked(session: Session, minimum: int = 3, min_price: float = 60.0) -> dict[str, Any]:
    """An in-stock product whose full name finds only itself."""
    products = api(session).products.values()
    return next(p for p in sorted(products, key=lambda p: p["name"])
                if p["stock"] >= minimum and p["price"] >= min_price
                and sum(p["name"] in q["name"] for q in products) == 1)


def recent_delivered(session: Session) -> dict[str, Any]:
    state = api(session)
    today = dt.date.fromisoformat(state.today)
    return next(o for o in sorted(state.orders.values(), key=lambda o: o["placed_on"], reverse=True)
                if o["status"] == "delivered"
                and (today - dt.date.fromisoformat(o["shipment"]["delivered_on"])).days <= 30)


def test_chain_buy_by_name(shop: Session) -> None:
    product = stocked(shop)
    found = ok(shop, "search_products", query=product["name"].lower())["products"]
    assert [p["product_id"] for p in found] == [product["product_id"]]
    cart = ok(shop, "add_to_cart", product_id=found[0]["product_id"], quantity=2)
    assert cart["total"] == pytest.approx(2 * product["price"])
    address_id = ok(shop, "list_saved_addresses")["addresses"][0]["address_id"]
    stock_before = product["stock"]
    order = ok(shop, "checkout_cart", address_id=address_id)
    assert order["status"] == "processing" and order["address_id"] == address_id
    assert order["items"][0]["product_id"] == product["product_id"] and order["total"] == cart["total"]
    assert ok(shop, "view_cart")["items"] == []
    assert ok(shop, "get_product_details", product_id=product["product_id"])["stock"] == stock_before - 2
    assert order["order_id"] in [o["order_id"] for o in ok(shop, "search_orders", status="processing")["orders"]]


def test_chain_coupon_checkout_new_address(shop: Session) -> None:
    state = api(shop)
    code = next(c for c in state.coupons if c.startswith("SAVE"))
    assert error_type(shop, "apply_coupon", code=code) == "InvalidStateError"  # empty cart
    product = stocked(shop)
    product_id = ok(shop, "search_products", query=product["name"])["products"][0]["product_id"]
    ok(shop, "add_to_cart", product_id=product_id)
    cart = ok(shop, "apply_coupon", code=code.lower())
    percent = state.coupons[code]["percent_off"]
    assert cart["coupon_code"] == code and cart["discount"] == pytest.approx(product["price"] * percent / 100, abs=0.01)
    address = ok(shop, "add_shipping_address", label="Studio", street="9 Canal St", city="toronto", postal_code="M5V 2T6")
    assert address["city"] == "Toronto" and address["country"] == "Canada"
    order = ok(shop, "checkout_cart", address_id=address["address_id"])
    assert order["total"] == cart["total"] and order["coupon_code"] == code and order["address_id"] == address["address_id"]
    check = ok(shop, "validate_coupon", code=code)
    assert check["valid"] is False and "used" in (check["reason"] or "")


def test_chain_return_an_item(shop: Session) -> None:
    order = recent_delivered(shop)
    item_name = order["items"][0]["name"]
    found = ok(shop, "search_orders", status="delivered", product_name=item_name)["orders"]
    order_id = next(o["order_id"] for o in found if o["order_id"] == order["order_id"])
    details = ok(shop, "get_order_details", order_id=order_id)
    item = details["items"][0]
    returned = ok(shop, "request_return", order_id=order_id, product_id=item["product_id"], reason="damaged")
    assert returned["refund_amount"] == pytest.approx(item["unit_price"])
    assert ok(shop, "get_return_status", return_id=returned["return_id"]) == returned
    left = item["quantity"] - 1
    if left == 0:
        assert error_type(shop, "request_return", order_id=order_id, product_id=item["product_id"],
                          reason="damaged") == "InvalidArgumentError"
    assert ok(shop, "get_order_details", order_id=order_id)["items"][0]["returned_quantity"] == 1


def test_returns_need_a_delivered_order_within_the_window(shop: Session) -> None:
    state = api(shop)
    today = dt.date.fromisoformat(state.today)
    outcomes = set()
    for order in state.orders.values():
        product_id = order["items"][0]["product_id"]
        obs = shop.call("request_return", {"order_id": order["order_id"], "product_id": product_id,
                                           "reason": "no_longer_needed"})
        delivered = order["status"] == "delivered"
        in_window = delivered and (today - dt.date.fromisoformat(order["shipment"]["delivered_on"])).days <= 30
        outcomes.add((delivered, in_window))
        assert obs.ok is in_window, (order["order_id"], order["status"], obs.error)
        if not in_window:
            assert obs.error is not None and obs.error.type == "InvalidStateError"
    assert outcomes == {(False, False), (True, False), (True, True)}  # every case was exercised
    order = recent_delivered(shop)
    assert error_type(shop, "request_return", order_id=order["order_id"], product_id="P-00000",
                      reason="damaged") == "NotFoundError"


def test_chain_reorder_to_the_same_address(shop: Session) -> None:
    state = api(shop)
    order_id = ok(shop, "search_orders", status="delivered")["orders"][0]["order_id"]
    details = ok(shop, "get_order_details", order_id=order_id)
    item = next(i for i in details["items"] if state.products[i["product_id"]]["stock"] > 0)
    ok(shop, "add_to_cart", product_id=item["product_id"])
    new = ok(shop, "checkout_cart", address_id=details["address_id"])
    assert new["order_id"] != order_id and new["items"][0]["product_id"] == item["product_id"]


def test_chain_cheapest_in_category(shop: Session) -> None:
    categories = ok(shop, "list_product_categories")["categories"]
    electronics = next(c for c in categories if c["category"] == "Electronics")
    products = ok(shop, "browse_category", category=electronics["category"], sort_by="price_low", limit=50)["products"]
    assert len(products) == electronics["product_count"]
    assert [p["price"] for p in products] == sorted(p["price"] for p in products)
    cheapest = next(p for p in products if p["in_stock"])
    assert ok(shop, "add_to_cart", product_id=cheapest["product_id"])["items"][0]["product_id"] == cheapest["product_id"]


def test_chain_review_a_purchase(shop: Session) -> None:
    order_id = ok(shop, "search_orders", status="delivered")["orders"][0]["order_id"]
    product_id = ok(shop, "get_order_details", order_id=order_id)["items"][0]["product_id"]
    count = ok(shop, "get_product_details", product_id=product_id)["review_count"]
    ok(shop, "write_product_review", product_id=product_id, rating=5, text="Excellent, would buy again.")
    assert ok(shop, "get_product_details", product_id=product_id)["review_count"] == count + 1
    assert error_type(shop, "write_product_review", product_id=product_id, rating=4,
                      text="Second thoughts here.") == "ConflictError"
    bought = {i["product_id"] for o in api(shop).orders.values() if o["status"] == "delivered" for i in o["items"]}
    never = next(p for p in api(shop).products if p not in bought)
    assert error_type(shop, "write_product_review", product_id=never, rating=3,
                      text="Never bought it but...") == "InvalidStateError"


def test_cancel_only_before_shipping_and_stock_returns(shop: Session) -> None:
    processing = ok(shop, "search_orders", status="processing")["orders"][0]
    details = ok(shop, "get_order_details", order_id=processing["order_id"])
    item = details["items"][0]
    stock = ok(shop, "get_product_details", product_id=item["product_id"])["stock"]
    assert ok(shop, "cancel_order", order_id=processing["order_id"])["status"] == "cancelled"
    assert ok(shop, "get_product_details", product_id=item["product_id"])["stock"] == stock + item["quantity"]
    assert error_type(shop, "cancel_order", order_id=processing["order_id"]) == "InvalidStateError"
    shipped = ok(shop, "search_orders", status="shipped")["orders"][0]["order_id"]
    assert error_type(shop, "cancel_order", order_id=shipped) == "InvalidStateError"


def test_track_shipment_only_once_shipped(shop: Session) -> None:
    shipped = ok(shop, "search_orders", status="shipped")["orders"][0]["order_id"]
    tracking = ok(shop, "track_shipment", order_id=shipped)
    assert tracking["tracking_number"].startswith("TRK") and tracking["delivered_on"] is None
    processing = ok(shop, "search_orders", status="processing")["orders"][0]["order_id"]
    assert error_type(shop, "track_shipment", order_id=processing) == "InvalidStateError"


def test_cross_domain_track_and_share() -> None:
    session = default_world(0, domains=["ecommerce", "messaging"], timeout=None)
    shipped = ok(session, "search_orders", status="shipped")["orders"][0]["order_id"]
    number = ok(session, "track_shipment", order_id=shipped)["tracking_number"]
    chat = session.environment_of("login_messaging").instance
    ok(session, "login_messaging", username=chat.owner_username, password=chat.passwords[chat.owner_username])
    recipient = chat.contacts[next(u for u in chat.users.values() if u["username"] == chat.owner_username)["user_id"]][0]
    sent = ok(session, "send_chat_message", recipient_id=recipient, text=f"Your parcel: {number}")
    assert number in chat.messages[sent["message_id"]]["text"]


def test_stock_limits_and_cart_errors(shop: Session) -> None:
    state = api(shop)
    sold_out = next(p for p in state.products.values() if p["stock"] == 0)
    assert error_type(shop, "add_to_cart", product_id=sold_out["product_id"]) == "InsufficientFundsError"
    product = stocked(shop)
    # A product name is not a product id.
    assert error_type(shop, "add_to_cart", product_id=product["name"]) == "NotFoundError"
    ok(shop, "add_to_cart", product_id=product["product_id"], quantity=product["stock"])
    assert error_type(shop, "add_to_cart", product_id=product["product_id"]) == "InsufficientFundsError"
    assert error_type(shop, "remove_from_cart", product_id=sold_out["product_id"]) == "NotFoundError"
    assert error_type(shop, "checkout_cart", address_id="AD-999") == "NotFoundError"


def test_a_coupon_falls_off_when_the_cart_no_longer_qualifies(shop: Session) -> None:
    state = api(shop)
    code = next(c for c in state.coupons if c.startswith("SAVE"))
    product = stocked(shop, minimum=1, min_price=60.0)
    cheap = next(p for p in state.products.values() if p["stock"] > 0 and p["price"] < 20)
    ok(shop, "add_to_cart", product_id=product["product_id"])
    ok(shop, "add_to_cart", product_id=cheap["product_id"])
    ok(shop, "apply_coupon", code=code)
    cart = ok(shop, "remove_from_cart", product_id=product["product_id"])
    assert cart["coupon_code"] is None and cart["discount"] == 0


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("checkout_cart", {"address_id": "AD-301"}, "InvalidStateError"),
        ("get_order_details", {"order_id": "O-1"}, "NotFoundError"),
        ("get_product_details", {"product_id": "P-1"}, "NotFoundError"),
        ("get_return_status", {"return_id": "RT-1"}, "NotFoundError"),
        ("validate_coupon", {"code": "NOPE"}, "NotFoundError"),
        ("apply_coupon", {"code": "WELCOME5"}, "InvalidStateError"),
        ("search_products", {"query": "  "}, "InvalidArgumentError"),
        ("search_products", {"query": "shoes", "category": "Garden"}, "NotFoundError"),
        ("browse_category", {"category": "Garden"}, "NotFoundError"),
        ("add_shipping_address", {"label": "X", "street": "1 Road", "city": "Atlantis", "postal_code": "12345"},
         "InvalidArgumentError"),
        ("add_shipping_address", {"label": "home", "street": "1 Road", "city": "Paris", "postal_code": "75001"},
         "ConflictError"),
        ("search_orders", {"placed_after": "last week"}, "InvalidArgumentError"),
    ],
)
def test_errors_are_typed_observations(shop: Session, tool: str, arguments: dict[str, Any], expected: str) -> None:
    before = shop.state_hash()
    assert error_type(shop, tool, **arguments) == expected
    assert shop.state_hash() == before


def test_expired_coupon_is_reported(shop: Session) -> None:
    product = stocked(shop)
    ok(shop, "add_to_cart", product_id=product["product_id"])
    check = ok(shop, "validate_coupon", code="SPRING25")
    assert check["valid"] is False and "expired" in (check["reason"] or "")
    assert error_type(shop, "apply_coupon", code="SPRING25") == "InvalidStateError"


def test_generate_state_is_seeded() -> None:
    assert DOMAIN.generate_state(8) == DOMAIN.generate_state(8)
    assert DOMAIN.generate_state(8) != DOMAIN.generate_state(9)
    for seed in range(5):  # every world has orders in each status the chains need
        statuses = {o["status"] for o in DOMAIN.generate_state(seed)["orders"].values()}
        assert statuses >= {"processing", "shipped", "delivered", "cancelled"}
