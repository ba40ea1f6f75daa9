"""CRM and customer support: companies, contacts, a sales pipeline of deals, and support tickets
with an SLA report.

The domain is built for implicit chaining: a user names a person or a company ("open a ticket for
Maya Rossi", "move the Northwind renewal to negotiation"), the tools need internal ids
(`CT-20417`, `DL-5003`, `TK-70012`, `AG-301`) that only the search tools give, and tickets and deals
move through state machines whose invalid transitions fail with `InvalidStateError`.

Contacts use the shared people pool (`hardgen.world._data.person_name`, `email_of`), so a contact's
email also identifies them in other domains, e.g. the cross-domain chain
`crm.get_contact -> messaging.find_user_by_email -> messaging.send_chat_message`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Literal, cast

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from hardgen.tools import tool
from hardgen.world._data import CITIES, email_of, person_name
from hardgen.world._domain import Chain, Domain, load_attributes
from hardgen.world._errors import (
    ConflictError,
    InvalidArgumentError,
    InvalidStateError,
    NotFoundError,
    PermissionDeniedError,
)

_DOCS = ConfigDict(use_attribute_docstrings=True)

DealStage = Literal["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"]
TicketStatus = Literal["open", "in_progress", "resolved", "closed"]
TicketPriority = Literal["low", "normal", "high", "urgent"]
TicketCategory = Literal["billing", "technical", "account", "shipping", "feature_request"]
Resolution = Literal["fixed", "workaround", "duplicate", "wont_fix", "no_response"]

# The sales pipeline: a deal moves one stage forward at a time; it can be lost from any open stage.
PIPELINE: tuple[str, ...] = ("prospecting", "qualification", "proposal", "negotiation", "closed_won")
CLOSED_DEAL_STAGES = ("closed_won", "closed_lost")
# Days a ticket of each priority may stay unresolved before its SLA is breached.
SLA_DAYS: dict[str, int] = {"urgent": 1, "high": 2, "normal": 5, "low": 10}
TODAY = "2025-03-14"


@with_config(_DOCS)
class ContactSummary(TypedDict):
    contact_id: str
    """CRM contact id (e.g. CT-20417); pass it to get_contact or create_support_ticket."""
    name: str
    company_id: str
    """Company id (e.g. CO-1003) of the contact's employer."""
    company_name: str


class ContactList(TypedDict):
    contacts: list[ContactSummary]


@with_config(_DOCS)
class ContactDetails(TypedDict):
    contact_id: str
    """CRM contact id (e.g. CT-20417)."""
    name: str
    email: str
    """The contact's email address; other systems (chat, mail) look people up by it."""
    phone: str
    title: str
    company_id: str
    """Company id (e.g. CO-1003) of the contact's employer."""
    company_name: str


@with_config(_DOCS)
class CompanySummary(TypedDict):
    company_id: str
    """Company id (e.g. CO-1003)."""
    name: str
    industry: str
    city: str


class CompanyList(TypedDict):
    companies: list[CompanySummary]


@with_config(_DOCS)
class CompanyDetails(TypedDict):
    company_id: str
    """Company id (e.g. CO-1003)."""
    name: str
    industry: str
    city: str
    country: str
    website: str
    account_manager_id: str
    """Agent id (AG-...) of the sales agent who owns the account."""
    contact_count: int
    open_deal_count: int


@with_config(_DOCS)
class AgentSummary(TypedDict):
    agent_id: str
    """CRM agent id (e.g. AG-304); pass it to assign_ticket or get_sla_report."""
    name: str
    team: Literal["support", "sales"]
    email: str


class AgentList(TypedDict):
    agents: list[AgentSummary]


class StageChange(TypedDict):
    stage: str
    date: str


@with_config(_DOCS)
class DealSummary(TypedDict):
    deal_id: str
    """Deal id (e.g. DL-5003); pass it to get_deal or move_deal_to_stage."""
    name: str
    company_id: str
    stage: DealStage
    amount: float
    currency: str
    close_date: str


class DealList(TypedDict):
    deals: list[DealSummary]


@with_config(_DOCS)
class DealDetails(TypedDict):
    deal_id: str
    """Deal id (e.g. DL-5003)."""
    name: str
    company_id: str
    contact_id: str
    owner_agent_id: str
    stage: DealStage
    amount: float
    currency: str
    close_date: str
    """Expected close date, YYYY-MM-DD."""
    stage_history: list[StageChange]
    next_stages: list[str]
    """Stages this deal may move to next with move_deal_to_stage (empty once closed)."""


@with_config(_DOCS)
class TicketSummary(TypedDict):
    ticket_id: str
    """Support ticket id (e.g. TK-70012)."""
    subject: str
    contact_id: str
    status: TicketStatus
    priority: TicketPriority
    assigned_agent_id: str | None
    sla_due_date: str


class TicketList(TypedDict):
    tickets: list[TicketSummary]


class TicketComment(TypedDict):
    comment_id: str
    author: str
    text: str
    internal: bool
    date: str


@with_config(_DOCS)
class TicketDetails(TypedDict):
    ticket_id: str
    """Support ticket id (e.g. TK-70012)."""
    subject: str
    category: TicketCategory
    contact_id: str
    status: TicketStatus
    priority: TicketPriority
    assigned_agent_id: str | None
    """Agent id (AG-...) working on the ticket, or null while unassigned."""
    created_date: str
    sla_due_date: str
    """Date by which the ticket must be resolved to meet its SLA, YYYY-MM-DD."""
    resolved_date: str | None
    resolution: Resolution | None
    reopen_count: int
    comments: list[TicketComment]


