"""The `ecommerce` domain: an online shop's catalogue, cart, orders, shipments, returns and coupons.

Users name products ("the Nimbus speaker in blue"); the shop works with product ids (`P-40213`),
order ids (`O-1042`), address ids (`AD-301`) and return ids (`RT-201`), so almost every task
needs a lookup first. Checkout needs a non-empty cart and a saved address id; an order can be
cancelled only before it ships, returned only after delivery (within 30 days).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Literal, cast

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES, email_of, person_name
from hardgen.world._domain import Chain, Domain
from hardgen.world._errors import (
    ConflictError,
    InsufficientFundsError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

RETURN_WINDOW_DAYS = 30
OrderStatus = Literal["processing", "shipped", "delivered", "cancelled"]
ReturnReason = Literal["damaged", "wrong_item", "not_as_described", "no_longer_needed"]


@_described
class ProductSummary(TypedDict):
    product_id: str
    """Product id, e.g. 'P-40213'; what the cart and review tools need."""
    name: str
    category: str
    price: float
    """Unit price in USD."""
    in_stock: bool


@_described
class ProductList(TypedDict):
    products: list[ProductSummary]


@_described
class ProductDetails(ProductSummary):
    brand: str
    stock: int
    """Units available."""
    rating: float
    """Average review rating, 1 to 5."""
    review_count: int
    description: str


@_described
class CategoryCount(TypedDict):
    category: str
    product_count: int


@_described
class CategoryList(TypedDict):
    categories: list[CategoryCount]


@_described
class CartLine(TypedDict):
    product_id: str
    name: str
    quantity: int
    unit_price: float
    line_total: float


@_described
class Cart(TypedDict):
    items: list[CartLine]
    subtotal: float
    coupon_code: str | None
    """Coupon applied to the cart, if any."""
    discount: float
    total: float
    """What checkout would charge, in USD."""


@_described
class Address(TypedDict):
    address_id: str
    """Saved address id, e.g. 'AD-301'; what checkout_cart needs."""
    label: str
    street: str
    city: str
    country: str
    postal_code: str


@_described
class AddressList(TypedDict):
    addresses: list[Address]


@_described
class OrderSummary(TypedDict):
    order_id: str
    """Order id, e.g. 'O-1042'."""
    placed_on: str
    """YYYY-MM-DD."""
    status: OrderStatus
    total: float
    product_names: list[str]


@_described
class OrderList(TypedDict):
    orders: list[OrderSummary]


@_described
class OrderItem(TypedDict):
    product_id: str
    name: str
    quantity: int
    unit_price: float
    returned_quantity: int


@_described
class OrderDetails(OrderSummary):
    items: list[OrderItem]
    subtotal: float
    discount: float
    coupon_code: str | None
    address_id: str
    delivered_on: str | None
    """Delivery date (YYYY-MM-DD) once delivered."""


@_described
class Shipment(TypedDict):
    order_id: str
    status: OrderStatus
    carrier: str
    tracking_number: str
    shipped_on: str
    estimated_delivery: str
    delivered_on: str | None


@_described
class ReturnRequest(TypedDict):
    return_id: str
    """Return id, e.g. 'RT-201'."""
    order_id: str
    product_id: str
    quantity: int
    reason: ReturnReason
    status: Literal["requested", "received", "refunded"]
    refund_amount: float
    requested_on: str


@_described
class CouponCheck(TypedDict):
    code: str
    valid: bool
    """Whether the coupon can be applied to the current cart now."""
    percent_off: int
    min_subtotal: float
    category: str | None
    """Only products of this category are discounted (null: all)."""
    expires_on: str
    reason: str | None
    """Why it is not valid, if it is not."""


@_described
class Review(TypedDict):
    review_id: str
    product_id: str
    rating: int
    text: str


def _money(value: float) -> float:
    return round(value + 1e-9, 2)


class ShopAPI:
    """One customer's view of an online shop."""

    def __init__(self) -> None:
        self.today: str = "2024-01-01"
        self.customer: dict[str, Any] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.cart_items: list[dict[str, Any]] = []
        self.cart_coupon: str | None = None
        self.addresses: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.returns: dict[str, dict[str, Any]] = {}
        self.coupons: dict[str, dict[str, Any]] = {}
        self.reviews: dict[str, dict[str, Any]] = {}
        self.counters: dict[str, int] = {"order": 1001, "return": 201, "address": 301, "review": 501}

    def load_state(self, state: dict[str, Any]) -> None:
        """Load the state made by `generate_state`."""
        self.today = state["today"]
        self.customer = state["customer"]
        self.products = state["products"]
        self.cart_items = state.get("cart_items", [])
        self.cart_coupon = state.get("cart_coupon")
        self.addresses = state.get("addresses", {})
        self.orders = state.get("orders", {})
        self.returns = state.get("returns", {})
        self.coupons = state.get("coupons", {})
        self.reviews = state.get("reviews", {})
        self.counters = state.get("counters", self.counters)

    # -- helpers ---------------------------------------------------------------------------------
    def _new_id(self, kind: str, prefix: str) -> str:
        number = self.counters[kind]
        self.counters[kind] = number + 1
        return f"{prefix}-{number}"

    def _product(self, product_id: str) -> dict[str, Any]:
        product = self.products.get(product_id)
        if product is None:
            raise NotFoundError(
                f"no product {product_id!r}; product ids look like 'P-40213': find them with search_products"
            )
        return product

    def _order(self, order_id: str) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise NotFoundError(f"no order {order_id!r}; use search_orders to find order ids")
        return order

    @staticmethod
    def _summary(product: dict[str, Any]) -> ProductSummary:
        return {
            "product_id": product["product_id"],
            "name": product["name"],
            "category": product["category"],
            "price": product["price"],
            "in_stock": product["stock"] > 0,
        }

    def _order_summary(self, order: dict[str, Any]) -> OrderSummary:
        return {
            "order_id": order["order_id"],
            "placed_on": order["placed_on"],
            "status": order["status"],
            "total": order["total"],
            "product_names": [i["name"] for i in order["items"]],
        }

    def _coupon_problem(self, coupon: dict[str, Any]) -> str | None:
        """Why `coupon` cannot apply to the current cart, or None."""
        if coupon["used"]:
            return "it was already used (single use)"
        if coupon["expires_on"] < self.today:
            return f"it expired on {coupon['expires_on']}"
        if not self.cart_items:
            return "the cart is empty"
        eligible = self._eligible_subtotal(coupon)
        if coupon["category"] and eligible == 0:
            return f"it only applies to {coupon['category']} products and the cart has none"
        if self._subtotal() < coupon["min_subtotal"]:
            return f"the cart subtotal is below the {coupon['min_subtotal']:.2f} USD minimum"
        return None

    def _subtotal(self) -> float:
        return _money(sum(self.products[i["product_id"]]["price"] * i["quantity"] for i in self.cart_items))

    def _eligible_subtotal(self, coupon: dict[str, Any]) -> float:
        return _money(sum(
            self.products[i["product_id"]]["price"] * i["quantity"]
            for i in self.cart_items
            if coupon["category"] in (None, self.products[i["product_id"]]["category"])
        ))

    def _cart(self) -> Cart:
        lines: list[CartLine] = []
        for item in self.cart_items:
            product = self.products[item["product_id"]]
            lines.append({
                "product_id": product["product_id"],
                "name": product["name"],
                "quantity": item["quantity"],
                "unit_price": product["price"],
                "line_total": _money(product["price"] * item["quantity"]),
            })
        subtotal = self._subtotal()
        discount = 0.0
        if self.cart_coupon:
            coupon = self.coupons[self.cart_coupon]
            discount = _money(self._eligible_subtotal(coupon) * coupon["percent_off"] / 100)
        return {
            "items": lines,
            "subtotal": subtotal,
            "coupon_code": self.cart_coupon,
            "discount": discount,
            "total": _money(subtotal - discount),
        }

    def _cart_line(self, product_id: str) -> dict[str, Any]:
        for item in self.cart_items:
            if item["product_id"] == product_id:
                return item
        raise NotFoundError(f"product {product_id!r} is not in the cart; see view_cart")

    def _after_cart_change(self) -> None:
        # A coupon whose conditions no longer hold falls off the cart, as shops do.
        if self.cart_coupon and self._coupon_problem(self.coupons[self.cart_coupon]):
            self.cart_coupon = None

    # -- catalogue -------------------------------------------------------------------------------
    @tool
    def search_products(self, query: str, category: str | None = None, max_price: float | None = None) -> ProductList:
        """Search the catalogue by product name or brand, to get product ids.

        Args:
            query: Words to look for in the product name or brand, case-insensitive, e.g. 'wireless headphones'.
            category: Only products of this category (see list_product_categories).
            max_price: Only products costing at most this many USD.

        Returns:
            Matching products with ids, prices and whether they are in stock, cheapest first.
        """
        words = query.lower().split()
        if not words:
            raise InvalidArgumentError("query must contain at least one word")
        if category is not None and not any(p["category"] == category for p in self.products.values()):
            raise NotFoundError(f"no category {category!r}; see list_product_categories")
        found = [
            self._summary(p) for p in self.products.values()
            if all(w in f"{p['name']} {p['brand']}".lower() for w in words)
            and (category is None or p["category"] == category)
            and (max_price is None or p["price"] <= max_price)
        ]
        return {"products": sorted(found, key=lambda p: (p["price"], p["product_id"]))}

    @tool
    def list_product_categories(self) -> CategoryList:
        """List the catalogue's categories and how many products each has.

        Returns:
            Categories in name order.
        """
        counts: dict[str, int] = {}
        for product in self.products.values():
            counts[product["category"]] = counts.get(product["category"], 0) + 1
        return {"categories": [{"category": c, "product_count": n} for c, n in sorted(counts.items())]}

    @tool
    def browse_category(
        self, category: str, sort_by: Literal["price_low", "price_high", "rating"] = "rating", limit: int = 10
    ) -> ProductList:
        """List the products of one category, sorted (e.g. to find the cheapest or best-rated one).

        Args:
            category: Category name exactly as list_product_categories gives it, e.g. 'Electronics'.
            sort_by: Order: cheapest first, most expensive first, or best rated first.
            limit: Most products to return, 1 to 50.

        Returns:
            Products of the category in the requested order.
        """
        if not 1 <= limit <= 50:
            raise InvalidArgumentError(f"limit must be between 1 and 50, got {limit}")
        products = [p for p in self.products.values() if p["category"] == category]
        if not products:
            raise NotFoundError(f"no category {category!r}; see list_product_categories")
        if sort_by == "rating":
            products.sort(key=lambda p: (-p["rating"], p["price"], p["product_id"]))
        else:
            products.sort(key=lambda p: (p["price"] if sort_by == "price_low" else -p["price"], p["product_id"]))
        return {"products": [self._summary(p) for p in products[:limit]]}

    @tool
    def get_product_details(self, product_id: str) -> ProductDetails:
        """Show a product in full: brand, stock, rating, description.

        Args:
            product_id: Product id, e.g. 'P-40213' (from search_products or browse_category).

        Returns:
            The product's details.
        """
        product = self._product(product_id)
        return {
            **self._summary(product),
            "brand": product["brand"],
            "stock": product["stock"],
            "rating": product["rating"],
            "review_count": product["review_count"],
            "description": product["description"],
        }

    # -- cart ------------------------------------------------------------------------------------
    @tool
    def view_cart(self) -> Cart:
        """Show the shopping cart with totals and any applied coupon.

        Returns:
            Cart lines, subtotal, discount and total in USD.
        """
        return self._cart()

    @tool(mutates=True)
    def add_to_cart(self, product_id: str, quantity: int = 1) -> Cart:
        """Put a product in the shopping cart (adds to the quantity if it is already there).

        Args:
            product_id: Product id, e.g. 'P-40213' (from search_products; not the product name).
            quantity: Units to add, 1 to 20.

        Returns:
            The updated cart.
        """
        product = self._product(product_id)
        if not 1 <= quantity <= 20:
            raise InvalidArgumentError(f"quantity must be between 1 and 20, got {quantity}")
        existing = next((i for i in self.cart_items if i["product_id"] == product_id), None)
        wanted = quantity + (existing["quantity"] if existing else 0)
        if wanted > product["stock"]:
            raise InsufficientFundsError(
                f"only {product['stock']} unit(s) of {product['name']} in stock; the cart would need {wanted}"
            )
        if existing:
            existing["quantity"] = wanted
        else:
            self.cart_items.append({"product_id": product_id, "quantity": quantity})
        return self._cart()

    @tool(mutates=True)
    def update_cart_quantity(self, product_id: str, quantity: int) -> Cart:
        """Change how many units of a product in the cart you want.

        Args:
            product_id: Product id of a cart line, e.g. 'P-40213'.
            quantity: New quantity, 1 to 20 (use remove_from_cart to drop the line).

        Returns:
            The updated cart.
        """
        item = self._cart_line(product_id)
        if not 1 <= quantity <= 20:
            raise InvalidArgumentError(f"quantity must be between 1 and 20, got {quantity}")
        product = self.products[product_id]
        if quantity > product["stock"]:
            raise InsufficientFundsError(f"only {product['stock']} unit(s) of {product['name']} in stock")
        item["quantity"] = quantity
        self._after_cart_change()
        return self._cart()

    @tool(mutates=True)
    def remove_from_cart(self, product_id: str) -> Cart:
        """Remove a product from the shopping cart.

        Args:
            product_id: Product id of a cart line, e.g. 'P-40213'.

        Returns:
            The updated cart.
        """
        self.cart_items.remove(self._cart_line(product_id))
        self._after_cart_change()
        return self._cart()

    @tool
    def validate_coupon(self, code: str) -> CouponCheck:
        """Check whether a coupon code can be applied to the current cart, and what it gives.

        Args:
            code: Coupon code, e.g. 'SAVE10' (case-insensitive).

        Returns:
            The coupon's terms, whether it is valid for the cart now, and why not if it is not.
        """
        coupon = self.coupons.get(code.strip().upper())
        if coupon is None:
            raise NotFoundError(f"no coupon {code!r}")
        problem = self._coupon_problem(coupon)
        return {
            "code": coupon["code"],
            "valid": problem is None,
            "percent_off": coupon["percent_off"],
            "min_subtotal": coupon["min_subtotal"],
            "category": coupon["category"],
            "expires_on": coupon["expires_on"],
            "reason": problem,
        }

    @tool(mutates=True)
    def apply_coupon(self, code: str) -> Cart:
        """Apply a coupon code to the cart; the discount is charged at checkout.

        Needs a non-empty cart that meets the coupon's conditions (add products first).

        Args:
            code: Coupon code, e.g. 'SAVE10' (case-insensitive).

        Returns:
            The cart with the discount.
        """
        coupon = self.coupons.get(code.strip().upper())
        if coupon is None:
            raise NotFoundError(f"no coupon {code!r}")
        problem = self._coupon_problem(coupon)
        if problem:
            raise InvalidStateError(f"coupon {coupon['code']} cannot be applied: {problem}")
        self.cart_coupon = coupon["code"]
        return self._cart()

    # -- addresses and checkout ------------------------------------------------------------------
    @tool
    def list_saved_addresses(self) -> AddressList:
        """List the customer's saved shipping addresses, to get the address id checkout needs.

        Returns:
            Saved addresses with ids and labels (e.g. 'Home', 'Office').
        """
        return {"addresses": [dict(a) for a in self.addresses.values()]}  # type: ignore[misc]

    @tool(mutates=True)
    def add_shipping_address(self, label: str, street: str, city: str, postal_code: str) -> Address:
        """Save a new shipping address. The shop only ships to cities it serves.

        Args:
            label: Short name for the address, e.g. 'Office'; must be unique among saved addresses.
            street: Street and number, e.g. '12 Harbour Road'.
            city: City name, e.g. 'Lisbon'; the country is filled in from it.
            postal_code: Postal code, 3 to 10 letters or digits.

        Returns:
            The saved address with its new id.
        """
        served = {c[0].lower(): c for c in CITIES}
        place = served.get(city.strip().lower())
        if place is None:
            raise InvalidArgumentError(f"the shop does not ship to {city!r}; served cities: {', '.join(sorted(c[0] for c in CITIES))}")
        code = postal_code.replace(" ", "").replace("-", "")
        if not (3 <= len(code) <= 10 and code.isalnum()):
            raise InvalidArgumentError(f"postal_code {postal_code!r} must be 3 to 10 letters or digits")
        if not label.strip() or not street.strip():
            raise InvalidArgumentError("label and street must not be empty")
        if any(a["label"].lower() == label.strip().lower() for a in self.addresses.values()):
            raise ConflictError(f"an address labelled {label!r} already exists; see list_saved_addresses")
        address_id = self._new_id("address", "AD")
        address = {
            "address_id": address_id,
            "label": label.strip(),
            "street": street.strip(),
            "city": place[0],
            "country": place[1],
            "postal_code": postal_code.strip(),
        }
        self.addresses[address_id] = address
        return address  # type: ignore[return-value]

    @tool(mutates=True)
    def checkout_cart(self, address_id: str) -> OrderDetails:
        """Place an order for everything in the cart, shipped to a saved address.

        Needs a non-empty cart (add_to_cart) and an address id (list_saved_addresses or
        add_shipping_address). Charges the saved card; an applied coupon is used up.

        Args:
            address_id: Saved address id, e.g. 'AD-301'.

        Returns:
            The new order with its id, items and totals.
        """
        if not self.cart_items:
            raise InvalidStateError("the cart is empty; add products with add_to_cart first")
        if address_id not in self.addresses:
            raise NotFoundError(f"no saved address {address_id!r}; use list_saved_addresses or add_shipping_address")
        for item in self.cart_items:
            product = self.products[item["product_id"]]
            if item["quantity"] > product["stock"]:
                raise InsufficientFundsError(f"only {product['stock']} unit(s) of {product['name']} left")
        cart = self._cart()
        for item in self.cart_items:
            self.products[item["product_id"]]["stock"] -= item["quantity"]
        if self.cart_coupon and self.coupons[self.cart_coupon]["single_use"]:
            self.coupons[self.cart_coupon]["used"] = True
        order_id = self._new_id("order", "O")
        self.orders[order_id] = {
            "order_id": order_id,
            "placed_on": self.today,
            "status": "processing",
            "items": [
                {"product_id": line["product_id"], "name": line["name"], "quantity": line["quantity"],
                 "unit_price": line["unit_price"], "returned_quantity": 0}
                for line in cart["items"]
            ],
            "subtotal": cart["subtotal"],
            "discount": cart["discount"],
            "coupon_code": cart["coupon_code"],
            "total": cart["total"],
            "address_id": address_id,
            "shipment": None,
        }
        self.cart_items = []
        self.cart_coupon = None
        return self._order_details(self.orders[order_id])

    # -- orders ----------------------------------------------------------------------------------
    def _order_details(self, order: dict[str, Any]) -> OrderDetails:
        shipment = order["shipment"] or {}
        return {
            **self._order_summary(order),
            "items": [dict(i) for i in order["items"]],  # type: ignore[misc]
            "subtotal": order["subtotal"],
            "discount": order["discount"],
            "coupon_code": order["coupon_code"],
            "address_id": order["address_id"],
            "delivered_on": shipment.get("delivered_on"),
        }

    @tool
    def search_orders(
        self, status: OrderStatus | None = None, product_name: str | None = None, placed_after: str | None = None
    ) -> OrderList:
        """Find the customer's orders, newest first, to get order ids.

        Args:
            status: Only orders in this status.
            product_name: Only orders containing a product whose name contains this text (case-insensitive).
            placed_after: Only orders placed on or after this date, YYYY-MM-DD.

        Returns:
            Matching orders with ids, dates, status, totals and product names.
        """
        if placed_after is not None:
            try:
                dt.date.fromisoformat(placed_after)
            except ValueError:
                raise InvalidArgumentError(f"placed_after {placed_after!r} is not a date like '2024-05-14'") from None
        needle = product_name.lower().strip() if product_name else None
        found = [
            self._order_summary(o) for o in self.orders.values()
            if (status is None or o["status"] == status)
            and (needle is None or any(needle in i["name"].lower() for i in o["items"]))
            and (placed_after is None or o["placed_on"] >= placed_after)
        ]
        return {"orders": sorted(found, key=lambda o: (o["placed_on"], o["order_id"]), reverse=True)}

    @tool
    def get_order_details(self, order_id: str) -> OrderDetails:
        """Show an order in full: items with product ids, totals, address, delivery date.

        Args:
            order_id: Order id, e.g. 'O-1042' (from search_orders).

        Returns:
            The order's details.
        """
        return self._order_details(self._order(order_id))

    @tool(mutates=True)
    def cancel_order(self, order_id: str) -> OrderSummary:
        """Cancel an order that has not shipped yet; its items go back to stock and the charge is refunded.

        Args:
            order_id: Order id, e.g. 'O-1042'.

        Returns:
            The order, now 'cancelled'.
        """
        order = self._order(order_id)
        if order["status"] != "processing":
            hint = " request a return after delivery instead" if order["status"] in ("shipped", "delivered") else ""
            raise InvalidStateError(f"order {order_id} is {order['status']} and can no longer be cancelled;{hint}")
        order["status"] = "cancelled"
        for item in order["items"]:
            if item["product_id"] in self.products:
                self.products[item["product_id"]]["stock"] += item["quantity"]
        return self._order_summary(order)

    @tool
    def track_shipment(self, order_id: str) -> Shipment:
        """Track the shipment of an order that has shipped.

        Args:
            order_id: Order id, e.g. 'O-1042'.

        Returns:
            Carrier, tracking number, ship date, estimated and actual delivery dates.
        """
        order = self._order(order_id)
        if order["shipment"] is None:
            raise InvalidStateError(f"order {order_id} is {order['status']} and has no shipment yet")
        return cast(Shipment, {"order_id": order_id, "status": order["status"], **order["shipment"]})

    # -- returns and reviews ---------------------------------------------------------------------
    @tool(mutates=True)
    def request_return(self, order_id: str, product_id: str, reason: ReturnReason, quantity: int = 1) -> ReturnRequest:
        """Ask to return an item of a delivered order (within 30 days of delivery) for a refund.

        Args:
            order_id: Order id, e.g. 'O-1042' (from search_orders).
            product_id: Product id of an item in that order (from get_order_details).
            reason: Why it is returned.
            quantity: Units to return, at most the units bought and not yet returned.

        Returns:
            The return request with its id and refund amount.
        """
        order = self._order(order_id)
        if order["status"] != "delivered":
            raise InvalidStateError(f"order {order_id} is {order['status']}; only delivered orders can be returned")
        delivered = dt.date.fromisoformat(order["shipment"]["delivered_on"])
        if (dt.date.fromisoformat(self.today) - delivered).days > RETURN_WINDOW_DAYS:
            raise InvalidStateError(
                f"order {order_id} was delivered on {delivered}, more than {RETURN_WINDOW_DAYS} days ago"
            )
        item = next((i for i in order["items"] if i["product_id"] == product_id), None)
        if item is None:
            raise NotFoundError(f"order {order_id} has no item {product_id!r}; see get_order_details")
        left = item["quantity"] - item["returned_quantity"]
        if not 1 <= quantity <= left:
            raise InvalidArgumentError(f"you can return 1 to {left} unit(s) of {item['name']} from {order_id}")
        item["returned_quantity"] += quantity
        return_id = self._new_id("return", "RT")
        share = item["unit_price"] * quantity
        refund = share - (order["discount"] * share / order["subtotal"] if order["subtotal"] else 0)
        record = {
            "return_id": return_id,
            "order_id": order_id,
            "product_id": product_id,
            "quantity": quantity,
            "reason": reason,
            "status": "requested",
            "refund_amount": _money(refund),
            "requested_on": self.today,
        }
        self.returns[return_id] = record
        return record  # type: ignore[return-value]

    @tool
    def get_return_status(self, return_id: str) -> ReturnRequest:
        """Show the status and refund of a return request.

        Args:
            return_id: Return id, e.g. 'RT-201' (from request_return).

        Returns:
            The return request.
        """
        record = self.returns.get(return_id)
        if record is None:
            raise NotFoundError(f"no return {return_id!r}; return ids come from request_return")
        return record  # type: ignore[return-value]

    @tool(mutates=True)
    def write_product_review(self, product_id: str, rating: int, text: str) -> Review:
        """Review a product you bought and received. One review per product.

        Args:
            product_id: Product id, e.g. 'P-40213' (from get_order_details of a delivered order).
            rating: Stars, 1 to 5.
            text: The review, 10 to 1000 characters.

        Returns:
            The saved review with its id.
        """
        product = self._product(product_id)
        if not any(o["status"] == "delivered" and any(i["product_id"] == product_id for i in o["items"])
                   for o in self.orders.values()):
            raise InvalidStateError(f"you have no delivered order of {product['name']}; only buyers can review")
        if not 1 <= rating <= 5:
            raise InvalidArgumentError(f"rating must be 1 to 5, got {rating}")
        if not 10 <= len(text.strip()) <= 1000:
            raise InvalidArgumentError("text must have 10 to 1000 characters")
        if any(r["product_id"] == product_id for r in self.reviews.values()):
            raise ConflictError(f"you already reviewed {product['name']}")
        review_id = self._new_id("review", "RV")
        self.reviews[review_id] = {"review_id": review_id, "product_id": product_id, "rating": rating,
                                   "text": text.strip()}
        count = product["review_count"]
        product["rating"] = round((product["rating"] * count + rating) / (count + 1), 2)
        product["review_count"] = count + 1
        return self.reviews[review_id]  # type: ignore[return-value]


