"""The `banking` domain: online banking for several customers, one session at a time.

`login_bank` takes a customer's name and PIN (both in the state; `owner_name` is the world's user)
and opens a session; every other tool acts for the logged-in customer and only on their own
accounts (`ACC-48213`), payees (`PY-3104`), cards (`CARD-7731`) and transactions (`TX-100234`).
Amounts are in the currency of the account they leave; a bill in another currency must be
converted first (the cross-domain chain `travel.convert_currency -> banking.pay_payee`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any, Literal

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import USD_RATES, email_of, person_name
from hardgen.world._domain import Chain, Domain, ExampleCall
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

MAX_FAILED_LOGINS = 3
DISPUTE_WINDOW_DAYS = 60
MAX_ACCOUNTS = 6
AccountType = Literal["checking", "savings"]
DisputeReason = Literal["not_recognised", "duplicate_charge", "wrong_amount", "item_not_received"]
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}$")


@_described
class BankSession(TypedDict):
    customer_id: str
    """Bank customer id of the logged-in customer, e.g. 'CU-2231'."""
    customer_name: str
    account_count: int


@_described
class BankLogout(TypedDict):
    logged_out: bool
    customer_name: str


@_described
class AccountSummary(TypedDict):
    account_id: str
    """Bank account id, e.g. 'ACC-48213'; what balance, transfer and payment tools need."""
    account_type: AccountType
    nickname: str
    currency: str
    """ISO currency code of the account, e.g. 'USD'."""
    balance: float


@_described
class AccountList(TypedDict):
    accounts: list[AccountSummary]


@_described
class Balance(TypedDict):
    account_id: str
    balance: float
    currency: str


@_described
class Transaction(TypedDict):
    transaction_id: str
    """Transaction id, e.g. 'TX-100234'."""
    account_id: str
    date: str
    """YYYY-MM-DD."""
    amount: float
    """Signed amount in the account's currency: negative for money out."""
    description: str
    category: str
    counterparty: str
    disputed: bool


@_described
class TransactionList(TypedDict):
    transactions: list[Transaction]


@_described
class TransferResult(TypedDict):
    transaction_id: str
    """Id of the debit transaction on the source account."""
    from_account_id: str
    to_account_id: str
    amount: float
    """Amount debited, in the source account's currency."""
    credited_amount: float
    """Amount credited, in the destination account's currency."""
    from_balance: float
    """Source account balance after the transfer."""


@_described
class Payee(TypedDict):
    payee_id: str
    """Payee id, e.g. 'PY-3104'; what pay_payee needs."""
    name: str
    account_number: str
    currency: str
    """Currency the payee receives."""


@_described
class PayeeList(TypedDict):
    payees: list[Payee]


@_described
class RemovedPayee(TypedDict):
    payee_id: str
    removed: bool


@_described
class PaymentResult(TypedDict):
    transaction_id: str
    payee_id: str
    from_account_id: str
    amount: float
    """Amount debited, in the source account's currency."""
    payee_amount: float
    """Amount the payee receives, in the payee's currency."""
    payee_currency: str
    from_balance: float
    """Source account balance after the payment."""


@_described
class Card(TypedDict):
    card_id: str
    """Card id, e.g. 'CARD-7731'."""
    account_id: str
    last4: str
    """Last four digits printed on the card."""
    status: Literal["active", "frozen"]
    daily_limit: float


@_described
class CardList(TypedDict):
    cards: list[Card]


@_described
class Dispute(TypedDict):
    dispute_id: str
    """Dispute id, e.g. 'DP-601'."""
    transaction_id: str
    reason: DisputeReason
    status: Literal["open"]
    amount: float


@_described
class Statement(TypedDict):
    account_id: str
    month: str
    currency: str
    money_in: float
    money_out: float
    """Total outgoing, as a positive number."""
    transaction_count: int


def _money(value: float) -> float:
    return round(value + 1e-9 if value >= 0 else value - 1e-9, 2)


def _convert(amount: float, source: str, target: str) -> float:
    return _money(amount / USD_RATES[source] * USD_RATES[target])


