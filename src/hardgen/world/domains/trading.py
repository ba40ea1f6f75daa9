"""Trading: a brokerage with logins, quotes, watchlists, market and limit orders, positions and cash.

Users name companies ("Northwind Robotics") and amounts; orders need ticker symbols (`NWRB`), a
logged-in account (`login_trading`) and enough cash or shares. Order ids (`ORD-5003`) and watchlist
ids (`WL-12`) are internal. Market orders fill at once at the ask (buy) or bid (sell) and need the
market open; a limit order fills at once when its price crosses the quote, otherwise it stays open,
holding back its cash (buy) or shares (sell) until it is cancelled.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import person_name
from hardgen.world._domain import Chain, Domain, ExampleCall, load_attributes
from hardgen.world._errors import (
    AuthenticationError,
    ConflictError,
    InsufficientFundsError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    NotLoggedInError,
    PermissionDeniedError,
)

_described = with_config(ConfigDict(use_attribute_docstrings=True))

# (company name, symbol, sector, exchange, typical price in USD)
_COMPANIES = (
    ("Northwind Robotics", "NWRB", "Technology", "NASDAQ", 142.0),
    ("Bluefin Logistics", "BFLG", "Industrials", "NYSE", 58.0),
    ("Cedar Health Systems", "CDHS", "Healthcare", "NYSE", 87.0),
    ("Quantum Ridge Semiconductors", "QRSM", "Technology", "NASDAQ", 311.0),
    ("Harbor Lane Foods", "HLFD", "Consumer Staples", "NYSE", 36.0),
    ("Solstice Energy", "SLST", "Energy", "NYSE", 74.0),
    ("Ironvale Mining", "IRVM", "Materials", "NYSE", 23.0),
    ("Aurora Biotech", "AURB", "Healthcare", "NASDAQ", 129.0),
    ("Summit Peak Outdoor", "SMPK", "Consumer Discretionary", "NYSE", 48.0),
    ("Kestrel Aerospace", "KSTA", "Industrials", "NYSE", 205.0),
    ("Lumen Cloud Software", "LMCS", "Technology", "NASDAQ", 412.0),
    ("Redwood Insurance Group", "RWIG", "Financials", "NYSE", 67.0),
    ("Tidewater Utilities", "TDWU", "Utilities", "NYSE", 41.0),
    ("Maple & Oak Retail", "MPOR", "Consumer Discretionary", "NYSE", 29.0),
    ("Stellar Media", "STLM", "Communication Services", "NASDAQ", 95.0),
    ("Granite Bank Holdings", "GRBH", "Financials", "NYSE", 54.0),
    ("Vantage Motors", "VNTM", "Consumer Discretionary", "NASDAQ", 183.0),
    ("Orchid Pharmaceuticals", "ORPH", "Healthcare", "NYSE", 112.0),
    ("Pinecrest Realty Trust", "PCRT", "Real Estate", "NYSE", 33.0),
    ("Nimbus Networks", "NMBN", "Technology", "NASDAQ", 76.0),
    ("Copperline Telecom", "CPLT", "Communication Services", "NYSE", 19.0),
    ("Evergreen Water", "EVGW", "Utilities", "NYSE", 61.0),
    ("Falcon Freight", "FLCF", "Industrials", "NASDAQ", 44.0),
    ("Sapphire Payments", "SPPY", "Financials", "NASDAQ", 238.0),
    ("Wildflower Cosmetics", "WLDC", "Consumer Staples", "NYSE", 52.0),
    ("Atlas Chemical", "ATLC", "Materials", "NYSE", 97.0),
    ("Brightpath Education", "BRPE", "Consumer Discretionary", "NASDAQ", 15.0),
    ("Zenith Solar", "ZNSL", "Energy", "NASDAQ", 27.0),
)
_HISTORY_DAYS = 10
_USERNAME_RE = re.compile(r"[^a-z]")


# -- result records ----------------------------------------------------------------------------------
@_described
class TradingSession(TypedDict):
    account_id: str
    """Internal brokerage account id, e.g. 'ACC-70412'."""
    owner_name: str
    logged_in: bool


@_described
class MarketStatus(TypedDict):
    is_open: bool
    """Whether market orders can be placed now."""
    date: str
    opens_at: str
    closes_at: str
    timezone: str


@_described
class StockMatch(TypedDict):
    symbol: str
    """Ticker symbol, e.g. 'NWRB'; what quotes, watchlists and orders take."""
    company_name: str
    sector: str
    exchange: str


@_described
class StockMatches(TypedDict):
    matches: list[StockMatch]


@_described
class StockQuote(TypedDict):
    symbol: str
    company_name: str
    price: float
    """Last trade price in USD."""
    bid: float
    """Price a market sell fills at."""
    ask: float
    """Price a market buy fills at."""
    previous_close: float
    change_percent: float
    volume: int


@_described
class DailyClose(TypedDict):
    date: str
    close: float


@_described
class PriceHistory(TypedDict):
    symbol: str
    closes: list[DailyClose]
    """Daily closing prices, oldest first."""


@_described
class AccountSummary(TypedDict):
    account_id: str
    owner_name: str
    cash_balance: float
    """Cash in the account, USD."""
    available_cash: float
    """Cash not held back by open limit buy orders: what new buys and withdrawals can use."""
    positions_value: float
    total_value: float
    linked_bank_balance: float
    """Balance of the linked bank account that deposits draw from and withdrawals go to."""


@_described
class Position(TypedDict):
    symbol: str
    quantity: int
    average_cost: float
    current_price: float
    market_value: float
    unrealized_gain: float


@_described
class PositionList(TypedDict):
    positions: list[Position]


@_described
class Watchlist(TypedDict):
    watchlist_id: str
    """Internal watchlist id, e.g. 'WL-12'."""
    name: str
    symbols: list[str]


@_described
class WatchlistList(TypedDict):
    watchlists: list[Watchlist]


@_described
class StockOrder(TypedDict):
    order_id: str
    """Internal order id, e.g. 'ORD-5003'."""
    symbol: str
    side: Literal["buy", "sell"]
    quantity: int
    order_type: Literal["market", "limit"]
    limit_price: float | None
    status: Literal["open", "filled", "cancelled"]
    fill_price: float | None
    """Price per share the order filled at, once filled."""
    placed_on: str


@_described
class StockOrderList(TypedDict):
    orders: list[StockOrder]


@_described
class CashTransfer(TypedDict):
    amount: float
    cash_balance: float
    linked_bank_balance: float


def _money(value: float) -> float:
    return round(value + 0.0, 2)


class TradingAPI:
    """A brokerage: one login at a time, quotes for all, orders and holdings per account."""

    def __init__(self) -> None:
        self.today = "2025-06-02"
        self.market_open = True
        self.stocks: dict[str, dict[str, Any]] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.logged_in_account_id: str | None = None
        self.watchlists: dict[str, dict[str, Any]] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.next_order_number = 5001
        self.next_watchlist_number = 11

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (or a hand-written one of the same shape)."""
        load_attributes(self, state, "trading")

    # -- internal --------------------------------------------------------------------------------
    def _account(self) -> dict[str, Any]:
        if self.logged_in_account_id is None:
            raise NotLoggedInError("not logged in to a trading account; call login_trading first")
        return self.accounts[self.logged_in_account_id]

    def _stock(self, symbol: str) -> dict[str, Any]:
        stock = self.stocks.get(symbol.strip().upper())
        if stock is None:
            raise NotFoundError(f"no stock with symbol {symbol!r}; use find_stock_symbol with the company name")
        return stock

    @staticmethod
    def _ask(stock: dict[str, Any]) -> float:
        return _money(stock["price"] * 1.0005)

    @staticmethod
    def _bid(stock: dict[str, Any]) -> float:
        return _money(stock["price"] * 0.9995)

    def _open_orders(self, account_id: str) -> list[dict[str, Any]]:
        return [o for o in self.orders.values() if o["account_id"] == account_id and o["status"] == "open"]

    def _available_cash(self, account_id: str) -> float:
        held = sum(o["quantity"] * o["limit_price"] for o in self._open_orders(account_id) if o["side"] == "buy")
        return _money(self.accounts[account_id]["cash"] - held)

    def _available_shares(self, account_id: str, symbol: str) -> int:
        owned = self.accounts[account_id]["positions"].get(symbol, {}).get("quantity", 0)
        held = sum(o["quantity"] for o in self._open_orders(account_id) if o["side"] == "sell" and o["symbol"] == symbol)
        return owned - held

    def _own_order(self, order_id: str) -> dict[str, Any]:
        account = self._account()
        order = self.orders.get(order_id)
        if order is None:
            raise NotFoundError(f"no order {order_id!r}; use get_stock_order_history to find order ids")
        if order["account_id"] != account["account_id"]:
            raise PermissionDeniedError(f"order {order_id} belongs to another account")
        return order

    def _own_watchlist(self, watchlist_id: str) -> dict[str, Any]:
        account = self._account()
        watchlist = self.watchlists.get(watchlist_id)
        if watchlist is None:
            raise NotFoundError(f"no watchlist {watchlist_id!r}; use list_watchlists to find watchlist ids")
        if watchlist["account_id"] != account["account_id"]:
            raise PermissionDeniedError(f"watchlist {watchlist_id} belongs to another account")
        return watchlist

    def _fill(self, order: dict[str, Any], price: float) -> None:
        account = self.accounts[order["account_id"]]
        positions = account["positions"]
        quantity = order["quantity"]
        if order["side"] == "buy":
            account["cash"] = _money(account["cash"] - price * quantity)
            held = positions.setdefault(order["symbol"], {"quantity": 0, "average_cost": 0.0})
            total = held["quantity"] + quantity
            held["average_cost"] = _money((held["average_cost"] * held["quantity"] + price * quantity) / total)
            held["quantity"] = total
        else:
            account["cash"] = _money(account["cash"] + price * quantity)
            held = positions[order["symbol"]]
            held["quantity"] -= quantity
            if held["quantity"] == 0:
                del positions[order["symbol"]]
        order["status"] = "filled"
        order["fill_price"] = price

    @staticmethod
    def _order_view(order: dict[str, Any]) -> StockOrder:
        return {k: order[k] for k in StockOrder.__annotations__}  # type: ignore[return-value]

    # -- session ---------------------------------------------------------------------------------
    @tool(mutates=True)
    def login_trading(self, username: str, password: str) -> TradingSession:
        """Log in to a brokerage account. Every account tool (orders, positions, cash, watchlists) needs this first.

        Args:
            username: The account's username, e.g. 'maya.costa'.
            password: The account's password.

        Returns:
            The account now logged in.
        """
        for account in self.accounts.values():
            if account["username"] == username.strip().lower():
                if account["password"] != password:
                    break
                self.logged_in_account_id = account["account_id"]
                return {"account_id": account["account_id"], "owner_name": account["owner_name"], "logged_in": True}
        raise AuthenticationError("username or password is wrong")

    @tool(mutates=True, requires=["login_trading"])
    def logout_trading(self) -> TradingSession:
        """Log out of the brokerage account.

        Returns:
            The account that was logged out, with logged_in false.
        """
        account = self._account()
        self.logged_in_account_id = None
        return {"account_id": account["account_id"], "owner_name": account["owner_name"], "logged_in": False}

    # -- market data -----------------------------------------------------------------------------
    @tool
    def get_market_status(self) -> MarketStatus:
        """Whether the stock market is open now (market orders need it open; limit orders do not).

        Returns:
            Open or closed, today's date and the regular trading hours.
        """
        return {"is_open": bool(self.market_open), "date": self.today, "opens_at": "09:30", "closes_at": "16:00",
                "timezone": "America/New_York"}

    @tool
    def find_stock_symbol(self, company_name: str) -> StockMatches:
        """Look up the ticker symbol of a listed company from (part of) its name.

        Args:
            company_name: Company name or a distinctive part of it, e.g. 'Northwind' or 'Aurora Biotech'.

        Returns:
            Matching companies with their symbols, best match first.
        """
        wanted = company_name.strip().lower()
        if len(wanted) < 3:
            raise InvalidArgumentError("company_name must have at least 3 characters")
        found = [s for s in self.stocks.values() if wanted in s["company_name"].lower()]
        if not found:
            raise NotFoundError(f"no listed company matches {company_name!r}")
        found.sort(key=lambda s: (not s["company_name"].lower().startswith(wanted), s["company_name"]))
        return {"matches": [{"symbol": s["symbol"], "company_name": s["company_name"], "sector": s["sector"],
                             "exchange": s["exchange"]} for s in found]}

    @tool
    def get_stock_quote(self, symbol: str) -> StockQuote:
        """Get the current quote of a stock: last price, bid, ask and change since the previous close.

        Args:
            symbol: Ticker symbol such as 'NWRB' (from find_stock_symbol).

        Returns:
            The quote in USD.
        """
        stock = self._stock(symbol)
        change = (stock["price"] - stock["previous_close"]) / stock["previous_close"] * 100
        return {"symbol": stock["symbol"], "company_name": stock["company_name"], "price": stock["price"],
                "bid": self._bid(stock), "ask": self._ask(stock), "previous_close": stock["previous_close"],
                "change_percent": round(change, 2), "volume": stock["volume"]}

    @tool
    def get_stock_price_history(self, symbol: str, days: int = 5) -> PriceHistory:
        """Daily closing prices of a stock for the last trading days.

        Args:
            symbol: Ticker symbol such as 'NWRB'.
            days: Number of trading days, 1 to 10.

        Returns:
            The closes, oldest first.
        """
        if not 1 <= days <= _HISTORY_DAYS:
            raise InvalidArgumentError(f"days must be between 1 and {_HISTORY_DAYS}, got {days}")
        stock = self._stock(symbol)
        return {"symbol": stock["symbol"], "closes": [dict(c) for c in stock["history"][-days:]]}  # type: ignore[misc]

    # -- account ---------------------------------------------------------------------------------
    @tool(requires=["login_trading"])
    def get_trading_account_summary(self) -> AccountSummary:
        """Cash, available cash, holdings value and total value of the logged-in account. Requires login_trading.

        Returns:
            The account summary in USD.
        """
        account = self._account()
        value = sum(p["quantity"] * self.stocks[s]["price"] for s, p in account["positions"].items())
        return {"account_id": account["account_id"], "owner_name": account["owner_name"],
                "cash_balance": _money(account["cash"]), "available_cash": self._available_cash(account["account_id"]),
                "positions_value": _money(value), "total_value": _money(account["cash"] + value),
                "linked_bank_balance": _money(account["linked_bank_balance"])}

    @tool(requires=["login_trading"])
    def get_portfolio_positions(self) -> PositionList:
        """The stocks held by the logged-in account with cost, value and gain. Requires login_trading.

        Returns:
            Positions by symbol.
        """
        account = self._account()
        positions: list[Position] = []
        for symbol in sorted(account["positions"]):
            held = account["positions"][symbol]
            price = self.stocks[symbol]["price"]
            positions.append({
                "symbol": symbol, "quantity": held["quantity"], "average_cost": held["average_cost"],
                "current_price": price, "market_value": _money(price * held["quantity"]),
                "unrealized_gain": _money((price - held["average_cost"]) * held["quantity"]),
            })
        return {"positions": positions}

    @tool(mutates=True, requires=["login_trading"])
    def deposit_trading_funds(self, amount: float) -> CashTransfer:
        """Move cash from the linked bank account into the trading account. Requires login_trading.

        Args:
            amount: USD to deposit, more than 0.

        Returns:
            The new cash and linked bank balances.
        """
        account = self._account()
        if amount <= 0:
            raise InvalidArgumentError(f"amount must be positive, got {amount}")
        amount = _money(amount)
        if amount > account["linked_bank_balance"]:
            raise InsufficientFundsError(
                f"the linked bank account has only {account['linked_bank_balance']:.2f} USD; cannot deposit {amount:.2f}"
            )
        account["linked_bank_balance"] = _money(account["linked_bank_balance"] - amount)
        account["cash"] = _money(account["cash"] + amount)
        return {"amount": amount, "cash_balance": account["cash"], "linked_bank_balance": account["linked_bank_balance"]}

    @tool(mutates=True, requires=["login_trading"])
    def withdraw_trading_funds(self, amount: float) -> CashTransfer:
        """Move available cash from the trading account to the linked bank account. Requires login_trading.

        Cash held back by open limit buy orders cannot be withdrawn; cancel those orders first.

        Args:
            amount: USD to withdraw, more than 0 and at most the available cash.

        Returns:
            The new cash and linked bank balances.
        """
        account = self._account()
        if amount <= 0:
            raise InvalidArgumentError(f"amount must be positive, got {amount}")
        amount = _money(amount)
        available = self._available_cash(account["account_id"])
        if amount > available:
            raise InsufficientFundsError(f"only {available:.2f} USD is available to withdraw; asked for {amount:.2f}")
        account["cash"] = _money(account["cash"] - amount)
        account["linked_bank_balance"] = _money(account["linked_bank_balance"] + amount)
        return {"amount": amount, "cash_balance": account["cash"], "linked_bank_balance": account["linked_bank_balance"]}

    # -- watchlists ------------------------------------------------------------------------------
    @tool(requires=["login_trading"])
    def list_watchlists(self) -> WatchlistList:
        """The logged-in account's watchlists with their symbols. Requires login_trading.

        Returns:
            Watchlists with watchlist_id, name and symbols.
        """
        account = self._account()
        found = [w for w in self.watchlists.values() if w["account_id"] == account["account_id"]]
        found.sort(key=lambda w: int(w["watchlist_id"].split("-")[1]))
        return {"watchlists": [{"watchlist_id": w["watchlist_id"], "name": w["name"], "symbols": list(w["symbols"])}
                               for w in found]}

    @tool(mutates=True, requires=["login_trading"])
    def create_watchlist(self, name: str) -> Watchlist:
        """Create an empty watchlist on the logged-in account. Requires login_trading.

        Args:
            name: Watchlist name, 1-40 characters, unique on the account, e.g. 'Clean energy'.

        Returns:
            The new watchlist with its watchlist_id.
        """
        account = self._account()
        clean = " ".join(name.split())
        if not 1 <= len(clean) <= 40:
            raise InvalidArgumentError("watchlist name must have 1 to 40 characters")
        for w in self.watchlists.values():
            if w["account_id"] == account["account_id"] and w["name"].lower() == clean.lower():
                raise ConflictError(f"a watchlist named {clean!r} already exists ({w['watchlist_id']})")
        watchlist_id = f"WL-{self.next_watchlist_number}"
        self.next_watchlist_number += 1
        self.watchlists[watchlist_id] = {"watchlist_id": watchlist_id, "account_id": account["account_id"],
                                         "name": clean, "symbols": []}
        return {"watchlist_id": watchlist_id, "name": clean, "symbols": []}

    @tool(mutates=True, requires=["login_trading"])
    def add_symbol_to_watchlist(self, watchlist_id: str, symbol: str) -> Watchlist:
        """Add a stock to one of the logged-in account's watchlists. Requires login_trading.

        Args:
            watchlist_id: Watchlist id such as 'WL-12' (from list_watchlists or create_watchlist).
            symbol: Ticker symbol such as 'NWRB'.

        Returns:
            The watchlist after the change.
        """
        watchlist = self._own_watchlist(watchlist_id)
        stock = self._stock(symbol)
        if stock["symbol"] in watchlist["symbols"]:
            raise ConflictError(f"{stock['symbol']} is already on watchlist {watchlist_id}")
        watchlist["symbols"].append(stock["symbol"])
        return {"watchlist_id": watchlist_id, "name": watchlist["name"], "symbols": list(watchlist["symbols"])}

    @tool(mutates=True, requires=["login_trading"])
    def remove_symbol_from_watchlist(self, watchlist_id: str, symbol: str) -> Watchlist:
        """Remove a stock from one of the logged-in account's watchlists. Requires login_trading.

        Args:
            watchlist_id: Watchlist id such as 'WL-12'.
            symbol: Ticker symbol on that watchlist.

        Returns:
            The watchlist after the change.
        """
        watchlist = self._own_watchlist(watchlist_id)
        wanted = symbol.strip().upper()
        if wanted not in watchlist["symbols"]:
            raise NotFoundError(f"{wanted} is not on watchlist {watchlist_id}; it holds {watchlist['symbols']}")
        watchlist["symbols"].remove(wanted)
        return {"watchlist_id": watchlist_id, "name": watchlist["name"], "symbols": list(watchlist["symbols"])}

    # -- orders ----------------------------------------------------------------------------------
    @tool(mutates=True, requires=["login_trading"])
    def place_stock_order(
        self,
        symbol: str,
        side: Literal["buy", "sell"],
        quantity: int,
        order_type: Literal["market", "limit"] = "market",
        limit_price: float | None = None,
    ) -> StockOrder:
        """Buy or sell shares for the logged-in account. Requires login_trading.

        A market order fills now at the ask (buy) or bid (sell) and needs the market open. A limit order
        needs limit_price: it fills now when the market is open and the price is at or better than the
        limit, and otherwise stays open, holding back its cash or shares until cancel_stock_order.

        Args:
            symbol: Ticker symbol such as 'NWRB' (from find_stock_symbol).
            side: 'buy' or 'sell'.
            quantity: Whole number of shares, 1 to 100000.
            order_type: 'market' (default) or 'limit'.
            limit_price: Highest price to pay (buy) or lowest to accept (sell), USD; only for limit orders.

        Returns:
            The order with its order_id, status and fill price if filled.
        """
        account = self._account()
        stock = self._stock(symbol)
        if not 1 <= quantity <= 100_000:
            raise InvalidArgumentError(f"quantity must be a whole number from 1 to 100000, got {quantity}")
        if order_type == "limit":
            if limit_price is None or limit_price <= 0:
                raise InvalidArgumentError("a limit order needs a positive limit_price")
            limit_price = _money(limit_price)
        elif limit_price is not None:
            raise InvalidArgumentError("limit_price is only for limit orders; omit it or set order_type='limit'")
        elif not self.market_open:
            raise InvalidStateError("the market is closed: market orders are refused; place a limit order instead")
        account_id = account["account_id"]
        price = self._ask(stock) if side == "buy" else self._bid(stock)
        if side == "buy":
            needed = _money(quantity * (limit_price if limit_price is not None else price))
            available = self._available_cash(account_id)
            if needed > available:
                raise InsufficientFundsError(
                    f"buying {quantity} {stock['symbol']} needs {needed:.2f} USD but only {available:.2f} is available; "
                    "deposit_trading_funds or buy fewer shares"
                )
        else:
            owned = self._available_shares(account_id, stock["symbol"])
            if quantity > owned:
                raise InsufficientFundsError(f"cannot sell {quantity} {stock['symbol']}: only {owned} shares available")
        order_id = f"ORD-{self.next_order_number}"
        self.next_order_number += 1
        order = {
            "order_id": order_id, "account_id": account_id, "symbol": stock["symbol"], "side": side,
            "quantity": quantity, "order_type": order_type, "limit_price": limit_price, "status": "open",
            "fill_price": None, "placed_on": self.today,
        }
        self.orders[order_id] = order
        crosses = limit_price is None or (price <= limit_price if side == "buy" else price >= limit_price)
        if self.market_open and crosses:
            self._fill(order, price)
        return self._order_view(order)

    @tool(requires=["login_trading"])
    def get_stock_order_status(self, order_id: str) -> StockOrder:
        """Get one order of the logged-in account. Requires login_trading.

        Args:
            order_id: Order id such as 'ORD-5003'.

        Returns:
            The order with its status and fill price.
        """
        return self._order_view(self._own_order(order_id))

    @tool(mutates=True, requires=["login_trading"])
    def cancel_stock_order(self, order_id: str) -> StockOrder:
        """Cancel an open (unfilled) limit order of the logged-in account, releasing its cash or shares.

        Requires login_trading. Filled or already cancelled orders cannot be cancelled.

        Args:
            order_id: Order id such as 'ORD-5003' (from place_stock_order or get_stock_order_history).

        Returns:
            The order, now cancelled.
        """
        order = self._own_order(order_id)
        if order["status"] != "open":
            raise InvalidStateError(f"order {order_id} is {order['status']}; only open orders can be cancelled")
        order["status"] = "cancelled"
        return self._order_view(order)

    @tool(requires=["login_trading"])
    def get_stock_order_history(
        self, status: Literal["open", "filled", "cancelled"] | None = None, symbol: str | None = None
    ) -> StockOrderList:
        """The logged-in account's orders, newest first, optionally filtered. Requires login_trading.

        Args:
            status: Only orders in this status. Omit for all.
            symbol: Only orders for this ticker symbol. Omit for all.

        Returns:
            The orders.
        """
        account = self._account()
        wanted = self._stock(symbol)["symbol"] if symbol is not None else None
        found = [
            o for o in self.orders.values()
            if o["account_id"] == account["account_id"] and (status is None or o["status"] == status)
            and (wanted is None or o["symbol"] == wanted)
        ]
        found.sort(key=lambda o: -int(o["order_id"].split("-")[1]))
        return {"orders": [self._order_view(o) for o in found]}