# -- generated worlds ----------------------------------------------------------------------------
_CATALOGUE = {
    "Electronics": (("Aurora", "Wireless Headphones", 89), ("Nimbus", "Bluetooth Speaker", 59),
                    ("Volt", "USB-C Charger", 25), ("Pixel", "4K Monitor", 329), ("Echo", "Mechanical Keyboard", 119),
                    ("Glide", "Wireless Mouse", 35), ("Orbit", "Smartwatch", 199)),
    "Home & Kitchen": (("Barista", "Espresso Machine", 249), ("Chef Pro", "Knife Set", 79),
                       ("Cloud", "Memory Pillow", 45), ("Aroma", "Oil Diffuser", 32), ("Tidy", "Storage Baskets", 28)),
    "Books": (("Harbor Press", "The Silent Orchard", 18), ("Harbor Press", "Patterns of Rivers", 22),
              ("Lantern", "Cooking with Fire", 30), ("Lantern", "A Short History of Maps", 26)),
    "Sports": (("Stride", "Trail Running Shoes", 110), ("Zen", "Yoga Mat", 40), ("Apex", "Tennis Racket", 150),
               ("Hydro", "Insulated Bottle", 24), ("Summit", "Hiking Backpack", 95)),
    "Clothing": (("Northwind", "Rain Jacket", 120), ("Loom", "Merino Sweater", 85), ("Loom", "Cotton T-Shirt", 20),
                 ("Northwind", "Wool Beanie", 18)),
    "Beauty": (("Petal", "Face Cream", 34), ("Petal", "Lip Balm Set", 12), ("Verde", "Herbal Shampoo", 14)),
    "Toys": (("Brickly", "Castle Building Set", 65), ("Puzzlo", "1000-Piece Puzzle", 22),
             ("Rocket", "Remote Control Car", 55)),
}
_VARIANTS = ("Black", "White", "Blue", "Green", "Red", "Grey")
_CARRIERS = ("DHL", "UPS", "FedEx", "PostNL")