class BankingAPI:
    """Online banking: a session for one customer, their accounts, payees, cards and history."""

    def __init__(self) -> None:
        self.today: str = "2024-01-01"
        self.owner_name: str = ""
        self.customers: dict[str, dict[str, Any]] = {}
        self.session_customer_id: str | None = None
        self.failed_logins: dict[str, int] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.payees: dict[str, dict[str, Any]] = {}
        self.cards: dict[str, dict[str, Any]] = {}
        self.transactions: dict[str, dict[str, Any]] = {}
        self.disputes: dict[str, dict[str, Any]] = {}
        self.counters: dict[str, int] = {"transaction": 100001, "payee": 3001, "dispute": 601, "account": 70001}

    def load_state(self, state: dict[str, Any]) -> None:
        """Load the state made by `generate_state`."""
        self.today = state["today"]
        self.owner_name = state.get("owner_name", "")
        self.customers = state["customers"]
        self.session_customer_id = state.get("session_customer_id")
        self.failed_logins = state.get("failed_logins", {})
        self.accounts = state.get("accounts", {})
        self.payees = state.get("payees", {})
        self.cards = state.get("cards", {})
        self.transactions = state.get("transactions", {})
        self.disputes = state.get("disputes", {})
        self.counters = state.get("counters", self.counters)

    # -- helpers ---------------------------------------------------------------------------------
    def _new_id(self, kind: str, prefix: str) -> str:
        number = self.counters[kind]
        self.counters[kind] = number + 1
        return f"{prefix}-{number}"

    def _customer(self) -> str:
        if self.session_customer_id is None:
            raise NotLoggedInError("not logged in to the bank; call login_bank with your name and PIN")
        return self.session_customer_id

    def _owned(self, table: dict[str, dict[str, Any]], key: str, what: str, hint: str) -> dict[str, Any]:
        me = self._customer()
        record = table.get(key)
        if record is None:
            raise NotFoundError(f"no {what} {key!r}; {hint}")
        if record["customer_id"] != me:
            raise PermissionDeniedError(f"{what} {key!r} does not belong to you")
        return record

    def _account(self, account_id: str) -> dict[str, Any]:
        return self._owned(self.accounts, account_id, "account", "use list_bank_accounts to get account ids")

    def _card(self, card_id: str) -> dict[str, Any]:
        return self._owned(self.cards, card_id, "card", "use list_bank_cards to get card ids")

    def _transaction(self, transaction_id: str) -> dict[str, Any]:
        record = self.transactions.get(transaction_id)
        if record is None:
            raise NotFoundError(f"no transaction {transaction_id!r}; use search_transactions to find ids")
        self._account(record["account_id"])
        return record

    @staticmethod
    def _check_amount(amount: float) -> float:
        if not amount > 0 or amount > 1_000_000:
            raise InvalidArgumentError(f"amount must be positive and at most 1,000,000, got {amount}")
        if round(amount, 2) != amount:
            raise InvalidArgumentError(f"amount {amount} has more than 2 decimals")
        return amount

    def _debit(self, account: dict[str, Any], amount: float) -> None:
        if account["balance"] < amount:
            raise InsufficientFundsError(
                f"account {account['account_id']} has {account['balance']:.2f} {account['currency']}, "
                f"less than {amount:.2f} {account['currency']}"
            )
        account["balance"] = _money(account["balance"] - amount)

    def _record(self, account_id: str, amount: float, description: str, category: str, counterparty: str) -> str:
        transaction_id = self._new_id("transaction", "TX")
        self.transactions[transaction_id] = {
            "transaction_id": transaction_id,
            "account_id": account_id,
            "date": self.today,
            "amount": _money(amount),
            "description": description,
            "category": category,
            "counterparty": counterparty,
            "disputed": False,
        }
        return transaction_id

    @staticmethod
    def _account_summary(account: dict[str, Any]) -> AccountSummary:
        return {
            "account_id": account["account_id"],
            "account_type": account["account_type"],
            "nickname": account["nickname"],
            "currency": account["currency"],
            "balance": account["balance"],
        }

    @staticmethod
    def _payee(payee: dict[str, Any]) -> Payee:
        return {k: payee[k] for k in ("payee_id", "name", "account_number", "currency")}  # type: ignore[return-value]

    @staticmethod
    def _card_view(card: dict[str, Any]) -> Card:
        return {k: card[k] for k in ("card_id", "account_id", "last4", "status", "daily_limit")}  # type: ignore[return-value]

    @staticmethod
    def _transaction_view(record: dict[str, Any]) -> Transaction:
        return dict(record)  # type: ignore[return-value]

    # -- session ---------------------------------------------------------------------------------
    @tool(mutates=True)
    def login_bank(self, customer_name: str, pin: str) -> BankSession:
        """Log in to online banking; needed before any other banking tool.

        Three wrong PINs lock the customer out.

        Args:
            customer_name: The customer's full name as registered at the bank, e.g. 'Alice Anders'.
            pin: The customer's 4-digit PIN.

        Returns:
            The customer id and how many accounts the customer has.
        """
        wanted = " ".join(customer_name.split()).lower()
        customer = next((c for c in self.customers.values() if c["name"].lower() == wanted), None)
        if customer is None:
            raise AuthenticationError(f"no bank customer named {customer_name!r}; check the spelling of the full name")
        customer_id = customer["customer_id"]
        if self.failed_logins.get(customer_id, 0) >= MAX_FAILED_LOGINS:
            raise PermissionDeniedError("this login is locked after too many wrong PINs; contact the bank")
        if pin != customer["pin"]:
            self.failed_logins[customer_id] = self.failed_logins.get(customer_id, 0) + 1
            left = MAX_FAILED_LOGINS - self.failed_logins[customer_id]
            raise AuthenticationError(f"wrong PIN; {left} attempt(s) left before the login is locked")
        self.failed_logins.pop(customer_id, None)
        self.session_customer_id = customer_id
        count = sum(1 for a in self.accounts.values() if a["customer_id"] == customer_id)
        return {"customer_id": customer_id, "customer_name": customer["name"], "account_count": count}

    @tool(mutates=True, requires=["login_bank"])
    def logout_bank(self) -> BankLogout:
        """Log out of online banking.

        Returns:
            Confirmation with the customer's name.
        """
        me = self._customer()
        self.session_customer_id = None
        return {"logged_out": True, "customer_name": self.customers[me]["name"]}

    # -- accounts --------------------------------------------------------------------------------
    @tool(requires=["login_bank"])
    def list_bank_accounts(self) -> AccountList:
        """List the logged-in customer's accounts with ids, types, currencies and balances.

        Requires login_bank first.

        Returns:
            The customer's accounts.
        """
        me = self._customer()
        # In opening order: the everyday checking account first, as banking apps show them.
        return {"accounts": [self._account_summary(a) for a in self.accounts.values() if a["customer_id"] == me]}

    @tool(requires=["login_bank"])
    def get_account_balance(self, account_id: str) -> Balance:
        """Show the current balance of one of your accounts. Requires login_bank first.

        Args:
            account_id: Account id, e.g. 'ACC-48213' (from list_bank_accounts).

        Returns:
            The balance and its currency.
        """
        account = self._account(account_id)
        return {"account_id": account_id, "balance": account["balance"], "currency": account["currency"]}

    @tool(mutates=True, requires=["login_bank"])
    def open_bank_account(self, account_type: AccountType, currency: str, nickname: str) -> AccountSummary:
        """Open a new, empty account for the logged-in customer. Requires login_bank first.

        Args:
            account_type: Checking (for payments and cards) or savings.
            currency: ISO currency code, e.g. 'EUR' (USD, EUR, GBP, JPY, CAD, AUD, CHF, INR, SGD, KRW, MXN).
            nickname: A name for the account, e.g. 'Holiday fund'; unique among your accounts.

        Returns:
            The new account with its id.
        """
        me = self._customer()
        code = currency.strip().upper()
        if code not in USD_RATES:
            raise InvalidArgumentError(f"unsupported currency {currency!r}; supported: {', '.join(USD_RATES)}")
        mine = [a for a in self.accounts.values() if a["customer_id"] == me]
        if len(mine) >= MAX_ACCOUNTS:
            raise InvalidStateError(f"you already have {MAX_ACCOUNTS} accounts, the maximum")
        if not nickname.strip():
            raise InvalidArgumentError("nickname must not be empty")
        if any(a["nickname"].lower() == nickname.strip().lower() for a in mine):
            raise ConflictError(f"you already have an account called {nickname!r}")
        account_id = self._new_id("account", "ACC")
        self.accounts[account_id] = {
            "account_id": account_id, "customer_id": me, "account_type": account_type,
            "nickname": nickname.strip(), "currency": code, "balance": 0.0,
        }
        return self._account_summary(self.accounts[account_id])

    @tool(mutates=True, requires=["login_bank"])
    def transfer_between_accounts(
        self, from_account_id: str, to_account_id: str, amount: float, memo: str | None = None
    ) -> TransferResult:
        """Move money between two of your own accounts. Requires login_bank first.

        The amount is in the source account's currency; a different destination currency is
        converted at the bank's rate.

        Args:
            from_account_id: Account id to take the money from, e.g. 'ACC-48213'.
            to_account_id: Account id to put the money in (another of your accounts).
            amount: Amount in the source account's currency, positive, at most 2 decimals.
            memo: Optional note shown on both transactions.

        Returns:
            The debit transaction id, amounts on both sides and the source balance after it.
        """
        source = self._account(from_account_id)
        target = self._account(to_account_id)
        if from_account_id == to_account_id:
            raise InvalidArgumentError("from_account_id and to_account_id are the same account")
        self._check_amount(amount)
        self._debit(source, amount)
        credited = _convert(amount, source["currency"], target["currency"])
        target["balance"] = _money(target["balance"] + credited)
        note = memo or f"Transfer to {target['nickname']}"
        transaction_id = self._record(from_account_id, -amount, note, "transfer", target["nickname"])
        self._record(to_account_id, credited, memo or f"Transfer from {source['nickname']}", "transfer",
                     source["nickname"])
        return {
            "transaction_id": transaction_id,
            "from_account_id": from_account_id,
            "to_account_id": to_account_id,
            "amount": amount,
            "credited_amount": credited,
            "from_balance": source["balance"],
        }

    # -- history ---------------------------------------------------------------------------------
    @tool(requires=["login_bank"])
    def search_transactions(
        self,
        account_id: str,
        keyword: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
        category: str | None = None,
        limit: int = 50,
    ) -> TransactionList:
        """Search an account's transaction history, newest first. Requires login_bank first.

        Args:
            account_id: Account id, e.g. 'ACC-48213' (from list_bank_accounts).
            keyword: Text to find in the description or counterparty, case-insensitive, e.g. 'Netflix'.
            start_date: Earliest date, YYYY-MM-DD.
            end_date: Latest date, YYYY-MM-DD.
            category: Only this category, e.g. 'groceries', 'dining', 'transfer', 'payment', 'salary'.
            limit: Most transactions to return, 1 to 200.

        Returns:
            Matching transactions with ids, dates, signed amounts and descriptions.
        """
        self._account(account_id)
        for value, name in ((start_date, "start_date"), (end_date, "end_date")):
            if value is not None:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    raise InvalidArgumentError(f"{name} {value!r} is not a date like '2024-05-14'") from None
        if not 1 <= limit <= 200:
            raise InvalidArgumentError(f"limit must be between 1 and 200, got {limit}")
        needle = keyword.lower().strip() if keyword else None
        found = [
            t for t in self.transactions.values()
            if t["account_id"] == account_id
            and (needle is None or needle in t["description"].lower() or needle in t["counterparty"].lower())
            and (start_date is None or t["date"] >= start_date)
            and (end_date is None or t["date"] <= end_date)
            and (category is None or t["category"] == category.lower())
        ]
        found.sort(key=lambda t: (t["date"], t["transaction_id"]), reverse=True)
        return {"transactions": [self._transaction_view(t) for t in found[:limit]]}

    @tool(requires=["login_bank"])
    def get_transaction_details(self, transaction_id: str) -> Transaction:
        """Show one transaction of yours. Requires login_bank first.

        Args:
            transaction_id: Transaction id, e.g. 'TX-100234' (from search_transactions).

        Returns:
            The transaction.
        """
        return self._transaction_view(self._transaction(transaction_id))

    @tool(requires=["login_bank"])
    def get_account_statement(self, account_id: str, month: str) -> Statement:
        """Summarise an account's money in and out for a calendar month. Requires login_bank first.

        Args:
            account_id: Account id, e.g. 'ACC-48213'.
            month: The month, YYYY-MM.

        Returns:
            Totals in and out and the number of transactions that month.
        """
        account = self._account(account_id)
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month.strip()):
            raise InvalidArgumentError(f"month {month!r} is not like '2024-05'")
        rows = [t for t in self.transactions.values() if t["account_id"] == account_id and t["date"][:7] == month]
        return {
            "account_id": account_id,
            "month": month,
            "currency": account["currency"],
            "money_in": _money(sum(t["amount"] for t in rows if t["amount"] > 0)),
            "money_out": _money(-sum(t["amount"] for t in rows if t["amount"] < 0)),
            "transaction_count": len(rows),
        }

    @tool(mutates=True, requires=["login_bank"])
    def dispute_transaction(self, transaction_id: str, reason: DisputeReason) -> Dispute:
        """Dispute a card purchase you do not recognise or that is wrong. Requires login_bank first.

        Only outgoing card purchases of the last 60 days can be disputed, once each.

        Args:
            transaction_id: Transaction id, e.g. 'TX-100234' (from search_transactions).
            reason: Why the charge is disputed.

        Returns:
            The opened dispute with its id.
        """
        record = self._transaction(transaction_id)
        if record["amount"] >= 0 or record["category"] in ("transfer", "payment"):
            raise InvalidStateError(f"{transaction_id} is not a card purchase; only card purchases can be disputed")
        age = (dt.date.fromisoformat(self.today) - dt.date.fromisoformat(record["date"])).days
        if age > DISPUTE_WINDOW_DAYS:
            raise InvalidStateError(f"{transaction_id} is {age} days old; disputes must be opened within 60 days")
        if record["disputed"]:
            raise ConflictError(f"{transaction_id} is already disputed")
        record["disputed"] = True
        dispute_id = self._new_id("dispute", "DP")
        self.disputes[dispute_id] = {
            "dispute_id": dispute_id, "transaction_id": transaction_id, "reason": reason, "status": "open",
            "amount": -record["amount"], "customer_id": self.session_customer_id,
        }
        return {k: self.disputes[dispute_id][k] for k in ("dispute_id", "transaction_id", "reason", "status", "amount")}  # type: ignore[return-value]

    # -- payees ----------------------------------------------------------------------------------
    @tool(requires=["login_bank"])
    def list_payees(self, name: str | None = None) -> PayeeList:
        """List your saved payees (people and companies you pay), optionally filtered by name.

        Requires login_bank first.

        Args:
            name: Only payees whose name contains this text, case-insensitive, e.g. 'landlord'.

        Returns:
            Payees with ids, account numbers and the currency they receive.
        """
        me = self._customer()
        needle = name.lower().strip() if name else None
        found = [self._payee(p) for p in self.payees.values()
                 if p["customer_id"] == me and (needle is None or needle in p["name"].lower())]
        return {"payees": sorted(found, key=lambda p: (p["name"], p["payee_id"]))}

    @tool(mutates=True, requires=["login_bank"])
    def add_payee(self, name: str, account_number: str, currency: str) -> Payee:
        """Save a new payee so you can pay them. Requires login_bank first.

        Args:
            name: Payee name, e.g. 'Lisbon Dental Clinic'.
            account_number: The payee's IBAN, e.g. 'PT50000201231234567890154' (spaces allowed).
            currency: Currency the payee receives, ISO code, e.g. 'EUR'.

        Returns:
            The saved payee with its id.
        """
        me = self._customer()
        number = account_number.replace(" ", "").upper()
        if not _IBAN.match(number):
            raise InvalidArgumentError(f"{account_number!r} is not an IBAN like 'PT50000201231234567890154'")
        code = currency.strip().upper()
        if code not in USD_RATES:
            raise InvalidArgumentError(f"unsupported currency {currency!r}; supported: {', '.join(USD_RATES)}")
        if not name.strip():
            raise InvalidArgumentError("name must not be empty")
        for payee in self.payees.values():
            if payee["customer_id"] == me and payee["account_number"] == number:
                raise ConflictError(f"account {number} is already saved as payee {payee['payee_id']} ({payee['name']})")
        payee_id = self._new_id("payee", "PY")
        self.payees[payee_id] = {"payee_id": payee_id, "customer_id": me, "name": name.strip(),
                                 "account_number": number, "currency": code}
        return self._payee(self.payees[payee_id])

    @tool(mutates=True, requires=["login_bank"])
    def remove_payee(self, payee_id: str) -> RemovedPayee:
        """Delete a saved payee. Requires login_bank first.

        Args:
            payee_id: Payee id, e.g. 'PY-3104' (from list_payees).

        Returns:
            Confirmation of the removal.
        """
        self._owned(self.payees, payee_id, "payee", "use list_payees to get payee ids")
        del self.payees[payee_id]
        return {"payee_id": payee_id, "removed": True}

    @tool(mutates=True, requires=["login_bank"])
    def pay_payee(self, payee_id: str, from_account_id: str, amount: float, memo: str | None = None) -> PaymentResult:
        """Pay a saved payee from one of your checking accounts. Requires login_bank first.

        The amount is in the source account's currency (convert a bill in another currency
        first); the payee receives it converted to their currency at the bank's rate.

        Args:
            payee_id: Payee id, e.g. 'PY-3104' (from list_payees or add_payee).
            from_account_id: Checking account id to pay from, e.g. 'ACC-48213'.
            amount: Amount in the source account's currency, positive, at most 2 decimals.
            memo: Optional reference shown to the payee, e.g. an invoice number.

        Returns:
            The transaction id, both amounts and the source balance after the payment.
        """
        payee = self._owned(self.payees, payee_id, "payee", "use list_payees to get payee ids")
        account = self._account(from_account_id)
        if account["account_type"] != "checking":
            raise InvalidStateError(
                f"{from_account_id} is a {account['account_type']} account; pay from a checking account "
                "(or transfer to one first)"
            )
        self._check_amount(amount)
        self._debit(account, amount)
        received = _convert(amount, account["currency"], payee["currency"])
        transaction_id = self._record(from_account_id, -amount, memo or f"Payment to {payee['name']}", "payment",
                                      payee["name"])
        return {
            "transaction_id": transaction_id,
            "payee_id": payee_id,
            "from_account_id": from_account_id,
            "amount": amount,
            "payee_amount": received,
            "payee_currency": payee["currency"],
            "from_balance": account["balance"],
        }

    # -- cards -----------------------------------------------------------------------------------
    @tool(requires=["login_bank"])
    def list_bank_cards(self) -> CardList:
        """List your debit cards with ids, last four digits, status and limits. Requires login_bank first.

        Returns:
            The cards.
        """
        me = self._customer()
        cards = [self._card_view(c) for c in self.cards.values() if c["customer_id"] == me]
        return {"cards": sorted(cards, key=lambda c: c["card_id"])}

    @tool(mutates=True, requires=["login_bank"])
    def freeze_card(self, card_id: str) -> Card:
        """Temporarily block a card (lost or suspicious use); it can be unfrozen later.

        Requires login_bank first.

        Args:
            card_id: Card id, e.g. 'CARD-7731' (from list_bank_cards; match the last four digits).

        Returns:
            The card, now frozen.
        """
        card = self._card(card_id)
        if card["status"] == "frozen":
            raise InvalidStateError(f"card {card_id} (…{card['last4']}) is already frozen")
        card["status"] = "frozen"
        return self._card_view(card)

    @tool(mutates=True, requires=["login_bank"])
    def unfreeze_card(self, card_id: str) -> Card:
        """Reactivate a frozen card. Requires login_bank first.

        Args:
            card_id: Card id, e.g. 'CARD-7731' (from list_bank_cards).

        Returns:
            The card, now active.
        """
        card = self._card(card_id)
        if card["status"] == "active":
            raise InvalidStateError(f"card {card_id} (…{card['last4']}) is not frozen")
        card["status"] = "active"
        return self._card_view(card)

    @tool(mutates=True, requires=["login_bank"])
    def set_card_daily_limit(self, card_id: str, daily_limit: float) -> Card:
        """Change a card's daily spending limit. The card must be active. Requires login_bank first.

        Args:
            card_id: Card id, e.g. 'CARD-7731' (from list_bank_cards).
            daily_limit: New limit in the card account's currency, 50 to 10000.

        Returns:
            The card with its new limit.
        """
        card = self._card(card_id)
        if card["status"] != "active":
            raise InvalidStateError(f"card {card_id} is frozen; unfreeze_card before changing its limit")
        if not 50 <= daily_limit <= 10000:
            raise InvalidArgumentError(f"daily_limit must be between 50 and 10000, got {daily_limit}")
        card["daily_limit"] = float(daily_limit)
        return self._card_view(card)