class CommentReceipt(TypedDict):
    ticket_id: str
    comment_id: str
    comment_count: int


class SlaPriorityRow(TypedDict):
    priority: TicketPriority
    sla_days: int
    total: int
    unresolved: int
    breached: int
    compliance_pct: float
    avg_resolution_days: float | None


class SlaReport(TypedDict):
    as_of: str
    agent_id: str | None
    rows: list[SlaPriorityRow]
    overall_compliance_pct: float


def _date(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(f"{what} {value!r} is not a date; use YYYY-MM-DD") from None


class CrmAPI:
    """CRM and support desk of one company: accounts, contacts, deals, tickets and support agents."""

    def __init__(self) -> None:
        self.today: str = TODAY
        self.companies: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.agents: dict[str, dict[str, Any]] = {}
        self.deals: dict[str, dict[str, Any]] = {}
        self.tickets: dict[str, dict[str, Any]] = {}
        self.next_deal_number: int = 5001
        self.next_ticket_number: int = 70001
        self.next_comment_number: int = 1

    def load_state(self, state: dict[str, Any]) -> None:
        """Load a state made by `generate_state` (unknown keys are an error, not silently ignored)."""
        load_attributes(self, state, "CRM")

    # -- lookups -----------------------------------------------------------------------------------
    def _contact(self, contact_id: str) -> dict[str, Any]:
        if contact_id not in self.contacts:
            raise NotFoundError(
                f"no contact {contact_id!r}; use search_contacts to find contact ids by name or company"
            )
        return self.contacts[contact_id]

    def _company(self, company_id: str) -> dict[str, Any]:
        if company_id not in self.companies:
            raise NotFoundError(f"no company {company_id!r}; use search_companies to find company ids")
        return self.companies[company_id]

    def _agent(self, agent_id: str) -> dict[str, Any]:
        if agent_id not in self.agents:
            raise NotFoundError(f"no agent {agent_id!r}; use find_crm_agent to find agent ids by name")
        return self.agents[agent_id]

    def _deal(self, deal_id: str) -> dict[str, Any]:
        if deal_id not in self.deals:
            raise NotFoundError(f"no deal {deal_id!r}; use list_deals to find deal ids")
        return self.deals[deal_id]

    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        if ticket_id not in self.tickets:
            raise NotFoundError(f"no ticket {ticket_id!r}; use list_tickets to find ticket ids")
        return self.tickets[ticket_id]

    def _contact_summary(self, contact: dict[str, Any]) -> ContactSummary:
        company = self.companies[contact["company_id"]]
        return {
            "contact_id": contact["contact_id"],
            "name": contact["name"],
            "company_id": company["company_id"],
            "company_name": company["name"],
        }

    @staticmethod
    def _deal_summary(deal: dict[str, Any]) -> DealSummary:
        keys = ("deal_id", "name", "company_id", "stage", "amount", "currency", "close_date")
        return {k: deal[k] for k in keys}  # type: ignore[return-value]

    @staticmethod
    def _ticket_summary(ticket: dict[str, Any]) -> TicketSummary:
        keys = ("ticket_id", "subject", "contact_id", "status", "priority", "assigned_agent_id", "sla_due_date")
        return {k: ticket[k] for k in keys}  # type: ignore[return-value]

    @staticmethod
    def _next_stages(stage: str) -> list[str]:
        if stage in CLOSED_DEAL_STAGES:
            return []
        return [PIPELINE[PIPELINE.index(stage) + 1], "closed_lost"]

    def _deal_details(self, deal: dict[str, Any]) -> DealDetails:
        return {
            **self._deal_summary(deal),
            "contact_id": deal["contact_id"],
            "owner_agent_id": deal["owner_agent_id"],
            "stage_history": [dict(h) for h in deal["stage_history"]],  # type: ignore[misc]
            "next_stages": self._next_stages(deal["stage"]),
        }

    def _ticket_details(self, ticket: dict[str, Any]) -> TicketDetails:
        return {**ticket, "comments": [dict(c) for c in ticket["comments"]]}  # type: ignore[typeddict-item]

    # -- contacts and companies ------------------------------------------------------------------
    @tool
    def search_contacts(self, query: str) -> ContactList:
        """Search CRM contacts by person name or company name (case-insensitive, partial match).

        Use it to turn a name a user mentions into a contact id (CT-...) that the other contact and
        ticket tools need.

        Args:
            query: Part of a contact's full name (e.g. "Maya Rossi", "rossi") or of a company name
                (e.g. "Northwind").

        Returns:
            Matching contacts (at most 25) with their contact id and company.
        """
        needle = query.strip().lower()
        if not needle:
            raise InvalidArgumentError("query is empty; give part of a contact or company name")
        found = [
            self._contact_summary(c)
            for c in self.contacts.values()
            if needle in c["name"].lower() or needle in self.companies[c["company_id"]]["name"].lower()
        ]
        return {"contacts": sorted(found, key=lambda c: (c["name"], c["contact_id"]))[:25]}

    @tool
    def get_contact(self, contact_id: str) -> ContactDetails:
        """Get a contact's details: email, phone, job title and company.

        Needs a contact id from search_contacts or list_company_contacts.

        Args:
            contact_id: CRM contact id, e.g. "CT-20417".

        Returns:
            The contact's name, email, phone, title, company id and company name.
        """
        contact = self._contact(contact_id)
        company = self.companies[contact["company_id"]]
        return {**contact, "company_name": company["name"]}  # type: ignore[typeddict-item]

    @tool
    def search_companies(self, query: str = "", industry: str | None = None) -> CompanyList:
        """Search customer companies (accounts) by name and/or industry.

        Use it to turn a company name into the company id (CO-...) that list_deals, create_deal and
        list_company_contacts need.

        Args:
            query: Part of the company name (case-insensitive); empty matches every company.
            industry: Only companies of this industry, e.g. "Logistics" (case-insensitive exact match).

        Returns:
            Matching companies with id, name, industry and city.
        """
        needle = query.strip().lower()
        found = [
            cast(CompanySummary, {k: c[k] for k in ("company_id", "name", "industry", "city")})
            for c in self.companies.values()
            if needle in c["name"].lower() and (industry is None or c["industry"].lower() == industry.strip().lower())
        ]
        return {"companies": sorted(found, key=lambda c: c["name"])}

    @tool
    def get_company(self, company_id: str) -> CompanyDetails:
        """Get a company's account details, its account manager and how many contacts and open deals it has.

        Args:
            company_id: Company id, e.g. "CO-1003" (from search_companies or get_contact).

        Returns:
            The company's details, account manager agent id and counts.
        """
        company = self._company(company_id)
        return {
            **company,  # type: ignore[typeddict-item]
            "contact_count": sum(1 for c in self.contacts.values() if c["company_id"] == company_id),
            "open_deal_count": sum(
                1 for d in self.deals.values() if d["company_id"] == company_id and d["stage"] not in CLOSED_DEAL_STAGES
            ),
        }

    @tool
    def list_company_contacts(self, company_id: str) -> ContactList:
        """List every contact who works at a company.

        Args:
            company_id: Company id, e.g. "CO-1003" (from search_companies).

        Returns:
            The company's contacts with their contact ids.
        """
        self._company(company_id)
        found = [self._contact_summary(c) for c in self.contacts.values() if c["company_id"] == company_id]
        return {"contacts": sorted(found, key=lambda c: c["name"])}

    @tool
    def find_crm_agent(self, name: str) -> AgentList:
        """Find CRM agents (support and sales staff) by name, to get the agent id other tools need.

        Args:
            name: Part of the agent's full name (case-insensitive), e.g. "Hana".

        Returns:
            Matching agents with agent id, team and email.
        """
        needle = name.strip().lower()
        if not needle:
            raise InvalidArgumentError("name is empty; give part of the agent's name")
        found = [cast(AgentSummary, dict(a)) for a in self.agents.values() if needle in a["name"].lower()]
        return {"agents": sorted(found, key=lambda a: a["name"])}

    # -- deals -------------------------------------------------------------------------------------
    @tool
    def list_deals(self, company_id: str | None = None, stage: DealStage | None = None) -> DealList:
        """List sales deals (opportunities), optionally for one company and/or in one pipeline stage.

        Args:
            company_id: Only deals of this company id (from search_companies), e.g. "CO-1003".
            stage: Only deals in this stage.

        Returns:
            Matching deals with deal id, stage, amount and expected close date.
        """
        if company_id is not None:
            self._company(company_id)
        found = [
            self._deal_summary(d)
            for d in self.deals.values()
            if (company_id is None or d["company_id"] == company_id) and (stage is None or d["stage"] == stage)
        ]
        return {"deals": sorted(found, key=lambda d: d["deal_id"])}

    @tool
    def get_deal(self, deal_id: str) -> DealDetails:
        """Get a deal's details, its stage history and the stages it may move to next.

        Args:
            deal_id: Deal id, e.g. "DL-5003" (from list_deals).

        Returns:
            The deal with contact, owner, amount, stage history and allowed next stages.
        """
        return self._deal_details(self._deal(deal_id))

    @tool(mutates=True, requires=["search_companies", "list_company_contacts"])
    def create_deal(
        self, company_id: str, contact_id: str, name: str, amount: float, close_date: str, currency: str = "USD"
    ) -> DealDetails:
        """Open a new sales deal in the "prospecting" stage, owned by the company's account manager.

        Needs the company id and the id of a contact who works there (search_contacts, get_contact).

        Args:
            company_id: Company id, e.g. "CO-1003".
            contact_id: Id of the company's contact for this deal, e.g. "CT-20417".
            name: Deal name, unique within the company, e.g. "2025 renewal".
            amount: Expected deal value, greater than 0.
            close_date: Expected close date, YYYY-MM-DD, not in the past.
            currency: ISO currency code of the amount: USD, EUR or GBP.

        Returns:
            The new deal.
        """
        company = self._company(company_id)
        contact = self._contact(contact_id)
        if contact["company_id"] != company_id:
            raise InvalidArgumentError(
                f"contact {contact_id} works for {contact['company_id']}, not {company_id}; "
                "use list_company_contacts to pick one of its contacts"
            )
        title = name.strip()
        if not title or len(title) > 80:
            raise InvalidArgumentError("deal name must be 1 to 80 characters")
        if amount <= 0:
            raise InvalidArgumentError(f"amount must be greater than 0, got {amount}")
        if currency not in ("USD", "EUR", "GBP"):
            raise InvalidArgumentError(f"unsupported currency {currency!r}; use USD, EUR or GBP")
        if _date(close_date, "close_date") < _date(self.today, "today"):
            raise InvalidArgumentError(f"close_date {close_date} is in the past (today is {self.today})")
        for d in self.deals.values():
            if d["company_id"] == company_id and d["name"].lower() == title.lower():
                raise ConflictError(f"{company['name']} already has a deal named {title!r} ({d['deal_id']})")
        deal_id = f"DL-{self.next_deal_number}"
        self.next_deal_number += 1
        deal = {
            "deal_id": deal_id,
            "name": title,
            "company_id": company_id,
            "contact_id": contact_id,
            "owner_agent_id": company["account_manager_id"],
            "stage": "prospecting",
            "amount": round(float(amount), 2),
            "currency": currency,
            "close_date": close_date,
            "stage_history": [{"stage": "prospecting", "date": self.today}],
        }
        self.deals[deal_id] = deal
        return self._deal_details(deal)

    @tool(mutates=True, requires=["list_deals"])
    def move_deal_to_stage(self, deal_id: str, stage: DealStage) -> DealDetails:
        """Move a deal along the sales pipeline.

        The pipeline is prospecting -> qualification -> proposal -> negotiation -> closed_won; a deal
        moves one stage forward at a time (no skipping, no going back) and may be marked closed_lost
        from any open stage. Closed deals cannot move. get_deal lists the allowed next stages.

        Args:
            deal_id: Deal id, e.g. "DL-5003" (from list_deals).
            stage: The stage to move the deal to.

        Returns:
            The updated deal.
        """
        deal = self._deal(deal_id)
        allowed = self._next_stages(deal["stage"])
        if stage not in allowed:
            if not allowed:
                raise InvalidStateError(f"deal {deal_id} is {deal['stage']}; closed deals cannot change stage")
            raise InvalidStateError(
                f"deal {deal_id} is in {deal['stage']}; it can move to {' or '.join(allowed)}, not {stage}"
            )
        deal["stage"] = stage
        deal["stage_history"].append({"stage": stage, "date": self.today})
        return self._deal_details(deal)

    # -- tickets -----------------------------------------------------------------------------------
    @tool
    def list_tickets(
        self,
        contact_id: str | None = None,
        status: TicketStatus | None = None,
        priority: TicketPriority | None = None,
        assigned_agent_id: str | None = None,
    ) -> TicketList:
        """List support tickets, filtered by contact, status, priority and/or assigned agent.

        Args:
            contact_id: Only tickets raised by this contact id (from search_contacts).
            status: Only tickets in this status.
            priority: Only tickets of this priority.
            assigned_agent_id: Only tickets assigned to this agent id (from find_crm_agent).

        Returns:
            Matching tickets, newest first.
        """
        if contact_id is not None:
            self._contact(contact_id)
        if assigned_agent_id is not None:
            self._agent(assigned_agent_id)
        found = [
            self._ticket_summary(t)
            for t in self.tickets.values()
            if (contact_id is None or t["contact_id"] == contact_id)
            and (status is None or t["status"] == status)
            and (priority is None or t["priority"] == priority)
            and (assigned_agent_id is None or t["assigned_agent_id"] == assigned_agent_id)
        ]
        return {"tickets": sorted(found, key=lambda t: t["ticket_id"], reverse=True)}

    @tool
    def get_ticket(self, ticket_id: str) -> TicketDetails:
        """Get a support ticket with its status, SLA due date, resolution and comment thread.

        Args:
            ticket_id: Ticket id, e.g. "TK-70012" (from list_tickets or create_support_ticket).

        Returns:
            The full ticket.
        """
        return self._ticket_details(self._ticket(ticket_id))

    @tool(mutates=True, requires=["search_contacts"])
    def create_support_ticket(
        self, contact_id: str, subject: str, category: TicketCategory, priority: TicketPriority = "normal"
    ) -> TicketDetails:
        """Open a support ticket on behalf of a contact. The ticket starts "open" and unassigned.

        Needs the contact id (search_contacts turns a person's name into it).

        Args:
            contact_id: Id of the contact reporting the issue, e.g. "CT-20417".
            subject: One-line summary of the issue (1 to 120 characters).
            category: Kind of issue.
            priority: How urgent it is; sets the SLA due date (urgent 1 day, high 2, normal 5, low 10).

        Returns:
            The new ticket with its ticket id.
        """
        self._contact(contact_id)
        text = subject.strip()
        if not text or len(text) > 120:
            raise InvalidArgumentError("subject must be 1 to 120 characters")
        ticket_id = f"TK-{self.next_ticket_number}"
        self.next_ticket_number += 1
        today = _date(self.today, "today")
        ticket: dict[str, Any] = {
            "ticket_id": ticket_id,
            "subject": text,
            "category": category,
            "contact_id": contact_id,
            "status": "open",
            "priority": priority,
            "assigned_agent_id": None,
            "created_date": self.today,
            "sla_due_date": (today + dt.timedelta(days=SLA_DAYS[priority])).isoformat(),
            "resolved_date": None,
            "resolution": None,
            "reopen_count": 0,
            "comments": [],
        }
        self.tickets[ticket_id] = ticket
        return self._ticket_details(ticket)

    @tool(mutates=True, requires=["find_crm_agent"])
    def assign_ticket(self, ticket_id: str, agent_id: str) -> TicketDetails:
        """Assign (or reassign) a ticket to a support agent; an open ticket becomes "in_progress".

        Only agents of the support team take tickets; resolved or closed tickets cannot be assigned
        (reopen a resolved ticket first). find_crm_agent turns an agent's name into the agent id.

        Args:
            ticket_id: Ticket id, e.g. "TK-70012".
            agent_id: Support agent id, e.g. "AG-304".

        Returns:
            The updated ticket.
        """
        ticket = self._ticket(ticket_id)
        agent = self._agent(agent_id)
        if agent["team"] != "support":
            raise PermissionDeniedError(
                f"{agent['name']} ({agent_id}) is on the {agent['team']} team; only support agents take tickets"
            )
        if ticket["status"] in ("resolved", "closed"):
            raise InvalidStateError(f"ticket {ticket_id} is {ticket['status']}; reopen it before reassigning")
        ticket["assigned_agent_id"] = agent_id
        ticket["status"] = "in_progress"
        return self._ticket_details(ticket)

    @tool(mutates=True)
    def set_ticket_priority(self, ticket_id: str, priority: TicketPriority) -> TicketDetails:
        """Change an unresolved ticket's priority; its SLA due date is recomputed from the creation date.

        Args:
            ticket_id: Ticket id, e.g. "TK-70012".
            priority: The new priority.

        Returns:
            The updated ticket.
        """
        ticket = self._ticket(ticket_id)
        if ticket["status"] in ("resolved", "closed"):
            raise InvalidStateError(
                f"ticket {ticket_id} is {ticket['status']}; only unresolved tickets change priority"
            )
        ticket["priority"] = priority
        created = _date(ticket["created_date"], "created_date")
        ticket["sla_due_date"] = (created + dt.timedelta(days=SLA_DAYS[priority])).isoformat()
        return self._ticket_details(ticket)

    @tool(mutates=True)
    def add_ticket_comment(
        self, ticket_id: str, text: str, author_agent_id: str | None = None, internal: bool = False
    ) -> CommentReceipt:
        """Add a comment to a ticket's thread (not allowed on closed tickets).

        Args:
            ticket_id: Ticket id, e.g. "TK-70012".
            text: The comment (1 to 2000 characters).
            author_agent_id: Agent id writing the comment; omit for a note from the customer side.
            internal: True for an internal note the customer does not see.

        Returns:
            The new comment id and the ticket's comment count.
        """
        ticket = self._ticket(ticket_id)
        body = text.strip()
        if not body or len(body) > 2000:
            raise InvalidArgumentError("comment text must be 1 to 2000 characters")
        author = "customer" if author_agent_id is None else self._agent(author_agent_id)["name"]
        if ticket["status"] == "closed":
            raise InvalidStateError(f"ticket {ticket_id} is closed; create a new ticket instead")
        comment_id = f"CM-{self.next_comment_number}"
        self.next_comment_number += 1
        ticket["comments"].append(
            {"comment_id": comment_id, "author": author, "text": body, "internal": internal, "date": self.today}
        )
        return {"ticket_id": ticket_id, "comment_id": comment_id, "comment_count": len(ticket["comments"])}

    @tool(mutates=True, requires=["assign_ticket"])
    def resolve_ticket(self, ticket_id: str, resolution: Resolution) -> TicketDetails:
        """Mark an open or in-progress ticket resolved. The ticket must be assigned to an agent first.

        Args:
            ticket_id: Ticket id, e.g. "TK-70012".
            resolution: How it was resolved.

        Returns:
            The resolved ticket.
        """
        ticket = self._ticket(ticket_id)
        if ticket["status"] in ("resolved", "closed"):
            raise InvalidStateError(f"ticket {ticket_id} is already {ticket['status']}")
        if ticket["assigned_agent_id"] is None:
            raise InvalidStateError(f"ticket {ticket_id} is unassigned; assign_ticket it to a support agent first")
        ticket["status"] = "resolved"
        ticket["resolution"] = resolution
        ticket["resolved_date"] = self.today
        return self._ticket_details(ticket)

    @tool(mutates=True, requires=["resolve_ticket"])
    def close_ticket(self, ticket_id: str) -> TicketDetails:
        """Close a resolved ticket for good. Only resolved tickets can be closed; closed ones are final.

        Args:
            ticket_id: Ticket id, e.g. "TK-70012".

        Returns:
            The closed ticket.
        """
        ticket = self._ticket(ticket_id)
        if ticket["status"] != "resolved":
            raise InvalidStateError(f"ticket {ticket_id} is {ticket['status']}; resolve it before closing")
        ticket["status"] = "closed"
        return self._ticket_details(ticket)

    @tool(mutates=True, requires=["resolve_ticket"])
    def reopen_ticket(self, ticket_id: str, reason: str) -> TicketDetails:
        """Reopen a resolved ticket (back to "in_progress" with the same agent). Closed tickets are final.

        Args:
            ticket_id: Ticket id, e.g. "TK-70012".
            reason: Why it is reopened (1 to 500 characters); added to the thread as a customer comment.

        Returns:
            The reopened ticket.
        """
        ticket = self._ticket(ticket_id)
        if ticket["status"] != "resolved":
            hint = "; create a new ticket instead" if ticket["status"] == "closed" else ""
            raise InvalidStateError(f"ticket {ticket_id} is {ticket['status']}; only resolved tickets reopen{hint}")
        body = reason.strip()
        if not body or len(body) > 500:
            raise InvalidArgumentError("reason must be 1 to 500 characters")
        comment_id = f"CM-{self.next_comment_number}"
        self.next_comment_number += 1
        ticket["comments"].append(
            {"comment_id": comment_id, "author": "customer", "text": body, "internal": False, "date": self.today}
        )
        ticket.update(
            status="in_progress", resolved_date=None, resolution=None, reopen_count=ticket["reopen_count"] + 1
        )
        return self._ticket_details(ticket)

    @tool
    def get_sla_report(self, agent_id: str | None = None) -> SlaReport:
        """SLA compliance of support tickets as of today, per priority, for everyone or one agent.

        A ticket breaches its SLA when it was resolved after its due date, or is still unresolved
        past it.

        Args:
            agent_id: Only tickets assigned to this agent id (from find_crm_agent); omit for the whole desk.

        Returns:
            Per priority: totals, unresolved, breached, compliance percentage and average days to resolve.
        """
        if agent_id is not None:
            self._agent(agent_id)
        today = _date(self.today, "today")
        rows: list[SlaPriorityRow] = []
        all_total = all_breached = 0
        for priority in ("urgent", "high", "normal", "low"):
            tickets = [
                t
                for t in self.tickets.values()
                if t["priority"] == priority and (agent_id is None or t["assigned_agent_id"] == agent_id)
            ]
            breached = 0
            durations = []
            for t in tickets:
                due = _date(t["sla_due_date"], "sla_due_date")
                if t["resolved_date"]:
                    done = _date(t["resolved_date"], "resolved_date")
                    durations.append((done - _date(t["created_date"], "created_date")).days)
                    breached += done > due
                else:
                    breached += today > due
            total = len(tickets)
            all_total += total
            all_breached += breached
            rows.append(
                {
                    "priority": priority,
                    "sla_days": SLA_DAYS[priority],
                    "total": total,
                    "unresolved": sum(1 for t in tickets if t["status"] in ("open", "in_progress")),
                    "breached": breached,
                    "compliance_pct": round(100.0 * (total - breached) / total, 1) if total else 100.0,
                    "avg_resolution_days": round(sum(durations) / len(durations), 2) if durations else None,
                }
            )
        overall = round(100.0 * (all_total - all_breached) / all_total, 1) if all_total else 100.0
        return {"as_of": self.today, "agent_id": agent_id, "rows": rows, "overall_compliance_pct": overall}


# -- generated worlds ----------------------------------------------------------------------------
_COMPANY_NAMES = (
    "Northwind Traders",
    "Bluepeak Analytics",
    "Harborline Logistics",
    "Cobalt Health",
    "Fernhill Foods",
    "Quartzline Energy",
    "Lumen Retail",
    "Brightwater Insurance",
    "Ironclad Manufacturing",
    "Sagebrush Media",
    "Tidewell Telecom",
    "Oakmont Legal",
    "Pinecrest Hotels",
    "Redstone Mining",
    "Skyward Aviation",
    "Verdant Agritech",
    "Meridian Pharma",
    "Copperleaf Design",
    "Silverline Robotics",
    "Granite Bank",
)
_INDUSTRIES = {
    "Northwind Traders": "Wholesale",
    "Bluepeak Analytics": "Software",
    "Harborline Logistics": "Logistics",
    "Cobalt Health": "Healthcare",
    "Fernhill Foods": "Food & Beverage",
    "Quartzline Energy": "Energy",
    "Lumen Retail": "Retail",
    "Brightwater Insurance": "Insurance",
    "Ironclad Manufacturing": "Manufacturing",
    "Sagebrush Media": "Media",
    "Tidewell Telecom": "Telecommunications",
    "Oakmont Legal": "Legal",
    "Pinecrest Hotels": "Hospitality",
    "Redstone Mining": "Mining",
    "Skyward Aviation": "Aviation",
    "Verdant Agritech": "Agriculture",
    "Meridian Pharma": "Healthcare",
    "Copperleaf Design": "Media",
    "Silverline Robotics": "Manufacturing",
    "Granite Bank": "Finance",
}
_TITLES = (
    "CTO",
    "Head of Procurement",
    "Operations Manager",
    "IT Director",
    "Finance Manager",
    "Office Manager",
    "VP Sales",
    "Product Owner",
    "Customer Success Lead",
    "Purchasing Agent",
)
_SUBJECTS = {
    "billing": ("Invoice shows the wrong amount", "Charged twice this month", "Need a copy of last invoice"),
    "technical": (
        "Dashboard fails to load",
        "API returns 500 errors",
        "Export to CSV is empty",
        "Login page times out",
    ),
    "account": ("Add a new admin user", "Reset two-factor authentication", "Change company address"),
    "shipping": ("Order arrived damaged", "Tracking number not updating", "Delivery to wrong warehouse"),
    "feature_request": ("Request dark mode", "Request SSO with Okta", "Bulk edit for records"),
}
_DEAL_NAMES = ("Annual renewal", "Platform expansion", "Pilot project", "Enterprise upgrade", "Support add-on")


def generate_state(seed: int) -> dict[str, Any]:
    """A CRM world: 12 companies, about 50 contacts, 8 agents, 20 deals and 36 tickets, from `seed`."""
    rng = random.Random(seed)
    today = dt.date.fromisoformat(TODAY)
    # People 0-99 of the shared pool (HR uses 100-199), so every contact is also a chat user.
    people = rng.sample(range(100), 66)
    agents: dict[str, Any] = {}
    for i, person in enumerate(people[:8]):
        agent_id = f"AG-{301 + i}"
        name = person_name(person)
        agents[agent_id] = {
            "agent_id": agent_id,
            "name": name,
            "team": "sales" if i < 3 else "support",
            "email": email_of(name, "support.example.com" if i >= 3 else "sales.example.com"),
        }
    sales_agents = [a for a in agents if agents[a]["team"] == "sales"]
    support_agents = [a for a in agents if agents[a]["team"] == "support"]

    companies: dict[str, Any] = {}
    company_ids = rng.sample(range(1001, 1100), 12)
    for company_id_number, name in zip(company_ids, rng.sample(_COMPANY_NAMES, 12), strict=True):
        city = rng.choice(CITIES)
        company_id = f"CO-{company_id_number}"
        companies[company_id] = {
            "company_id": company_id,
            "name": name,
            "industry": _INDUSTRIES[name],
            "city": city[0],
            "country": city[1],
            "website": "www." + name.lower().split()[0] + ".example",
            "account_manager_id": rng.choice(sales_agents),
        }
    company_list = list(companies)

    contacts: dict[str, Any] = {}
    for i, person in enumerate(people[8:]):
        contact_id = f"CT-{rng.randint(20000, 29999)}"
        while contact_id in contacts:
            contact_id = f"CT-{rng.randint(20000, 29999)}"
        name = person_name(person)
        contacts[contact_id] = {
            "contact_id": contact_id,
            "name": name,
            "email": email_of(name),
            "phone": f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            "title": rng.choice(_TITLES),
            # every company gets at least one contact; the rest are spread at random
            "company_id": company_list[i] if i < len(company_list) else rng.choice(company_list),
        }
    contact_list = list(contacts.values())

    deals: dict[str, Any] = {}
    number = 5001
    for _ in range(20):
        contact = rng.choice(contact_list)
        company = companies[contact["company_id"]]
        name = rng.choice(_DEAL_NAMES)
        if any(d["company_id"] == company["company_id"] and d["name"] == name for d in deals.values()):
            continue
        reached = rng.randint(0, len(PIPELINE) - 1)
        stage = PIPELINE[reached] if rng.random() > 0.15 else "closed_lost"
        started = today - dt.timedelta(days=rng.randint(20, 120))
        history = [
            {"stage": s, "date": (started + dt.timedelta(days=7 * k)).isoformat()}
            for k, s in enumerate(PIPELINE[: reached + 1])
        ]
        if stage == "closed_lost":
            history.append(
                {"stage": "closed_lost", "date": (started + dt.timedelta(days=7 * (reached + 1))).isoformat()}
            )
        deal_id = f"DL-{number}"
        number += 1
        deals[deal_id] = {
            "deal_id": deal_id,
            "name": name,
            "company_id": company["company_id"],
            "contact_id": contact["contact_id"],
            "owner_agent_id": company["account_manager_id"],
            "stage": stage,
            "amount": float(rng.randrange(5_000, 250_000, 500)),
            "currency": rng.choice(("USD", "USD", "EUR", "GBP")),
            "close_date": (today + dt.timedelta(days=rng.randint(-10, 120))).isoformat(),
            "stage_history": history,
        }

    tickets: dict[str, Any] = {}
    comment_number = 1
    ticket_numbers = sorted(rng.sample(range(70001, 70900), 36))
    for ticket_number in ticket_numbers:
        category = rng.choice(list(_SUBJECTS))
        priority = rng.choice(("low", "normal", "normal", "high", "urgent"))
        status = rng.choice(("open", "in_progress", "in_progress", "resolved", "closed"))
        created = today - dt.timedelta(days=rng.randint(0, 30))
        resolved = None
        if status in ("resolved", "closed"):
            resolved = min(today, created + dt.timedelta(days=rng.randint(0, SLA_DAYS[priority] + 3))).isoformat()
        comments = []
        for _ in range(rng.randint(0, 2)):
            comments.append(
                {
                    "comment_id": f"CM-{comment_number}",
                    "author": "customer",
                    "text": "Any update on this?",
                    "internal": False,
                    "date": created.isoformat(),
                }
            )
            comment_number += 1
        ticket_id = f"TK-{ticket_number}"
        tickets[ticket_id] = {
            "ticket_id": ticket_id,
            "subject": rng.choice(_SUBJECTS[category]),
            "category": category,
            "contact_id": rng.choice(contact_list)["contact_id"],
            "status": status,
            "priority": priority,
            "assigned_agent_id": None if status == "open" else rng.choice(support_agents),
            "created_date": created.isoformat(),
            "sla_due_date": (created + dt.timedelta(days=SLA_DAYS[priority])).isoformat(),
            "resolved_date": resolved,
            "resolution": rng.choice(("fixed", "fixed", "workaround", "duplicate")) if resolved else None,
            "reopen_count": 0,
            "comments": comments,
        }
    return {
        "today": TODAY,
        "companies": companies,
        "contacts": contacts,
        "agents": agents,
        "deals": deals,
        "tickets": tickets,
        "next_deal_number": number,
        "next_ticket_number": ticket_numbers[-1] + 1,
        "next_comment_number": comment_number,
    }


DOMAIN = Domain(
    name="crm",
    description=(
        "CRM and customer support: search contacts and companies, manage a sales pipeline of deals, "
        "open, assign, comment on, resolve, close and reopen support tickets, and report SLA compliance."
    ),
    environment_class=CrmAPI,
    generate_state=generate_state,
    chains=(
        Chain(
            "support_ticket_lifecycle",
            "Open a ticket for a person named by the user, give it to an agent named by the user, then resolve "
            "and close it: the contact id, ticket id and agent id all come from earlier calls, and resolving "
            "needs the assignment.",
            (
                "search_contacts",
                "create_support_ticket",
                "find_crm_agent",
                "assign_ticket",
                "resolve_ticket",
                "close_ticket",
            ),
        ),
        Chain(
            "advance_company_deal",
            "Move a company's deal to the next pipeline stage: company name -> company id -> deal id -> stage change.",
            ("search_companies", "list_deals", "move_deal_to_stage"),
        ),
        Chain(
            "deal_for_contact",
            "Open a deal with the company of a named contact and qualify it: get_contact gives the company id "
            "create_deal needs, create_deal gives the deal id the stage change needs.",
            ("search_contacts", "get_contact", "create_deal", "move_deal_to_stage"),
        ),
        Chain(
            "reopen_customer_ticket",
            "A customer says their resolved issue is back: find their contact id, their resolved ticket, "
            "reopen it and hand it to a named agent.",
            ("search_contacts", "list_tickets", "reopen_ticket", "assign_ticket"),
        ),
        Chain(
            "agent_workload_followup",
            "Find an agent by name, list the tickets assigned to them, and escalate one.",
            ("find_crm_agent", "list_tickets", "set_ticket_priority"),
        ),
        Chain(
            "chat_with_contact",
            "Message a CRM contact on the team chat: the contact's email from get_contact finds their chat user id.",
            ("search_contacts", "get_contact", "messaging.find_user_by_email", "messaging.send_chat_message"),
        ),
    ),
    examples={
        "search_contacts": [("search_contacts", {"query": "Mateo Novak"})],
        "get_contact": [
            ("search_contacts", {"query": "Mateo Novak"}),
            ("get_contact", {"contact_id": "$0.contacts.0.contact_id"}),
        ],
        "search_companies": [("search_companies", {"query": "Lumen"})],
        "get_company": [
            ("search_companies", {"query": "Lumen"}),
            ("get_company", {"company_id": "$0.companies.0.company_id"}),
        ],
        "list_company_contacts": [
            ("search_companies", {"query": "Lumen"}),
            ("list_company_contacts", {"company_id": "$0.companies.0.company_id"}),
        ],
        "find_crm_agent": [("find_crm_agent", {"name": "Farid"})],
        "list_deals": [
            ("search_companies", {"query": "Lumen"}),
            ("list_deals", {"company_id": "$0.companies.0.company_id"}),
        ],
        "get_deal": [("list_deals", {"stage": "proposal"}), ("get_deal", {"deal_id": "$0.deals.0.deal_id"})],
        "create_deal": [
            ("search_contacts", {"query": "Mateo Novak"}),
            (
                "create_deal",
                {
                    "company_id": "$0.contacts.0.company_id",
                    "contact_id": "$0.contacts.0.contact_id",
                    "name": "2025 expansion",
                    "amount": 48000,
                    "close_date": "2025-06-30",
                },
            ),
        ],
        "move_deal_to_stage": [
            ("list_deals", {"stage": "proposal"}),
            ("move_deal_to_stage", {"deal_id": "$0.deals.0.deal_id", "stage": "negotiation"}),
        ],
        "list_tickets": [("list_tickets", {"status": "open", "priority": "high"})],
        "get_ticket": [("list_tickets", {"status": "open"}), ("get_ticket", {"ticket_id": "$0.tickets.0.ticket_id"})],
        "create_support_ticket": [
            ("search_contacts", {"query": "Mateo Novak"}),
            (
                "create_support_ticket",
                {
                    "contact_id": "$0.contacts.0.contact_id",
                    "subject": "Invoice shows the wrong amount",
                    "category": "billing",
                    "priority": "high",
                },
            ),
        ],
        "assign_ticket": [
            ("list_tickets", {"status": "open"}),
            ("find_crm_agent", {"name": "Farid"}),
            ("assign_ticket", {"ticket_id": "$0.tickets.0.ticket_id", "agent_id": "$1.agents.0.agent_id"}),
        ],
        "set_ticket_priority": [
            ("list_tickets", {"status": "open"}),
            ("set_ticket_priority", {"ticket_id": "$0.tickets.0.ticket_id", "priority": "urgent"}),
        ],
        "add_ticket_comment": [
            ("list_tickets", {"status": "in_progress"}),
            ("find_crm_agent", {"name": "Farid"}),
            (
                "add_ticket_comment",
                {
                    "ticket_id": "$0.tickets.0.ticket_id",
                    "text": "Reproduced on our side; a fix ships Monday.",
                    "author_agent_id": "$1.agents.0.agent_id",
                },
            ),
        ],
        "resolve_ticket": [
            ("list_tickets", {"status": "in_progress"}),
            ("resolve_ticket", {"ticket_id": "$0.tickets.0.ticket_id", "resolution": "fixed"}),
        ],
        "close_ticket": [
            ("list_tickets", {"status": "resolved"}),
            ("close_ticket", {"ticket_id": "$0.tickets.0.ticket_id"}),
        ],
        "reopen_ticket": [
            ("list_tickets", {"status": "resolved"}),
            (
                "reopen_ticket",
                {"ticket_id": "$0.tickets.0.ticket_id", "reason": "The error is back since this morning."},
            ),
        ],
        "get_sla_report": [
            ("find_crm_agent", {"name": "Farid"}),
            ("get_sla_report", {"agent_id": "$0.agents.0.agent_id"}),
        ],
    },
)
