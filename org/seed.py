"""The demo org: one org, two demo users, demo Accounts, Contacts, Assets, Opportunities and
Cases (the shared, read-only records every data space sees), a first signing key.

Seeding is idempotent: it fills in what is missing and never touches what exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from org import ids
from org.events.definitions import seed_definitions
from org.keys import create_signing_key
from org.models import Org, OrgUser, Record, SigningKey
from org.rest.schema import SOBJECTS

ORG_NAME = "Handshake Demo Org"
DEMO_PASSWORD = "handshake-demo"  # noqa: S105 - printed on the login page on purpose


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    security_token: str
    timezone: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("ada@handshake.example", "Ada", "Lovelace", "AdaDemoToken7f3K9qLx2", "Europe/London"),
    DemoUser(
        "grace@handshake.example", "Grace", "Hopper", "GraceDemoToken4mB8vRw1", "America/New_York"
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    name: str
    account_type: str
    industry: str
    phone: str
    website: str
    city: str
    country: str
    employees: int
    contacts: tuple[tuple[str, str, str, str], ...]  # first, last, title, email


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "Analytical Engines Ltd",
        "Customer - Direct",
        "Technology",
        "+44 20 7946 0101",
        "https://engines.example",
        "London",
        "United Kingdom",
        240,
        (
            ("Charles", "Babbage", "Chief Engineer", "charles@engines.example"),
            ("Mary", "Somerville", "Head of Research", "mary@engines.example"),
        ),
    ),
    DemoAccount(
        "Harbour Freight Logistics",
        "Customer - Channel",
        "Transportation",
        "+1 212 555 0142",
        "https://harbour-freight.example",
        "New York",
        "United States",
        1800,
        (
            ("Jean", "Bartik", "Operations Director", "jean@harbour-freight.example"),
            ("Kathleen", "Booth", "Integration Lead", "kathleen@harbour-freight.example"),
        ),
    ),
    DemoAccount(
        "Northwind Health",
        "Prospect",
        "Healthcare",
        "+49 30 5550 1234",
        "https://northwind-health.example",
        "Berlin",
        "Germany",
        620,
        (("Hedy", "Lamarr", "CIO", "hedy@northwind-health.example"),),
    ),
    DemoAccount(
        "Blue Ridge Energy",
        "Customer - Direct",
        "Energy",
        "+1 828 555 0199",
        "https://blueridge-energy.example",
        "Asheville",
        "United States",
        3100,
        (
            ("Katherine", "Johnson", "VP Analytics", "katherine@blueridge-energy.example"),
            ("Dorothy", "Vaughan", "Platform Architect", "dorothy@blueridge-energy.example"),
        ),
    ),
    DemoAccount(
        "Kestrel Retail Group",
        "Partner",
        "Retail",
        "+61 2 5550 8800",
        "https://kestrel-retail.example",
        "Sydney",
        "Australia",
        950,
        (("Radia", "Perlman", "Network Manager", "radia@kestrel-retail.example"),),
    ),
)


@dataclass(frozen=True)
class DemoAsset:
    name: str
    serial_number: str
    product: str
    account: str


# Connected devices for the asset token flow; an actor token names one by Id or Name.
DEMO_ASSETS: tuple[DemoAsset, ...] = (
    DemoAsset("Boiler Monitor BM-7", "BM7-0001-LDN", "Boiler Monitor", "Analytical Engines Ltd"),
    DemoAsset(
        "Cold Chain Sensor CC-2", "CC2-4410-NYC", "Cold Chain Sensor", "Harbour Freight Logistics"
    ),
    DemoAsset("Infusion Pump IP-3", "IP3-0093-BER", "Infusion Pump", "Northwind Health"),
    DemoAsset("Smart Meter SM-40", "SM40-7781-AVL", "Smart Meter", "Blue Ridge Energy"),
)

# Opportunities and cases, so remote call-in and batch examples have more than accounts.
DEMO_OPPORTUNITIES: tuple[dict[str, object], ...] = (
    {"Name": "Engines - Sensor Rollout", "StageName": "Proposal/Price Quote",
     "CloseDate": "2026-12-15", "Amount": 48000, "Probability": 75,
     "account": "Analytical Engines Ltd"},
    {"Name": "Harbour - Fleet Tracking", "StageName": "Qualification",
     "CloseDate": "2027-02-28", "Amount": 125000, "Probability": 20,
     "account": "Harbour Freight Logistics"},
    {"Name": "Northwind - Pump Telemetry", "StageName": "Closed Won",
     "CloseDate": "2026-09-30", "Amount": 67500, "Probability": 100,
     "account": "Northwind Health"},
)  # fmt: skip
DEMO_CASES: tuple[dict[str, object], ...] = (
    {"Subject": "Boiler monitor stopped reporting", "Status": "Working", "Priority": "High",
     "Origin": "Phone", "Type": "Problem", "account": "Analytical Engines Ltd"},
    {"Subject": "Meter readings arrive twice", "Status": "New", "Priority": "Medium",
     "Origin": "Web", "Type": "Problem", "account": "Blue Ridge Energy"},
)  # fmt: skip


def security_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_org() -> Org:
    """The one org this site simulates, seeded on first use so it always exists."""
    org = Org.objects.order_by("pk").first()
    return org if org is not None else seed_org()


def seed_org() -> Org:
    try:
        with transaction.atomic():
            return _seed()
    except IntegrityError:
        # Another process seeded at the same moment; its rows are the org now.
        with transaction.atomic():
            return _seed()


def _seed() -> Org:
    org = Org.objects.order_by("pk").first()
    if org is None:
        org = Org.objects.create(
            org_id=ids.new_record_id(ids.ORG_PREFIX),
            name=ORG_NAME,
            # A training org: the discouraged flows may be switched on per app.
            allow_username_password_flow=True,
            allow_user_agent_flow=True,
        )
    user_model = get_user_model()
    for demo in DEMO_USERS:
        user = user_model.objects.filter(username=demo.username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=demo.username,
                email=demo.username,
                password=DEMO_PASSWORD,
                first_name=demo.first_name,
                last_name=demo.last_name,
            )
        if not OrgUser.objects.filter(user=user).exists():
            OrgUser.objects.create(
                user=user,
                org=org,
                record_id=ids.new_record_id(ids.USER_PREFIX),
                timezone=demo.timezone,
                security_token_hash=security_token_hash(demo.security_token),
            )
    seed_definitions(org)
    owner = OrgUser.objects.filter(org=org).order_by("pk").first()
    for demo_account in DEMO_ACCOUNTS:
        account = _seed_record(
            org,
            owner,
            "Account",
            "Name",
            {
                "Name": demo_account.name,
                "Type": demo_account.account_type,
                "Industry": demo_account.industry,
                "Phone": demo_account.phone,
                "Website": demo_account.website,
                "BillingCity": demo_account.city,
                "BillingCountry": demo_account.country,
                "NumberOfEmployees": demo_account.employees,
            },
        )
        for first, last, title, email in demo_account.contacts:
            _seed_record(
                org,
                owner,
                "Contact",
                "Email",
                {
                    "FirstName": first,
                    "LastName": last,
                    "Title": title,
                    "Email": email,
                    "Phone": demo_account.phone,
                    "AccountId": account.record_id,
                },
            )
    accounts = dict(
        Record.objects.filter(org=org, sobject="Account", seeded=True).values_list(
            "fields__Name", "record_id"
        )
    )
    for demo_asset in DEMO_ASSETS:
        _seed_record(
            org,
            owner,
            "Asset",
            "SerialNumber",
            {
                "Name": demo_asset.name,
                "SerialNumber": demo_asset.serial_number,
                "Status": "Installed",
                "Description": demo_asset.product,
                "AccountId": accounts.get(demo_asset.account),
            },
        )
    for sobject, key, demos in (
        ("Opportunity", "Name", DEMO_OPPORTUNITIES),
        ("Case", "Subject", DEMO_CASES),
    ):
        for row in demos:
            values = {name: value for name, value in row.items() if name != "account"}
            _seed_record(
                org,
                owner,
                sobject,
                key,
                {**values, "AccountId": accounts.get(str(row["account"]))},
            )
    if not SigningKey.objects.filter(retired_at__isnull=True).exists():
        create_signing_key()
    return org


def _seed_record(
    org: Org, owner: OrgUser | None, sobject: str, key: str, values: dict[str, object]
) -> Record:
    """The seeded record whose `key` field has that value, created if missing."""
    found = Record.objects.filter(
        org=org, sobject=sobject, seeded=True, **{f"fields__{key}": values[key]}
    ).first()
    if found is not None:
        return found
    prefix = SOBJECTS[sobject].key_prefix
    fields = {**values, "OwnerId": owner.record_id if owner is not None else None}
    return Record.objects.create(
        org=org,
        sobject=sobject,
        record_id=ids.new_record_id(prefix),
        fields=fields,
        seeded=True,
        created_by=owner,
        last_modified_by=owner,
    )