# -- world generation --------------------------------------------------------------------------------
def generate_state(seed: int) -> dict[str, Any]:
    """28 listed stocks with 10 days of history, 3-5 accounts with cash, positions, watchlists and
    orders (some open limit orders); deterministic for `seed`."""
    rng = random.Random(f"trading:{seed}")
    today = dt.date(2025, 6, 2)
    trading_days = [d for d in (today - dt.timedelta(days=i) for i in range(1, 20)) if d.weekday() < 5][:_HISTORY_DAYS]
    stocks: dict[str, dict[str, Any]] = {}
    for company, symbol, sector, exchange, typical in _COMPANIES:
        price = typical * rng.uniform(0.7, 1.3)
        closes: list[dict[str, Any]] = []
        for day in reversed(trading_days):
            price *= rng.uniform(0.96, 1.04)
            closes.append({"date": day.isoformat(), "close": _money(price)})
        previous = closes[-1]["close"]
        stocks[symbol] = {
            "symbol": symbol, "company_name": company, "sector": sector, "exchange": exchange,
            "price": _money(previous * rng.uniform(0.97, 1.03)), "previous_close": previous,
            "volume": rng.randrange(50_000, 9_000_000), "history": closes,
        }
    api = TradingAPI()
    api.stocks = stocks
    api.today = today.isoformat()
    symbols = sorted(stocks)
    names = list(dict.fromkeys(person_name(i) for i in rng.sample(range(300), 6)))[: rng.randint(3, 5)]
    for name in names:
        account_id = f"ACC-{rng.randrange(10000, 100000)}"
        first, last = name.lower().split(" ", 1)
        api.accounts[account_id] = {
            "account_id": account_id, "owner_name": name, "username": f"{first}.{_USERNAME_RE.sub('', last)}",
            "password": f"Tr4de-{rng.randrange(1000, 10000)}", "cash": _money(rng.uniform(6000, 40000)),
            "linked_bank_balance": _money(rng.uniform(1000, 25000)), "positions": {},
        }
        api.logged_in_account_id = account_id
        for symbol in rng.sample(symbols, rng.randint(2, 6)):  # past buys (they fill: the market is open)
            affordable = int(api._available_cash(account_id) * 0.2 / api._ask(stocks[symbol]))
            if affordable >= 1:
                api.place_stock_order(symbol, "buy", min(rng.randint(2, 40), affordable))
        held = sorted(api.accounts[account_id]["positions"])
        if held:
            api.place_stock_order(held[0], "sell", 1)
        for symbol in rng.sample(symbols, 2):  # resting limit buys below the market
            limit = _money(stocks[symbol]["price"] * 0.9)
            api.place_stock_order(symbol, "buy", max(1, min(rng.randint(1, 10), int(api._available_cash(account_id) * 0.2 / limit))),
                                  "limit", limit)
        api.cancel_stock_order(f"ORD-{api.next_order_number - 1}")
        for watch_name in rng.sample(("Tech", "Dividends", "Long term", "Speculative", "Energy"), rng.randint(1, 2)):
            watchlist = api.create_watchlist(watch_name)
            for symbol in rng.sample(symbols, rng.randint(2, 5)):
                api.add_symbol_to_watchlist(watchlist["watchlist_id"], symbol)
    api.logged_in_account_id = None
    return {
        "today": api.today, "market_open": True, "stocks": stocks, "accounts": api.accounts,
        "logged_in_account_id": None, "watchlists": api.watchlists, "orders": api.orders,
        "next_order_number": api.next_order_number, "next_watchlist_number": api.next_watchlist_number,
    }



