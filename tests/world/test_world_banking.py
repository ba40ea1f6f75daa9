"""The banking domain: a name+PIN session, own-account checks, money that really moves, card states."""

from __future__ import annotations

from typing import Any

import pytest
from world_helpers import error_type, ok

from hardgen.tools import Session
from hardgen.world import all_domains, default_world, get_domain
from hardgen.world._data import USD_RATES

DOMAIN = get_domain("banking")


@pytest.fixture
def bank() -> Session:
    return default_world(0, domains=["banking"], timeout=None)


def api(session: Session) -> Any:
    return session.environment_of("login_bank").instance


def owner(session: Session) -> dict[str, Any]:
    state = api(session)
    return next(c for c in state.customers.values() if c["name"] == state.owner_name)


def login(session: Session) -> dict[str, Any]:
    me = owner(session)
    return ok(session, "login_bank", customer_name=me["name"], pin=me["pin"])


def test_chain_check_balance(bank: Session) -> None:
    session = login(bank)
    accounts = ok(bank, "list_bank_accounts")["accounts"]
    assert len(accounts) == session["account_count"] >= 3
    for account in accounts:
        balance = ok(bank, "get_account_balance", account_id=account["account_id"])
        assert balance == {"account_id": account["account_id"], "balance": account["balance"],
                           "currency": account["currency"]}


def test_chain_move_to_savings(bank: Session) -> None:
    login(bank)
    accounts = ok(bank, "list_bank_accounts")["accounts"]
    checking = next(a for a in accounts if a["account_type"] == "checking" and a["currency"] == "USD")
    savings = next(a for a in accounts if a["account_type"] == "savings")
    result = ok(bank, "transfer_between_accounts", from_account_id=checking["account_id"],
                to_account_id=savings["account_id"], amount=100.0, memo="monthly saving")
    assert result["from_balance"] == pytest.approx(checking["balance"] - 100)
    assert ok(bank, "get_account_balance", account_id=savings["account_id"])["balance"] == pytest.approx(
        savings["balance"] + 100)
    history = ok(bank, "search_transactions", account_id=savings["account_id"], keyword="monthly saving")
    assert history["transactions"][0]["amount"] == 100.0
    too_much = checking["balance"] + 1_000
    assert error_type(bank, "transfer_between_accounts", from_account_id=checking["account_id"],
                      to_account_id=savings["account_id"], amount=too_much) == "InsufficientFundsError"


def test_transfers_across_currencies_convert(bank: Session) -> None:
    login(bank)
    accounts = ok(bank, "list_bank_accounts")["accounts"]
    usd = accounts[0]
    foreign = next(a for a in accounts if a["currency"] != "USD")
    result = ok(bank, "transfer_between_accounts", from_account_id=usd["account_id"],
                to_account_id=foreign["account_id"], amount=50.0)
    assert result["credited_amount"] == pytest.approx(50 * USD_RATES[foreign["currency"]], abs=0.01)


def test_chain_pay_a_bill(bank: Session) -> None:
    login(bank)
    payee = ok(bank, "list_payees")["payees"][0]
    found = ok(bank, "list_payees", name=payee["name"].split()[0].lower())["payees"]
    assert payee["payee_id"] in [p["payee_id"] for p in found]
    checking = ok(bank, "list_bank_accounts")["accounts"][0]
    assert checking["account_type"] == "checking"
    paid = ok(bank, "pay_payee", payee_id=payee["payee_id"], from_account_id=checking["account_id"],
              amount=120.0, memo="INV-77")
    assert paid["from_balance"] == pytest.approx(checking["balance"] - 120)
    record = ok(bank, "get_transaction_details", transaction_id=paid["transaction_id"])
    assert record["amount"] == -120.0 and record["category"] == "payment" and record["counterparty"] == payee["name"]


def test_payments_come_from_checking_with_enough_money(bank: Session) -> None:
    login(bank)
    payee_id = ok(bank, "list_payees")["payees"][0]["payee_id"]
    accounts = ok(bank, "list_bank_accounts")["accounts"]
    savings = next(a for a in accounts if a["account_type"] == "savings")
    assert error_type(bank, "pay_payee", payee_id=payee_id, from_account_id=savings["account_id"],
                      amount=10.0) == "InvalidStateError"
    checking = accounts[0]
    assert error_type(bank, "pay_payee", payee_id=payee_id, from_account_id=checking["account_id"],
                      amount=checking["balance"] + 0.01) == "InsufficientFundsError"
    assert error_type(bank, "pay_payee", payee_id=payee_id, from_account_id=checking["account_id"],
                      amount=-5.0) == "InvalidArgumentError"