# -- generated worlds ----------------------------------------------------------------------------
_MERCHANTS = (
    ("FreshMart", "groceries"), ("Green Grocer", "groceries"), ("Cafe Lumen", "dining"), ("Noodle Bar", "dining"),
    ("Netflix", "subscriptions"), ("Spotify", "subscriptions"), ("City Transit", "transport"),
    ("Shell Station", "transport"), ("Bookworm", "shopping"), ("TechHub", "shopping"), ("Pharma Plus", "health"),
)
_BILLERS = ("City Power Co", "Aqua Water Services", "Landlord Properties", "Fiber Internet", "Phone Mobile Ltd",
            "Lisbon Dental Clinic", "Tokyo Language School", "Berlin Music Academy")


def _iban(rng: random.Random, country: str) -> str:
    return f"{country}{rng.randrange(10, 99)}{rng.randrange(10**15, 10**16)}"


def generate_state(seed: int) -> dict[str, Any]:
    """Six customers (the owner first), their accounts, payees, cards and 3 months of history."""
    rng = random.Random(seed)
    today = dt.date(2024, 4, 1) + dt.timedelta(days=rng.randrange(200))
    owner_index = seed % 200
    indices = [owner_index, *rng.sample([i for i in range(200) if i != owner_index], 5)]
    customers: dict[str, dict[str, Any]] = {}
    accounts: dict[str, dict[str, Any]] = {}
    payees: dict[str, dict[str, Any]] = {}
    cards: dict[str, dict[str, Any]] = {}
    transactions: dict[str, dict[str, Any]] = {}
    account_ids = iter(rng.sample(range(10000, 69999), 40))  # 70001+ is for opened accounts
    card_ids = iter(rng.sample(range(1000, 9999), 40))
    counters = {"transaction": 100001, "payee": 3001, "dispute": 601, "account": 70001}

    def record(account_id: str, date: dt.date, amount: float, description: str, category: str, party: str) -> None:
        transaction_id = f"TX-{counters['transaction']}"
        counters["transaction"] += 1
        transactions[transaction_id] = {
            "transaction_id": transaction_id, "account_id": account_id, "date": date.isoformat(),
            "amount": _money(amount), "description": description, "category": category,
            "counterparty": party, "disputed": False,
        }

    for position, index in enumerate(indices):
        name = person_name(index)
        customer_id = f"CU-{rng.randrange(1000, 9999)}"
        while customer_id in customers:
            customer_id = f"CU-{rng.randrange(1000, 9999)}"
        customers[customer_id] = {"customer_id": customer_id, "name": name, "email": email_of(name),
                                  "pin": f"{rng.randrange(10000):04d}"}
        second_currency = rng.choice(("EUR", "GBP", "JPY", "CAD"))
        plan = [("checking", "USD", "Everyday"), ("savings", "USD", "Rainy day")]
        if position == 0 or rng.random() < 0.4:
            plan.append(("checking", second_currency, f"{second_currency} wallet"))
        mine = []
        for account_type, currency, nickname in plan:
            account_id = f"ACC-{next(account_ids)}"
            balance = rng.randrange(200, 9000) * USD_RATES[currency] if account_type == "checking" else \
                rng.randrange(1000, 30000) * USD_RATES[currency]
            accounts[account_id] = {"account_id": account_id, "customer_id": customer_id,
                                    "account_type": account_type, "nickname": nickname, "currency": currency,
                                    "balance": _money(balance)}
            mine.append(account_id)
            if account_type == "checking":
                card_id = f"CARD-{next(card_ids)}"
                cards[card_id] = {"card_id": card_id, "customer_id": customer_id, "account_id": account_id,
                                  "last4": f"{rng.randrange(10000):04d}",
                                  # The main card of each customer works; others may be frozen.
                                  "status": "frozen" if len(mine) > 1 and rng.random() < 0.5 else "active",
                                  "daily_limit": float(rng.choice((500, 1000, 2000, 3000)))}
        for biller in rng.sample(_BILLERS, rng.randrange(3, 6) if position == 0 else rng.randrange(1, 3)):
            payee_id = f"PY-{counters['payee']}"
            counters["payee"] += 1
            currency = "EUR" if "Lisbon" in biller or "Berlin" in biller else "JPY" if "Tokyo" in biller else "USD"
            payees[payee_id] = {"payee_id": payee_id, "customer_id": customer_id, "name": biller,
                                "account_number": _iban(rng, {"EUR": "PT", "JPY": "JP"}.get(currency, "US")),
                                "currency": currency}
        # History: salary, card purchases and bills on the main checking account.
        main = mine[0]
        for back in range(95, -1, -1):
            day = today - dt.timedelta(days=back)
            if day.day == 1:
                record(main, day, rng.randrange(3000, 7000), "Monthly salary", "salary", "Employer Inc")
            for _ in range(rng.choice((0, 0, 1, 1, 2)) if position == 0 else rng.choice((0, 0, 0, 1))):
                merchant, category = rng.choice(_MERCHANTS)
                record(main, day, -rng.randrange(3, 180) - rng.randrange(100) / 100,
                       f"Card purchase {merchant}", category, merchant)
            if day.day == 5:
                biller = rng.choice([p["name"] for p in payees.values() if p["customer_id"] == customer_id])
                record(main, day, -rng.randrange(40, 1500), f"Payment to {biller}", "payment", biller)
    return {
        "today": today.isoformat(),
        "owner_name": person_name(owner_index),
        "customers": customers,
        "session_customer_id": None,
        "failed_logins": {},
        "accounts": accounts,
        "payees": payees,
        "cards": cards,
        "transactions": transactions,
        "disputes": {},
        "counters": counters,
    }