def crowd_state(state: dict[str, Any], seed: int) -> dict[str, Any]:
    """`state` with a year of older orders on every account: round trips (a market buy, and later
    a sale of the same shares, so today's positions stay what they are) and limit orders cancelled
    before they filled, at prices around each stock's. Their ids sort below the first order, in
    date order; the next order number is unchanged."""
    rng = random.Random(f"trading-crowd:{seed}")
    today = dt.date.fromisoformat(state["today"])
    symbols = sorted(state["stocks"])
    older: list[dict[str, Any]] = []

    def order(account_id: str, symbol: str, side: str, quantity: int, day: dt.date, kind: str = "market",
              limit: float | None = None, status: str = "filled", price: float | None = None) -> None:
        older.append({"account_id": account_id, "symbol": symbol, "side": side, "quantity": quantity,
                      "order_type": kind, "limit_price": limit, "status": status,
                      "fill_price": price if status == "filled" else None, "placed_on": day.isoformat()})

    for account_id in state["accounts"]:
        for _ in range(rng.randrange(8, 14)):
            symbol = rng.choice(symbols)
            price = state["stocks"][symbol]["price"] * rng.uniform(0.6, 1.2)
            bought = today - dt.timedelta(days=rng.randrange(40, 365))
            sold = bought + dt.timedelta(days=rng.randrange(3, 35))
            quantity = rng.randrange(2, 40)
            order(account_id, symbol, "buy", quantity, bought, price=_money(price))
            order(account_id, symbol, "sell", quantity, sold, price=_money(price * rng.uniform(0.85, 1.25)))
        for _ in range(rng.randrange(2, 5)):
            symbol = rng.choice(symbols)
            limit = _money(state["stocks"][symbol]["price"] * rng.uniform(0.7, 0.95))
            order(account_id, symbol, "buy", rng.randrange(1, 15), today - dt.timedelta(days=rng.randrange(20, 300)),
                  "limit", limit, "cancelled")
    older.sort(key=lambda o: (o["placed_on"], o["side"] == "sell"), reverse=True)
    first = min(int(o.split("-")[1]) for o in state["orders"]) if state["orders"] else 5001
    history = {}
    for n, record in enumerate(older):
        order_id = f"ORD-{first - 1 - n}"
        history[order_id] = {"order_id": order_id, **record}
    state["orders"] = {**dict(reversed(history.items())), **state["orders"]}
    return state