def test_chain_new_payee_then_pay(bank: Session) -> None:
    login(bank)
    payee = ok(bank, "add_payee", name="Madrid Flat Rental", account_number="ES91 2100 0418 4502 0005 1332",
               currency="eur")
    assert payee["account_number"] == "ES9121000418450200051332" and payee["currency"] == "EUR"
    assert error_type(bank, "add_payee", name="Again", account_number="ES9121000418450200051332",
                      currency="EUR") == "ConflictError"
    checking = ok(bank, "list_bank_accounts")["accounts"][0]
    paid = ok(bank, "pay_payee", payee_id=payee["payee_id"], from_account_id=checking["account_id"], amount=100.0)
    assert paid["payee_currency"] == "EUR" and paid["payee_amount"] == pytest.approx(92.0)
    ok(bank, "remove_payee", payee_id=payee["payee_id"])
    assert error_type(bank, "pay_payee", payee_id=payee["payee_id"], from_account_id=checking["account_id"],
                      amount=1.0) == "NotFoundError"


def test_chain_freeze_lost_card(bank: Session) -> None:
    login(bank)
    cards = ok(bank, "list_bank_cards")["cards"]
    active = next(c for c in cards if c["status"] == "active")
    card_id = next(c["card_id"] for c in cards if c["last4"] == active["last4"])
    assert ok(bank, "freeze_card", card_id=card_id)["status"] == "frozen"
    assert error_type(bank, "freeze_card", card_id=card_id) == "InvalidStateError"
    assert error_type(bank, "set_card_daily_limit", card_id=card_id, daily_limit=800) == "InvalidStateError"
    assert ok(bank, "unfreeze_card", card_id=card_id)["status"] == "active"
    assert error_type(bank, "unfreeze_card", card_id=card_id) == "InvalidStateError"
    assert ok(bank, "set_card_daily_limit", card_id=card_id, daily_limit=800)["daily_limit"] == 800
    assert error_type(bank, "set_card_daily_limit", card_id=card_id, daily_limit=1) == "InvalidArgumentError"


def test_chain_dispute_a_charge(bank: Session) -> None:
    login(bank)
    account_id = ok(bank, "list_bank_accounts")["accounts"][0]["account_id"]
    purchases = ok(bank, "search_transactions", account_id=account_id, category="groceries")["transactions"]
    recent = purchases[0]
    dispute = ok(bank, "dispute_transaction", transaction_id=recent["transaction_id"], reason="duplicate_charge")
    assert dispute["amount"] == -recent["amount"] and dispute["status"] == "open"
    assert ok(bank, "get_transaction_details", transaction_id=recent["transaction_id"])["disputed"] is True
    assert error_type(bank, "dispute_transaction", transaction_id=recent["transaction_id"],
                      reason="duplicate_charge") == "ConflictError"
    salary = ok(bank, "search_transactions", account_id=account_id, category="salary")["transactions"][0]
    assert error_type(bank, "dispute_transaction", transaction_id=salary["transaction_id"],
                      reason="wrong_amount") == "InvalidStateError"
    oldest = ok(bank, "search_transactions", account_id=account_id, keyword="card purchase",
                limit=200)["transactions"][-1]
    assert error_type(bank, "dispute_transaction", transaction_id=oldest["transaction_id"],
                      reason="not_recognised") == "InvalidStateError"


def test_statement_adds_up_the_month(bank: Session) -> None:
    login(bank)
    account_id = ok(bank, "list_bank_accounts")["accounts"][0]["account_id"]
    month = api(bank).today[:7]
    rows = [t for t in ok(bank, "search_transactions", account_id=account_id, limit=200)["transactions"]
            if t["date"].startswith(month)]
    statement = ok(bank, "get_account_statement", account_id=account_id, month=month)
    assert statement["transaction_count"] == len(rows)
    assert statement["money_in"] - statement["money_out"] == pytest.approx(sum(t["amount"] for t in rows), abs=0.01)


@pytest.mark.skipif("travel" not in {d.name for d in all_domains()}, reason="travel domain not present")
def test_cross_domain_pay_foreign_bill() -> None:
    session = default_world(0, domains=["banking", "travel"], timeout=None)
    login(session)
    payee = ok(session, "add_payee", name="Lisbon Plumber", account_number="PT50000201231234567890154",
               currency="EUR")
    payee_id = ok(session, "list_payees", name="plumber")["payees"][0]["payee_id"]
    assert payee_id == payee["payee_id"]
    converted = ok(session, "convert_currency", amount=230.0, from_currency="EUR", to_currency="USD")
    assert converted["currency"] == "USD"
    usd_amount = converted["amount"]
    checking = ok(session, "list_bank_accounts")["accounts"][0]
    paid = ok(session, "pay_payee", payee_id=payee_id, from_account_id=checking["account_id"], amount=usd_amount)
    assert paid["payee_amount"] == pytest.approx(230.0, abs=0.02)


