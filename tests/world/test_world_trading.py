"""The trading domain: login-gated orders move real cash and shares; failures are typed observations."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session, class_environment
from hardgen.world import default_world, get_domain
from hardgen.world.domains.trading import TradingAPI

DOMAIN = get_domain("trading")


@pytest.fixture
def world() -> Session:
    return default_world(0, domains=["trading"], timeout=None)


def accounts(session: Session) -> list[dict[str, Any]]:
    state = session.environment_of("login_trading").instance.accounts
    return sorted(state.values(), key=lambda a: a["account_id"])


def login(session: Session, index: int = 0) -> dict[str, Any]:
    account = accounts(session)[index]
    result = ok(session, "login_trading", username=account["username"], password=account["password"])
    assert result["account_id"] == account["account_id"]
    return account


def test_buy_by_company_name_moves_cash_into_a_position(world: Session) -> None:
    login(world)
    symbol = ok(world, "find_stock_symbol", company_name="aurora")["matches"][0]["symbol"]
    assert symbol == "AURB"
    quote = ok(world, "get_stock_quote", symbol=symbol)
    before = ok(world, "get_trading_account_summary")
    held_before = {p["symbol"]: p["quantity"] for p in ok(world, "get_portfolio_positions")["positions"]}
    order = ok(world, "place_stock_order", symbol=symbol, side="buy", quantity=4)
    assert order["status"] == "filled" and order["fill_price"] == quote["ask"]
    after = ok(world, "get_trading_account_summary")
    assert after["cash_balance"] == pytest.approx(before["cash_balance"] - 4 * quote["ask"])
    held_after = {p["symbol"]: p["quantity"] for p in ok(world, "get_portfolio_positions")["positions"]}
    assert held_after[symbol] == held_before.get(symbol, 0) + 4
    assert ok(world, "get_stock_order_status", order_id=order["order_id"])["status"] == "filled"


def test_open_limit_order_holds_cash_until_cancelled(world: Session) -> None:
    login(world)
    quote = ok(world, "get_stock_quote", symbol="NWRB")
    limit = round(quote["price"] * 0.8, 2)
    available = ok(world, "get_trading_account_summary")["available_cash"]
    order = ok(world, "place_stock_order", symbol="NWRB", side="buy", quantity=5, order_type="limit", limit_price=limit)
    assert order["status"] == "open" and order["fill_price"] is None
    assert ok(world, "get_stock_order_status", order_id=order["order_id"])["limit_price"] == limit
    assert ok(world, "get_trading_account_summary")["available_cash"] == pytest.approx(available - 5 * limit)
    assert order["order_id"] in [o["order_id"] for o in ok(world, "get_stock_order_history", status="open")["orders"]]
    assert ok(world, "cancel_stock_order", order_id=order["order_id"])["status"] == "cancelled"
    assert ok(world, "get_trading_account_summary")["available_cash"] == pytest.approx(available)
    assert error_type(world, "cancel_stock_order", order_id=order["order_id"]) == "InvalidStateError"
    crossing = ok(world, "place_stock_order", symbol="NWRB", side="buy", quantity=1, order_type="limit",
                  limit_price=round(quote["ask"] + 1, 2))
    assert crossing["status"] == "filled" and crossing["fill_price"] == quote["ask"]
    assert error_type(world, "cancel_stock_order", order_id=crossing["order_id"]) == "InvalidStateError"


def test_deposit_covers_a_buy_that_lacked_cash(world: Session) -> None:
    login(world)
    summary = ok(world, "get_trading_account_summary")
    ask = ok(world, "get_stock_quote", symbol="LMCS")["ask"]
    shares = int(summary["available_cash"] // ask) + 1
    assert error_type(world, "place_stock_order", symbol="LMCS", side="buy", quantity=shares) == "InsufficientFundsError"
    shortfall = round(shares * ask - summary["available_cash"] + 1, 2)
    assert shortfall <= summary["linked_bank_balance"], "the seed-0 bank must cover one share's shortfall"
    deposit = ok(world, "deposit_trading_funds", amount=shortfall)
    assert deposit["cash_balance"] == pytest.approx(summary["cash_balance"] + shortfall)
    assert ok(world, "place_stock_order", symbol="LMCS", side="buy", quantity=shares)["status"] == "filled"
    too_much = ok(world, "get_trading_account_summary")["linked_bank_balance"] + 1
    assert error_type(world, "deposit_trading_funds", amount=too_much) == "InsufficientFundsError"
    assert error_type(world, "deposit_trading_funds", amount=-5.0) == "InvalidArgumentError"


def test_selling_needs_the_shares(world: Session) -> None:
    login(world)
    position = ok(world, "get_portfolio_positions")["positions"][0]
    assert error_type(world, "place_stock_order", symbol=position["symbol"], side="sell",
                      quantity=position["quantity"] + 1) == "InsufficientFundsError"
    bid = ok(world, "get_stock_quote", symbol=position["symbol"])["bid"]
    cash = ok(world, "get_trading_account_summary")["cash_balance"]
    sold = ok(world, "place_stock_order", symbol=position["symbol"], side="sell", quantity=position["quantity"])
    assert sold["fill_price"] == bid
    assert position["symbol"] not in [p["symbol"] for p in ok(world, "get_portfolio_positions")["positions"]]
    assert ok(world, "get_trading_account_summary")["cash_balance"] == pytest.approx(cash + bid * position["quantity"])


def test_watchlist_chain_and_ownership(world: Session) -> None:
    login(world)
    watchlist = ok(world, "create_watchlist", name="Clean energy")
    symbol = ok(world, "find_stock_symbol", company_name="Zenith Solar")["matches"][0]["symbol"]
    assert ok(world, "add_symbol_to_watchlist", watchlist_id=watchlist["watchlist_id"], symbol=symbol)["symbols"] == [symbol]
    assert error_type(world, "add_symbol_to_watchlist", watchlist_id=watchlist["watchlist_id"], symbol=symbol) == "ConflictError"
    assert error_type(world, "create_watchlist", name="clean  ENERGY") == "ConflictError"
    assert ok(world, "remove_symbol_from_watchlist", watchlist_id=watchlist["watchlist_id"], symbol=symbol)["symbols"] == []
    assert error_type(world, "remove_symbol_from_watchlist", watchlist_id=watchlist["watchlist_id"], symbol=symbol) == "NotFoundError"
    mine = {w["watchlist_id"] for w in ok(world, "list_watchlists")["watchlists"]}
    instance = world.environment_of("list_watchlists").instance
    other = next(w for w in instance.watchlists if w not in mine)
    assert error_type(world, "add_symbol_to_watchlist", watchlist_id=other, symbol=symbol) == "PermissionDeniedError"
    other_order = next(o for o in instance.orders.values() if o["account_id"] != accounts(world)[0]["account_id"])
    assert error_type(world, "get_stock_order_status", order_id=other_order["order_id"]) == "PermissionDeniedError"


def test_withdraw_only_available_cash_and_login_is_required(world: Session) -> None:
    assert error_type(world, "get_portfolio_positions") == "NotLoggedInError"
    assert error_type(world, "place_stock_order", symbol="NWRB", side="buy", quantity=1) == "NotLoggedInError"
    account = accounts(world)[0]
    assert error_type(world, "login_trading", username=account["username"], password="wrong") == "AuthenticationError"
    login(world)
    summary = ok(world, "get_trading_account_summary")
    assert error_type(world, "withdraw_trading_funds", amount=summary["available_cash"] + 1) == "InsufficientFundsError"
    for order in ok(world, "get_stock_order_history", status="open")["orders"]:
        ok(world, "cancel_stock_order", order_id=order["order_id"])
    freed = ok(world, "get_trading_account_summary")["available_cash"]
    assert freed == summary["cash_balance"]
    assert ok(world, "withdraw_trading_funds", amount=freed)["cash_balance"] == 0
    ok(world, "logout_trading")
    assert error_type(world, "get_trading_account_summary") == "NotLoggedInError"


def test_closed_market_refuses_market_orders_but_keeps_limit_orders_open() -> None:
    state = DOMAIN.generate_state(0)
    state["market_open"] = False
    env = class_environment(TradingAPI, state, name="trading", loader="load_state", timeout=None)
    account = min(state["accounts"].values(), key=lambda a: a["account_id"])
    ok(env, "login_trading", username=account["username"], password=account["password"])
    assert ok(env, "get_market_status")["is_open"] is False
    assert error_type(env, "place_stock_order", symbol="NWRB", side="buy", quantity=1) == "InvalidStateError"
    price = ok(env, "get_stock_quote", symbol="NWRB")["ask"]
    order = ok(env, "place_stock_order", symbol="NWRB", side="buy", quantity=1, order_type="limit", limit_price=price + 5)
    assert order["status"] == "open"


def test_lookup_and_argument_errors_are_typed(world: Session) -> None:
    assert error_type(world, "find_stock_symbol", company_name="Acme Rockets") == "NotFoundError"
    assert error_type(world, "get_stock_quote", symbol="ZZZZ") == "NotFoundError"
    assert error_type(world, "get_stock_price_history", symbol="NWRB", days=30) == "InvalidArgumentError"
    closes = ok(world, "get_stock_price_history", symbol="NWRB", days=3)["closes"]
    assert len(closes) == 3 and closes[0]["date"] < closes[-1]["date"]
    login(world)
    assert error_type(world, "place_stock_order", symbol="NWRB", side="buy", quantity=1, order_type="limit") == "InvalidArgumentError"
    assert error_type(world, "place_stock_order", symbol="NWRB", side="buy", quantity=0) == "InvalidArgumentError"
    assert error_type(world, "get_stock_order_status", order_id="ORD-1") == "NotFoundError"


def test_generate_state_is_deterministic_per_seed_and_varies_across_seeds() -> None:
    assert DOMAIN.generate_state(5) == DOMAIN.generate_state(5)
    a, b = DOMAIN.generate_state(5), DOMAIN.generate_state(6)
    assert a["accounts"].keys() != b["accounts"].keys()
    assert a["stocks"]["NWRB"]["price"] != b["stocks"]["NWRB"]["price"]
    assert len(a["orders"]) >= 10 and len(a["stocks"]) == 28
