"""A small stateful shop used by the graph tests: known prerequisites and known data flow.

Ground truth the tests rely on:
- state prerequisites: `login` before `add_to_cart`, `place_order` and `send_message`;
  `add_to_cart` before `place_order` (the cart must not be empty).
- data flow: `list_products`/`search_catalog` -> `product_id`; `place_order` -> `order_id` of
  `get_order`/`cancel_order`; `list_contacts` -> `recipient_id` of `send_message`.
- a misleading name: `open_catalog` looks like an opener for `search_catalog`, but is not needed.
"""

from __future__ import annotations

import copy
from typing import Any, TypedDict

from hardgen.tools import tool


class ShopError(Exception):
    pass


class NotLoggedInError(ShopError):
    pass


class NotFoundError(ShopError):
    pass


class InvalidStateError(ShopError):
    pass


class Product(TypedDict):
    product_id: str
    name: str
    price: float
    stock: int


class Contact(TypedDict):
    contact_id: str
    name: str


class Cart(TypedDict):
    items: list[dict[str, Any]]
    total: float


class Order(TypedDict):
    order_id: str
    status: str
    total: float


class Session(TypedDict):
    username: str
    session_token: str


class Message(TypedDict):
    message_id: str
    recipient_id: str
    text: str


def toy_state(seed: int = 0) -> dict[str, Any]:
    """The initial state: one account, three products, two contacts, no orders."""
    return {
        "account": {"username": "ann", "password": f"pw-{seed}"},
        "products": {
            f"P{100 + i}": {"product_id": f"P{100 + i}", "name": name, "price": price, "stock": 5}
            for i, (name, price) in enumerate((("lamp", 20.0), ("desk", 150.0), ("chair", 80.0)))
        },
        "contacts": {"C1": {"contact_id": "C1", "name": "Bob"}, "C2": {"contact_id": "C2", "name": "Cy"}},
    }


class ToyShop:
    """A shop: products, a cart, orders and messages, behind a login."""

    def __init__(self) -> None:
        self.account: dict[str, str] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.cart: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.logged_in = False
        self.catalog_open = False

    def load_state(self, state: dict[str, Any]) -> None:
        state = copy.deepcopy(state)
        self.account = state.get("account", {})
        self.products = state.get("products", {})
        self.contacts = state.get("contacts", {})

    def _need_login(self) -> None:
        if not self.logged_in:
            raise NotLoggedInError("log in first")

    @tool(mutates=True)
    def login(self, username: str, password: str) -> Session:
        """Log in to the shop.

        Args:
            username: The account's username.
            password: The account's password.
        """
        if username != self.account.get("username") or password != self.account.get("password"):
            raise ShopError("wrong username or password")
        self.logged_in = True
        return {"username": username, "session_token": "tok-" + username}

    @tool
    def list_products(self) -> list[Product]:
        """List the products for sale."""
        return [dict(p) for p in self.products.values()]  # type: ignore[misc]

    @tool
    def get_product(self, product_id: str) -> Product:
        """Details of one product.

        Args:
            product_id: The product's id.
        """
        if product_id not in self.products:
            raise NotFoundError(f"no product {product_id!r}")
        return dict(self.products[product_id])  # type: ignore[return-value]

    @tool(mutates=True)
    def open_catalog(self) -> dict[str, bool]:
        """Open the printed catalog view (cosmetic)."""
        self.catalog_open = True
        return {"catalog_open": True}

    @tool
    def search_catalog(self, query: str) -> list[Product]:
        """Search the catalog for products whose name contains the query.

        Args:
            query: Text to look for in product names.
        """
        return [dict(p) for p in self.products.values() if query.lower() in p["name"]] or \
            [dict(p) for p in self.products.values()][:1]  # type: ignore[misc]

    @tool(mutates=True, requires=["login"])
    def add_to_cart(self, product_id: str, quantity: int = 1) -> Cart:
        """Put a product in the cart.

        Args:
            product_id: The product's id.
            quantity: How many.
        """
        self._need_login()
        if product_id not in self.products:
            raise NotFoundError(f"no product {product_id!r}")
        self.cart.append({"product_id": product_id, "quantity": quantity})
        return {"items": list(self.cart), "total": self._total()}

    def _total(self) -> float:
        return round(sum(self.products[i["product_id"]]["price"] * i["quantity"] for i in self.cart), 2)

    @tool(mutates=True, requires=["login"])
    def place_order(self) -> Order:
        """Order what is in the cart."""
        self._need_login()
        if not self.cart:
            raise InvalidStateError("the cart is empty; add products first")
        order_id = f"O{len(self.orders) + 1:03d}"
        self.orders[order_id] = {"order_id": order_id, "status": "placed", "total": self._total()}
        self.cart = []
        return dict(self.orders[order_id])  # type: ignore[return-value]

    @tool
    def get_order(self, order_id: str) -> Order:
        """Status of an order.

        Args:
            order_id: The order's id.
        """
        if order_id not in self.orders:
            raise NotFoundError(f"no order {order_id!r}")
        return dict(self.orders[order_id])  # type: ignore[return-value]

    @tool(mutates=True)
    def cancel_order(self, order_id: str) -> Order:
        """Cancel an order that has not shipped.

        Args:
            order_id: The order's id.
        """
        if order_id not in self.orders:
            raise NotFoundError(f"no order {order_id!r}")
        self.orders[order_id]["status"] = "cancelled"
        return dict(self.orders[order_id])  # type: ignore[return-value]

    @tool
    def list_contacts(self) -> list[Contact]:
        """People the account can message."""
        return [dict(c) for c in self.contacts.values()]  # type: ignore[misc]

    @tool(mutates=True, requires=["login"])
    def send_message(self, recipient_id: str, text: str) -> Message:
        """Send a message to a contact.

        Args:
            recipient_id: The contact id of the person who receives the message.
            text: The message.
        """
        self._need_login()
        if recipient_id not in self.contacts:
            raise NotFoundError(f"no contact {recipient_id!r}")
        msg = {"message_id": f"M{len(self.messages) + 1}", "recipient_id": recipient_id, "text": text}
        self.messages.append(msg)
        return dict(msg)  # type: ignore[return-value]


def toy_spec(seed: int = 0) -> Any:
    from hardgen.schema import EnvironmentSpec

    return EnvironmentSpec(name="shop", kind="class", target="graph_toy_shop:ToyShop", initial_state=toy_state(seed),
                           loader="load_state", seed=seed)
