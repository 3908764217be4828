"""The demo org: one org, two demo users, demo Accounts, Contacts and Assets, a first
signing key.

Seeding is idempotent: it fills in what is missing and never touches what exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from org import ids
from org.keys import create_signing_key
from org.models import Account, Asset, Contact, Org, OrgUser, SigningKey

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
    for demo_account in DEMO_ACCOUNTS:
        account = Account.objects.filter(org=org, name=demo_account.name).first()
        if account is None:
            account = Account.objects.create(
                org=org,
                record_id=ids.new_record_id(ids.ACCOUNT_PREFIX),
                name=demo_account.name,
                account_type=demo_account.account_type,
                industry=demo_account.industry,
                phone=demo_account.phone,
                website=demo_account.website,
                billing_city=demo_account.city,
                billing_country=demo_account.country,
                number_of_employees=demo_account.employees,
            )
        for first, last, title, email in demo_account.contacts:
            if not Contact.objects.filter(org=org, email=email).exists():
                Contact.objects.create(
                    org=org,
                    record_id=ids.new_record_id(ids.CONTACT_PREFIX),
                    account=account,
                    first_name=first,
                    last_name=last,
                    title=title,
                    email=email,
                    phone=demo_account.phone,
                )
    for demo_asset in DEMO_ASSETS:
        if not Asset.objects.filter(serial_number=demo_asset.serial_number).exists():
            Asset.objects.create(
                org=org,
                record_id=ids.new_record_id(ids.ASSET_PREFIX),
                account=Account.objects.filter(org=org, name=demo_asset.account).first(),
                name=demo_asset.name,
                serial_number=demo_asset.serial_number,
                product=demo_asset.product,
            )
    if not SigningKey.objects.filter(retired_at__isnull=True).exists():
        create_signing_key()
    return org
