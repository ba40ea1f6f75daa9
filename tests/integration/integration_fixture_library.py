"""A user's own tool class, as someone bringing their own tools would write it: typed methods with
Google docstrings, state loaded from a JSON file, errors raised as exceptions."""

from __future__ import annotations

from typing import Any, TypedDict

from hardgen.tools import tool


class BookMatch(TypedDict):
    isbn: str
    """The book's ISBN, which loans need."""
    title: str
    author: str
    copies_available: int


class MemberCard(TypedDict):
    member_id: str
    """Library member id, e.g. 'M-204'."""
    name: str
    loans: int


class Loan(TypedDict):
    loan_id: str
    """Id of the loan, for returning the book."""
    isbn: str
    member_id: str
    due: str


class CityLibrary:
    """A small city library: books, members and loans. Lending needs a staff login first."""

    def __init__(self) -> None:
        self.books: dict[str, dict[str, Any]] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.loans: dict[str, dict[str, Any]] = {}
        self.staff_pin = ""
        self.staff_logged_in = False
        self.next_loan = 1

    def load_state(self, state: dict[str, Any]) -> None:
        self.books = state["books"]
        self.members = state["members"]
        self.staff_pin = state["staff_pin"]

    @tool(mutates=True)
    def staff_login(self, pin: str) -> dict[str, bool]:
        """Log in at the lending desk. Needed before lending or taking back books.

        Args:
            pin: The four-digit staff PIN.
        """
        if pin != self.staff_pin:
            raise PermissionError("wrong staff PIN")
        self.staff_logged_in = True
        return {"logged_in": True}

    @tool
    def find_book(self, title: str) -> BookMatch:
        """Find a book by its title, to get its ISBN.

        Args:
            title: The exact title, any letter case.
        """
        for isbn, book in sorted(self.books.items()):
            if book["title"].lower() == title.lower():
                return {"isbn": isbn, "title": book["title"], "author": book["author"],
                        "copies_available": book["copies"]}
        raise LookupError(f"no book titled {title!r}")

    @tool
    def find_member(self, name: str) -> MemberCard:
        """Find a library member by full name, to get the member id.

        Args:
            name: The member's full name.
        """
        for member_id, member in sorted(self.members.items()):
            if member["name"].lower() == name.lower():
                loans = sum(1 for loan in self.loans.values() if loan["member_id"] == member_id)
                return {"member_id": member_id, "name": member["name"], "loans": loans}
        raise LookupError(f"no member named {name!r}")

    @tool(mutates=True, requires=["staff_login"])
    def lend_book(self, member_id: str, isbn: str) -> Loan:
        """Lend a book to a member for three weeks. Needs staff_login first.

        Args:
            member_id: Member id from find_member.
            isbn: ISBN from find_book.
        """
        if not self.staff_logged_in:
            raise PermissionError("log in at the desk with staff_login first")
        if member_id not in self.members:
            raise LookupError(f"no member {member_id!r}")
        book = self.books.get(isbn)
        if book is None:
            raise LookupError(f"no book with ISBN {isbn!r}")
        if book["copies"] < 1:
            raise ValueError("no copy left to lend")
        book["copies"] -= 1
        loan_id = f"L-{self.next_loan:03d}"
        self.next_loan += 1
        self.loans[loan_id] = {"isbn": isbn, "member_id": member_id, "due": "2025-07-01"}
        return {"loan_id": loan_id, "isbn": isbn, "member_id": member_id, "due": "2025-07-01"}

    @tool
    def member_loans(self, member_id: str) -> list[Loan]:
        """List a member's current loans.

        Args:
            member_id: Member id from find_member.
        """
        if member_id not in self.members:
            raise LookupError(f"no member {member_id!r}")
        return [{"loan_id": k, **v} for k, v in sorted(self.loans.items()) if v["member_id"] == member_id]