def generate_state(seed: int) -> dict[str, Any]:
    """A catalogue of ~60-90 products, a customer with addresses, orders in every status, coupons."""
    rng = random.Random(seed)
    today = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randrange(240))
    owner = person_name(seed % 200)
    product_ids = iter(rng.sample(range(10000, 99999), 200))
    products: dict[str, dict[str, Any]] = {}
    for category, entries in _CATALOGUE.items():
        for brand, base, price in entries:
            colours = rng.sample(_VARIANTS, rng.randrange(1, 4)) if category not in ("Books",) else [None]
            for colour in colours:
                product_id = f"P-{next(product_ids)}"
                # Books are known by title; the "brand" is the publisher.
                name = (base if category == "Books" else f"{brand} {base}") + (f" ({colour})" if colour else "")
                products[product_id] = {
                    "product_id": product_id,
                    "name": name,
                    "brand": brand,
                    "category": category,
                    "price": _money(max(2, round(price * rng.uniform(0.85, 1.2))) - 0.01),
                    "stock": rng.choice((0, 1, 2, 3, 5, 8, 12, 20, 40)),
                    "rating": round(rng.uniform(2.8, 4.9), 1),
                    "review_count": rng.randrange(0, 400),
                    "description": f"{base} by {brand}" + (f" in {colour.lower()}" if colour else "") + ".",
                }
    home_city, office_city = rng.sample(CITIES, 2)
    addresses = {
        "AD-301": {"address_id": "AD-301", "label": "Home", "street": f"{rng.randrange(1, 200)} Maple Street",
                   "city": home_city[0], "country": home_city[1], "postal_code": f"{rng.randrange(10000, 99999)}"},
    }
    if rng.random() < 0.7:
        addresses["AD-302"] = {"address_id": "AD-302", "label": "Office",
                               "street": f"{rng.randrange(1, 90)} Market Square", "city": office_city[0],
                               "country": office_city[1], "postal_code": f"{rng.randrange(10000, 99999)}"}
    orders: dict[str, dict[str, Any]] = {}
    catalogue = sorted(products)
    statuses = ["delivered", "delivered", "delivered", "shipped", "processing", "cancelled", "delivered"]
    statuses += [rng.choice(("delivered", "shipped", "processing", "cancelled")) for _ in range(rng.randrange(3, 9))]
    number = 1001
    for status in statuses:
        # Processing orders are recent; delivered ones span the return window and beyond.
        age = {"processing": rng.randrange(0, 2), "shipped": rng.randrange(2, 5)}.get(status, rng.randrange(5, 90))
        placed = today - dt.timedelta(days=age)
        items: list[dict[str, Any]] = []
        for product_id in rng.sample(catalogue, rng.randrange(1, 4)):
            product = products[product_id]
            items.append({"product_id": product_id, "name": product["name"], "quantity": rng.randrange(1, 3),
                          "unit_price": product["price"], "returned_quantity": 0})
        subtotal = _money(sum(i["unit_price"] * i["quantity"] for i in items))
        shipment = None
        if status in ("shipped", "delivered"):
            shipped = placed + dt.timedelta(days=1)
            delivered = shipped + dt.timedelta(days=rng.randrange(2, 5))
            shipment = {
                "carrier": rng.choice(_CARRIERS),
                "tracking_number": f"TRK{rng.randrange(10**9, 10**10)}",
                "shipped_on": shipped.isoformat(),
                "estimated_delivery": (shipped + dt.timedelta(days=4)).isoformat(),
                "delivered_on": min(delivered, today).isoformat() if status == "delivered" else None,
            }
        order_id = f"O-{number}"
        number += 1
        orders[order_id] = {
            "order_id": order_id, "placed_on": placed.isoformat(), "status": status, "items": items,
            "subtotal": subtotal, "discount": 0.0, "coupon_code": None, "total": subtotal,
            "address_id": rng.choice(sorted(addresses)), "shipment": shipment,
        }
    # Ids grow with time, so renumber orders in date order.
    ordered = sorted(orders.values(), key=lambda o: (o["placed_on"], o["order_id"]))
    orders = {}
    for index, order in enumerate(ordered):
        order["order_id"] = f"O-{1001 + index}"
        orders[order["order_id"]] = order
    percent = rng.choice((10, 15))
    coupons = {
        f"SAVE{percent}": {"code": f"SAVE{percent}", "percent_off": percent, "min_subtotal": 50.0, "category": None,
                           "expires_on": (today + dt.timedelta(days=rng.randrange(10, 60))).isoformat(),
                           "single_use": True, "used": False},
        "TECH20": {"code": "TECH20", "percent_off": 20, "min_subtotal": 100.0, "category": "Electronics",
                   "expires_on": (today + dt.timedelta(days=rng.randrange(5, 30))).isoformat(),
                   "single_use": False, "used": False},
        "WELCOME5": {"code": "WELCOME5", "percent_off": 5, "min_subtotal": 0.0, "category": None,
                     "expires_on": (today + dt.timedelta(days=365)).isoformat(), "single_use": True, "used": True},
        "SPRING25": {"code": "SPRING25", "percent_off": 25, "min_subtotal": 30.0, "category": None,
                     "expires_on": (today - dt.timedelta(days=rng.randrange(1, 30))).isoformat(),
                     "single_use": True, "used": False},
    }
    return {
        "today": today.isoformat(),
        "customer": {"customer_id": f"C-{rng.randrange(10000, 99999)}", "name": owner, "email": email_of(owner)},
        "products": products,
        "cart_items": [],
        "cart_coupon": None,
        "addresses": addresses,
        "orders": orders,
        "returns": {},
        "coupons": coupons,
        "reviews": {},
        "counters": {"order": 1001 + len(orders), "return": 201, "address": 303, "review": 501},
    }