def test_other_customers_accounts_are_off_limits(bank: Session) -> None:
    state = api(bank)
    me = owner(bank)
    theirs = next(a for a in state.accounts.values() if a["customer_id"] != me["customer_id"])
    their_card = next(c for c in state.cards.values() if c["customer_id"] != me["customer_id"])
    login(bank)
    assert error_type(bank, "get_account_balance", account_id=theirs["account_id"]) == "PermissionDeniedError"
    mine = ok(bank, "list_bank_accounts")["accounts"][0]["account_id"]
    assert error_type(bank, "transfer_between_accounts", from_account_id=mine, to_account_id=theirs["account_id"],
                      amount=1.0) == "PermissionDeniedError"
    assert error_type(bank, "freeze_card", card_id=their_card["card_id"]) == "PermissionDeniedError"


def test_wrong_pins_lock_the_login(bank: Session) -> None:
    me = owner(bank)
    wrong = "0000" if me["pin"] != "0000" else "1111"
    for _ in range(3):
        assert error_type(bank, "login_bank", customer_name=me["name"], pin=wrong) == "AuthenticationError"
    assert error_type(bank, "login_bank", customer_name=me["name"], pin=me["pin"]) == "PermissionDeniedError"


def test_logout_ends_the_session(bank: Session) -> None:
    login(bank)
    ok(bank, "logout_bank")
    assert error_type(bank, "list_bank_accounts") == "NotLoggedInError"


def test_open_account_limits(bank: Session) -> None:
    login(bank)
    opened = ok(bank, "open_bank_account", account_type="savings", currency="chf", nickname="Ski trip")
    assert opened["balance"] == 0 and opened["currency"] == "CHF"
    assert opened["account_id"] in [a["account_id"] for a in ok(bank, "list_bank_accounts")["accounts"]]
    assert error_type(bank, "open_bank_account", account_type="savings", currency="CHF",
                      nickname="ski trip") == "ConflictError"
    assert error_type(bank, "open_bank_account", account_type="checking", currency="XYZ",
                      nickname="Odd") == "InvalidArgumentError"
    for n in range(10):
        obs = bank.call("open_bank_account", {"account_type": "savings", "currency": "USD", "nickname": f"Pot {n}"})
        if not obs.ok:
            assert obs.error is not None and obs.error.type == "InvalidStateError"
            break
    else:
        raise AssertionError("no account limit")


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("list_bank_accounts", {}, "NotLoggedInError"),
        ("get_account_balance", {"account_id": "ACC-1"}, "NotLoggedInError"),
        ("pay_payee", {"payee_id": "PY-1", "from_account_id": "ACC-1", "amount": 1.0}, "NotLoggedInError"),
        ("login_bank", {"customer_name": "Nobody Here", "pin": "1234"}, "AuthenticationError"),
    ],
)
def test_errors_before_login(bank: Session, tool: str, arguments: dict[str, Any], expected: str) -> None:
    assert error_type(bank, tool, **arguments) == expected


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("get_account_balance", {"account_id": "ACC-1"}, "NotFoundError"),
        ("get_transaction_details", {"transaction_id": "TX-1"}, "NotFoundError"),
        ("remove_payee", {"payee_id": "PY-1"}, "NotFoundError"),
        ("freeze_card", {"card_id": "CARD-1"}, "NotFoundError"),
        ("add_payee", {"name": "X", "account_number": "12345", "currency": "USD"}, "InvalidArgumentError"),
        ("search_transactions", {"account_id": "ACC-1"}, "NotFoundError"),
    ],
)
def test_errors_after_login(bank: Session, tool: str, arguments: dict[str, Any], expected: str) -> None:
    login(bank)
    before = bank.state_hash()
    assert error_type(bank, tool, **arguments) == expected
    assert bank.state_hash() == before


def test_generate_state_is_seeded() -> None:
    assert DOMAIN.generate_state(11) == DOMAIN.generate_state(11)
    assert DOMAIN.generate_state(11) != DOMAIN.generate_state(12)
    state = DOMAIN.generate_state(11)
    assert any(c["name"] == state["owner_name"] for c in state["customers"].values())