_MORE_PAYEES = ("Metro Gas", "Riverside Gym", "Sunny Day Nursery", "Northside Dental", "Harbor Insurance",
                "City Parking", "Evergreen Lawn Care", "Bright Cleaners", "Oak Street Pharmacy", "Summit Climbing Club",
                "Greenfield Council Tax", "Blue Wave Internet", "Maple Veterinary", "Hillside Golf Club",
                "Central Library Fines", "Redwood Storage Units", "Lakeside Sailing School", "Copper Kettle Catering",
                "Silverline Taxis", "Union Credit Card")


def crowd_state(state: dict[str, Any], seed: int) -> dict[str, Any]:
    """`state` with a long history: a year of older transactions on each customer's main checking
    account (before the three months already there) and more saved payees (companies and people
    the customers pay). Ids of older records sort below the ones already there; the counters new
    records take their ids from are unchanged."""
    rng = random.Random(f"banking-crowd:{seed}")
    today = dt.date.fromisoformat(state["today"])
    older: list[tuple[str, dt.date, float, str, str, str]] = []
    for customer_id in state["customers"]:
        mine = [a for a in state["accounts"].values() if a["customer_id"] == customer_id]
        main = next((a["account_id"] for a in mine if a["account_type"] == "checking"), None)
        billers = [p["name"] for p in state["payees"].values() if p["customer_id"] == customer_id]
        if main is None:
            continue
        owner = customer_id == next(iter(state["customers"]))
        for back in range(96, 366):
            day = today - dt.timedelta(days=back)
            if day.day == 1:
                older.append((main, day, rng.randrange(3000, 7000), "Monthly salary", "salary", "Employer Inc"))
            for _ in range(rng.choice((0, 0, 1, 1, 2)) if owner else rng.choice((0, 0, 0, 1))):
                merchant, category = rng.choice(_MERCHANTS)
                older.append((main, day, -rng.randrange(3, 180) - rng.randrange(100) / 100,
                              f"Card purchase {merchant}", category, merchant))
            if day.day == 5 and billers:
                biller = rng.choice(billers)
                older.append((main, day, -rng.randrange(40, 1500), f"Payment to {biller}", "payment", biller))
    older.sort(key=lambda t: t[1], reverse=True)  # the nearest takes the highest of the lower ids
    first = min(int(t.split("-")[1]) for t in state["transactions"]) if state["transactions"] else 100001
    history = {}
    for n, (account_id, day, amount, description, category, party) in enumerate(older):
        transaction_id = f"TX-{first - 1 - n}"
        history[transaction_id] = {"transaction_id": transaction_id, "account_id": account_id,
                                   "date": day.isoformat(), "amount": _money(amount), "description": description,
                                   "category": category, "counterparty": party, "disputed": False}
    state["transactions"] = {**dict(reversed(history.items())), **state["transactions"]}
    # More payees; their ids sort below the first one, so a payee added now still gets the next id.
    number = min(int(p.split("-")[1]) for p in state["payees"]) - 1 if state["payees"] else 3000
    people = [person_name(i) for i in rng.sample(range(200, 400), 40)]
    for position, customer_id in enumerate(state["customers"]):
        taken = {p["name"] for p in state["payees"].values() if p["customer_id"] == customer_id}
        pool = [n for n in (*_MORE_PAYEES, *people) if n not in taken]
        for name in rng.sample(pool, rng.randrange(24, 33) if position == 0 else rng.randrange(3, 8)):
            payee_id = f"PY-{number}"
            number -= 1
            state["payees"][payee_id] = {"payee_id": payee_id, "customer_id": customer_id, "name": name,
                                         "account_number": _iban(rng, "US"), "currency": "USD"}
    return state