def crowd_state(state: dict[str, Any], seed: int) -> dict[str, Any]:
    """`state` with two years of older orders (ids below the first one, so ids still grow with
    time): 30 to 40 delivered or cancelled orders of catalogue products, placed before every order
    already there. Everything already in the state is unchanged."""
    rng = random.Random(f"ecommerce-crowd:{seed}")
    orders = state["orders"]
    first = min((dt.date.fromisoformat(o["placed_on"]) for o in orders.values()),
                default=dt.date.fromisoformat(state["today"]))
    catalogue = sorted(state["products"])
    addresses = sorted(state["addresses"])
    days = sorted(rng.sample(range(3, 730), rng.randrange(30, 41)))
    lowest = min(int(o.split("-")[1]) for o in orders) if orders else 1001
    older: dict[str, dict[str, Any]] = {}
    for n, back in enumerate(days):  # nearest first: the highest of the lower ids
        placed = first - dt.timedelta(days=back)
        status = "cancelled" if rng.random() < 0.12 else "delivered"
        items = []
        for product_id in rng.sample(catalogue, rng.randrange(1, 4)):
            product = state["products"][product_id]
            items.append({"product_id": product_id, "name": product["name"], "quantity": rng.randrange(1, 3),
                          "unit_price": _money(product["price"] * rng.uniform(0.9, 1.05)), "returned_quantity": 0})
        subtotal = _money(sum(i["unit_price"] * i["quantity"] for i in items))
        shipment = None
        if status == "delivered":
            shipped = placed + dt.timedelta(days=1)
            shipment = {"carrier": rng.choice(_CARRIERS), "tracking_number": f"TRK{rng.randrange(10**9, 10**10)}",
                        "shipped_on": shipped.isoformat(),
                        "estimated_delivery": (shipped + dt.timedelta(days=4)).isoformat(),
                        "delivered_on": (shipped + dt.timedelta(days=rng.randrange(2, 5))).isoformat()}
        order_id = f"O-{lowest - 1 - n}"
        older[order_id] = {"order_id": order_id, "placed_on": placed.isoformat(), "status": status, "items": items,
                           "subtotal": subtotal, "discount": 0.0, "coupon_code": None, "total": subtotal,
                           "address_id": rng.choice(addresses), "shipment": shipment}
    state["orders"] = {**dict(sorted(older.items(), key=lambda kv: kv[1]["placed_on"])), **orders}
    return state