# -- examples (from the seed-0 world) ---------------------------------------------------------------
def _examples() -> dict[str, list[ExampleCall]]:
    state = generate_state(0)
    account = min(state["accounts"].values(), key=lambda a: a["account_id"])
    login: ExampleCall = ("login_trading", {"username": account["username"], "password": account["password"]})
    held = sorted(account["positions"])[0]
    open_order = next(o for o in state["orders"].values() if o["account_id"] == account["account_id"] and o["status"] == "open")
    watchlist = next(w for w in state["watchlists"].values() if w["account_id"] == account["account_id"])
    missing = next(s for s in sorted(state["stocks"]) if s not in watchlist["symbols"])
    find = ("find_stock_symbol", {"company_name": "Northwind"})
    return {
        "login_trading": [login],
        "logout_trading": [login, ("logout_trading", {})],
        "get_market_status": [("get_market_status", {})],
        "find_stock_symbol": [find],
        "get_stock_quote": [find, ("get_stock_quote", {"symbol": "$0.matches.0.symbol"})],
        "get_stock_price_history": [find, ("get_stock_price_history", {"symbol": "$0.matches.0.symbol", "days": 5})],
        "get_trading_account_summary": [login, ("get_trading_account_summary", {})],
        "get_portfolio_positions": [login, ("get_portfolio_positions", {})],
        "deposit_trading_funds": [login, ("deposit_trading_funds", {"amount": 500.0})],
        "withdraw_trading_funds": [login, ("withdraw_trading_funds", {"amount": 250.0})],
        "list_watchlists": [login, ("list_watchlists", {})],
        "create_watchlist": [login, ("create_watchlist", {"name": "Clean energy"})],
        "add_symbol_to_watchlist": [
            login, ("list_watchlists", {}),
            ("add_symbol_to_watchlist", {"watchlist_id": "$1.watchlists.0.watchlist_id", "symbol": missing}),
        ],
        "remove_symbol_from_watchlist": [
            login, ("list_watchlists", {}),
            ("remove_symbol_from_watchlist", {"watchlist_id": "$1.watchlists.0.watchlist_id",
                                              "symbol": "$1.watchlists.0.symbols.0"}),
        ],
        "place_stock_order": [
            login, find,
            ("place_stock_order", {"symbol": "$1.matches.0.symbol", "side": "buy", "quantity": 3, "order_type": "market"}),
        ],
        "get_stock_order_status": [login, ("get_stock_order_status", {"order_id": open_order["order_id"]})],
        "cancel_stock_order": [
            login, ("get_stock_order_history", {"status": "open"}),
            ("cancel_stock_order", {"order_id": "$1.orders.0.order_id"}),
        ],
        "get_stock_order_history": [login, ("get_stock_order_history", {"symbol": held})],
    }