def _facts(seed: int = 0) -> dict[str, Any]:
    state = generate_state(seed)
    owner = next(c for c in state["customers"].values() if c["name"] == state["owner_name"])
    cards = sorted((c for c in state["cards"].values() if c["customer_id"] == owner["customer_id"]),
                   key=lambda c: c["card_id"])
    return {
        "login": {"customer_name": owner["name"], "pin": owner["pin"]},
        "active_card": f"$1.cards.{next(i for i, c in enumerate(cards) if c['status'] == 'active')}.card_id",
        "today": state["today"],
    }


_F = _facts(0)
_LOGIN: ExampleCall = ("login_bank", _F["login"])
_ACCOUNTS: ExampleCall = ("list_bank_accounts", {})
_RECENT_PURCHASES: ExampleCall = ("search_transactions", {"account_id": "$1.accounts.0.account_id", "keyword": "card purchase",
                                             "start_date": (dt.date.fromisoformat(_F["today"])
                                                            - dt.timedelta(days=30)).isoformat()})

DOMAIN = Domain(
    name="banking",
    description="Online banking: log in with name and PIN, accounts and balances, transfers, payees, cards, history.",
    environment_class=BankingAPI,
    generate_state=generate_state,
    crowd=crowd_state,
    chains=(
        Chain(
            "check_balance",
            "Log in, list accounts to get an account id, read its balance.",
            ("login_bank", "list_bank_accounts", "get_account_balance"),
        ),
        Chain(
            "move_to_savings",
            "Log in, list accounts to find checking and savings ids, transfer between them.",
            ("login_bank", "list_bank_accounts", "transfer_between_accounts"),
        ),
        Chain(
            "pay_a_bill",
            "Log in, find the payee id by name, find a checking account id, pay the payee.",
            ("login_bank", "list_payees", "list_bank_accounts", "pay_payee"),
        ),
        Chain(
            "new_payee_then_pay",
            "Log in, add a payee from an IBAN, list accounts, pay the new payee id.",
            ("login_bank", "add_payee", "list_bank_accounts", "pay_payee"),
        ),
        Chain(
            "freeze_lost_card",
            "Log in, list cards to match the last four digits to a card id, freeze that card.",
            ("login_bank", "list_bank_cards", "freeze_card"),
        ),
        Chain(
            "dispute_a_charge",
            "Log in, list accounts, search the history for a merchant, dispute the charge.",
            ("login_bank", "list_bank_accounts", "search_transactions", "dispute_transaction"),
        ),
        Chain(
            "pay_foreign_bill",
            "Convert a bill in a foreign currency to the account's currency, then pay the payee that amount.",
            ("login_bank", "list_payees", "travel.convert_currency", "pay_payee"),
        ),
    ),
    examples={
        "login_bank": [_LOGIN],
        "logout_bank": [_LOGIN, ("logout_bank", {})],
        "list_bank_accounts": [_LOGIN, _ACCOUNTS],
        "get_account_balance": [_LOGIN, _ACCOUNTS,
                                ("get_account_balance", {"account_id": "$1.accounts.0.account_id"})],
        "open_bank_account": [_LOGIN, ("open_bank_account", {"account_type": "savings", "currency": "EUR",
                                                             "nickname": "Holiday fund"})],
        "transfer_between_accounts": [_LOGIN, _ACCOUNTS, ("transfer_between_accounts", {
            "from_account_id": "$1.accounts.0.account_id", "to_account_id": "$1.accounts.1.account_id",
            "amount": 25.0})],
        "search_transactions": [_LOGIN, _ACCOUNTS, _RECENT_PURCHASES],
        "get_transaction_details": [_LOGIN, _ACCOUNTS, _RECENT_PURCHASES, (
            "get_transaction_details", {"transaction_id": "$2.transactions.0.transaction_id"})],
        "get_account_statement": [_LOGIN, _ACCOUNTS, ("get_account_statement", {
            "account_id": "$1.accounts.0.account_id", "month": _F["today"][:7]})],
        "dispute_transaction": [_LOGIN, _ACCOUNTS, _RECENT_PURCHASES, (
            "dispute_transaction", {"transaction_id": "$2.transactions.0.transaction_id",
                                    "reason": "not_recognised"})],
        "list_payees": [_LOGIN, ("list_payees", {})],
        "add_payee": [_LOGIN, ("add_payee", {"name": "Madrid Flat Rental", "account_number": "ES91 2100 0418 4502 0005 1332",
                                             "currency": "EUR"})],
        "remove_payee": [_LOGIN, ("list_payees", {}), ("remove_payee", {"payee_id": "$1.payees.0.payee_id"})],
        "pay_payee": [_LOGIN, ("list_payees", {}), ("list_bank_accounts", {}), (
            "pay_payee", {"payee_id": "$1.payees.0.payee_id", "from_account_id": "$2.accounts.0.account_id",
                          "amount": 42.5, "memo": "Invoice 2291"})],
        "list_bank_cards": [_LOGIN, ("list_bank_cards", {})],
        "freeze_card": [_LOGIN, ("list_bank_cards", {}), ("freeze_card", {"card_id": _F["active_card"]})],
        "unfreeze_card": [_LOGIN, ("list_bank_cards", {}), ("freeze_card", {"card_id": _F["active_card"]}),
                          ("unfreeze_card", {"card_id": _F["active_card"]})],
        "set_card_daily_limit": [_LOGIN, ("list_bank_cards", {}), ("freeze_card", {"card_id": _F["active_card"]}),
                                 ("unfreeze_card", {"card_id": _F["active_card"]}),
                                 ("set_card_daily_limit", {"card_id": _F["active_card"], "daily_limit": 1500})],
    },
)