def _facts(seed: int = 0) -> dict[str, Any]:
    """Seed-0 values the examples use: an in-stock product, order ids by status, the coupon code."""
    state = generate_state(seed)
    in_stock = next(p for p in sorted(state["products"].values(), key=lambda p: p["name"])
                    if p["stock"] >= 3 and p["price"] >= 60 and p["category"] == "Electronics"
                    and len([q for q in state["products"].values() if p["name"] in q["name"]]) == 1)
    today = dt.date.fromisoformat(state["today"])

    def recent(order: dict[str, Any]) -> bool:
        delivered = order["shipment"] and order["shipment"]["delivered_on"]
        return bool(delivered) and (today - dt.date.fromisoformat(delivered)).days <= RETURN_WINDOW_DAYS

    shop = ShopAPI()
    shop.load_state(state)
    # A product of a recently delivered order that a search by its name finds in that order first.
    returnable_product = next(
        o["items"][0]["name"] for o in state["orders"].values()
        if o["status"] == "delivered" and recent(o)
        and shop.search_orders("delivered", o["items"][0]["name"])["orders"][0]["order_id"] == o["order_id"]
    )
    return {
        "product_name": in_stock["name"],
        "returnable_product": returnable_product,
        "save_code": next(c for c in state["coupons"] if c.startswith("SAVE")),
    }