DOMAIN = Domain(
    name="trading",
    description="Stock brokerage: login, market status, symbol lookup by company name, quotes and price "
    "history, watchlists, market and limit orders with cash and share checks, order status, cancellation "
    "and history, portfolio positions, deposits and withdrawals.",
    environment_class=TradingAPI,
    generate_state=generate_state,
    crowd=crowd_state,
    chains=(
        Chain("buy_by_company_name", "Log in, find a company's symbol, quote it, buy shares of it.",
              ("login_trading", "find_stock_symbol", "get_stock_quote", "place_stock_order")),
        Chain("limit_then_cancel", "Log in, place a limit buy below the market (stays open), cancel it by its order id.",
              ("login_trading", "place_stock_order", "get_stock_order_status", "cancel_stock_order")),
        Chain("fund_then_buy", "Log in, check available cash, deposit from the bank, buy what cash did not cover.",
              ("login_trading", "get_trading_account_summary", "deposit_trading_funds", "place_stock_order")),
        Chain("sell_a_holding", "Log in, read the positions, sell the shares of one of them.",
              ("login_trading", "get_portfolio_positions", "place_stock_order")),
        Chain("watch_a_company", "Log in, create a watchlist, look up a company's symbol, add it to the new list.",
              ("login_trading", "create_watchlist", "find_stock_symbol", "add_symbol_to_watchlist")),
        Chain("free_cash_to_withdraw", "Log in, find open buy orders, cancel them, withdraw the released cash.",
              ("login_trading", "get_stock_order_history", "cancel_stock_order", "withdraw_trading_funds")),
    ),
    examples=_examples(),
)