_F = _facts(0)
_FIND = ("search_products", {"query": _F["product_name"]})
_ADD = ("add_to_cart", {"product_id": "$0.products.0.product_id", "quantity": 1})

DOMAIN = Domain(
    name="ecommerce",
    description="An online shop: catalogue search, cart, coupons, checkout to saved addresses, orders, shipments, returns.",
    environment_class=ShopAPI,
    generate_state=generate_state,
    crowd=crowd_state,
    chains=(
        Chain(
            "buy_by_name",
            "Find a product by name, put it in the cart, pick a saved address, check out.",
            ("search_products", "add_to_cart", "list_saved_addresses", "checkout_cart"),
        ),
        Chain(
            "coupon_checkout_new_address",
            "Find a product, add it, apply a coupon (needs a filled cart), save a new address, check out to it.",
            ("search_products", "add_to_cart", "apply_coupon", "add_shipping_address", "checkout_cart"),
        ),
        Chain(
            "return_an_item",
            "Find a delivered order by product name, read its items' product ids, request a return, check it.",
            ("search_orders", "get_order_details", "request_return", "get_return_status"),
        ),
        Chain(
            "reorder",
            "Find a past order, read its items, put one back in the cart, check out to the same address.",
            ("search_orders", "get_order_details", "add_to_cart", "checkout_cart"),
        ),
        Chain(
            "cheapest_in_category",
            "List categories, browse one cheapest first, add the cheapest product to the cart.",
            ("list_product_categories", "browse_category", "add_to_cart"),
        ),
        Chain(
            "review_a_purchase",
            "Find a delivered order, read its product ids, review one of the products.",
            ("search_orders", "get_order_details", "write_product_review"),
        ),
        Chain(
            "track_and_share",
            "Find a shipped order, track it, log in to chat and send the tracking number to a colleague.",
            ("search_orders", "track_shipment", "messaging.login_messaging", "messaging.send_chat_message"),
        ),
    ),
    examples={
        "search_products": [_FIND],
        "list_product_categories": [("list_product_categories", {})],
        "browse_category": [("browse_category", {"category": "Books", "sort_by": "price_low", "limit": 3})],
        "get_product_details": [_FIND, ("get_product_details", {"product_id": "$0.products.0.product_id"})],
        "view_cart": [_FIND, _ADD, ("view_cart", {})],
        "add_to_cart": [_FIND, _ADD],
        "update_cart_quantity": [_FIND, _ADD, ("update_cart_quantity", {"product_id": "$0.products.0.product_id",
                                                                        "quantity": 2})],
        "remove_from_cart": [_FIND, _ADD, ("remove_from_cart", {"product_id": "$0.products.0.product_id"})],
        "validate_coupon": [_FIND, _ADD, ("validate_coupon", {"code": _F["save_code"]})],
        "apply_coupon": [_FIND, _ADD, ("apply_coupon", {"code": _F["save_code"]})],
        "list_saved_addresses": [("list_saved_addresses", {})],
        "add_shipping_address": [("add_shipping_address", {"label": "Parents", "street": "4 Rua Augusta",
                                                           "city": "Lisbon", "postal_code": "1100-048"})],
        "checkout_cart": [_FIND, _ADD, ("list_saved_addresses", {}),
                          ("checkout_cart", {"address_id": "$2.addresses.0.address_id"})],
        "search_orders": [("search_orders", {"status": "delivered"})],
        "get_order_details": [("search_orders", {}), ("get_order_details", {"order_id": "$0.orders.0.order_id"})],
        "cancel_order": [("search_orders", {"status": "processing"}),
                         ("cancel_order", {"order_id": "$0.orders.0.order_id"})],
        "track_shipment": [("search_orders", {"status": "shipped"}),
                           ("track_shipment", {"order_id": "$0.orders.0.order_id"})],
        "request_return": [
            ("search_orders", {"status": "delivered", "product_name": _F["returnable_product"]}),
            ("get_order_details", {"order_id": "$0.orders.0.order_id"}),
            ("request_return", {"order_id": "$0.orders.0.order_id", "product_id": "$1.items.0.product_id",
                                "reason": "damaged"}),
        ],
        "get_return_status": [
            ("search_orders", {"status": "delivered", "product_name": _F["returnable_product"]}),
            ("get_order_details", {"order_id": "$0.orders.0.order_id"}),
            ("request_return", {"order_id": "$0.orders.0.order_id", "product_id": "$1.items.0.product_id",
                                "reason": "no_longer_needed"}),
            ("get_return_status", {"return_id": "$2.return_id"}),
        ],
        "write_product_review": [
            ("search_orders", {"status": "delivered"}),
            ("get_order_details", {"order_id": "$0.orders.0.order_id"}),
            ("write_product_review", {"product_id": "$1.items.0.product_id", "rating": 4,
                                      "text": "Works well, arrived on time."}),
        ],
    },
)
