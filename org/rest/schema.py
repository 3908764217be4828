"""The sObjects the org serves, as data: each object's name, key prefix and fields, with the
attributes describe reports (type, length, nillable, createable, updateable, picklists…)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Field types as describe names them; soapType is what the SOAP API would call each.
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "string": "xsd:string",
    "textarea": "xsd:string",
    "phone": "xsd:string",
    "url": "xsd:string",
    "email": "xsd:string",
    "picklist": "xsd:string",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}
TEXT_TYPES = frozenset({"string", "textarea", "phone", "url", "email", "picklist"})
NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    length: int = 0
    required: bool = False  # not nillable: a create must set it, an update may not clear it
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    default: str | None = None  # a picklist's default value
    picklist: tuple[str, ...] = ()
    reference_to: str = ""  # the sObject (or "User") a reference field points at
    relationship_name: str = ""

    @property
    def nillable(self) -> bool:
        return not self.required and self.type not in {"id", "boolean"}

    @property
    def writable(self) -> bool:
        return self.createable or self.updateable


def _text(name: str, label: str, length: int, **options: object) -> Field:
    return Field(name, label, "string", length, **options)  # type: ignore[arg-type]


def _picklist(name: str, label: str, values: tuple[str, ...], **options: object) -> Field:
    return Field(name, label, "picklist", 255, picklist=values, **options)  # type: ignore[arg-type]


def _reference(name: str, label: str, target: str, relationship: str) -> Field:
    return Field(name, label, "reference", 18, reference_to=target, relationship_name=relationship)


def _system(name: str, label: str, kind: str, *, to: str = "", relationship: str = "") -> Field:
    return Field(
        name,
        label,
        kind,
        18 if kind in {"id", "reference"} else 0,
        required=True,
        createable=False,
        updateable=False,
        defaulted_on_create=True,
        reference_to=to,
        relationship_name=relationship,
    )


# Every object has these; the record store sets them, a client never does.
SYSTEM_FIELDS: tuple[Field, ...] = (
    _system("IsDeleted", "Deleted", "boolean"),
    _system("CreatedDate", "Created Date", "datetime"),
    _system("CreatedById", "Created By ID", "reference", to="User", relationship="CreatedBy"),
    _system("LastModifiedDate", "Last Modified Date", "datetime"),
    _system(
        "LastModifiedById",
        "Last Modified By ID",
        "reference",
        to="User",
        relationship="LastModifiedBy",
    ),
    _system("SystemModstamp", "System Modstamp", "datetime"),
)
OWNER = Field(
    "OwnerId",
    "Owner ID",
    "reference",
    18,
    required=True,
    defaulted_on_create=True,
    reference_to="User",
    relationship_name="Owner",
)


@dataclass(frozen=True)
class SObject:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    own_fields: tuple[Field, ...]
    fields: tuple[Field, ...] = field(init=False)

    def __post_init__(self) -> None:
        identity = Field(
            "Id",
            f"{self.label} ID",
            "id",
            18,
            required=True,
            createable=False,
            updateable=False,
            defaulted_on_create=True,
        )
        object.__setattr__(self, "fields", (identity, *self.own_fields, OWNER, *SYSTEM_FIELDS))

    def field(self, name: str) -> Field | None:
        """The field of that name, as SOQL and the REST API match them: ignoring case."""
        lowered = name.lower()
        return next((f for f in self.fields if f.name.lower() == lowered), None)

    @property
    def name_field(self) -> str:
        return "CaseNumber" if self.name == "Case" else "Name"


_INDUSTRIES = (
    "Agriculture", "Banking", "Chemicals", "Communications", "Construction", "Consulting",
    "Education", "Electronics", "Energy", "Engineering", "Finance", "Government", "Healthcare",
    "Insurance", "Manufacturing", "Media", "Retail", "Technology", "Transportation", "Utilities",
    "Other",
)  # fmt: skip
_ACCOUNT_TYPES = (
    "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller",
    "Installation Partner", "Technology Partner", "Partner", "Other",
)  # fmt: skip
_LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
_STAGES = (
    "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
    "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
    "Negotiation/Review", "Closed Won", "Closed Lost",
)  # fmt: skip

ACCOUNT = SObject(
    "Account",
    "Account",
    "Accounts",
    "001",
    (
        _text("Name", "Account Name", 255, required=True),
        _text("AccountNumber", "Account Number", 40),
        _picklist("Type", "Account Type", _ACCOUNT_TYPES),
        _picklist("Industry", "Industry", _INDUSTRIES),
        _picklist("Rating", "Account Rating", ("Hot", "Warm", "Cold")),
        Field("Phone", "Account Phone", "phone", 40),
        Field("Website", "Website", "url", 255),
        Field("Description", "Account Description", "textarea", 32000),
        Field("BillingStreet", "Billing Street", "textarea", 255),
        _text("BillingCity", "Billing City", 40),
        _text("BillingState", "Billing State/Province", 80),
        _text("BillingPostalCode", "Billing Zip/Postal Code", 20),
        _text("BillingCountry", "Billing Country", 80),
        Field("NumberOfEmployees", "Employees", "int"),
        Field("AnnualRevenue", "Annual Revenue", "currency"),
        _reference("ParentId", "Parent Account ID", "Account", "Parent"),
    ),
)
CONTACT = SObject(
    "Contact",
    "Contact",
    "Contacts",
    "003",
    (
        _picklist("Salutation", "Salutation", ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
        _text("FirstName", "First Name", 40),
        _text("LastName", "Last Name", 80, required=True),
        # Salesforce composes the full name; a client never writes it.
        _text(
            "Name",
            "Full Name",
            121,
            required=True,
            createable=False,
            updateable=False,
            defaulted_on_create=True,
        ),  # fmt: skip
        _reference("AccountId", "Account ID", "Account", "Account"),
        _text("Title", "Title", 128),
        _text("Department", "Department", 80),
        Field("Email", "Email", "email", 80),
        Field("Phone", "Business Phone", "phone", 40),
        Field("MobilePhone", "Mobile Phone", "phone", 40),
        Field("Birthdate", "Birthdate", "date"),
        _text("MailingCity", "Mailing City", 40),
        _text("MailingCountry", "Mailing Country", 80),
        _picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
        Field("Description", "Contact Description", "textarea", 32000),
    ),
)
ASSET = SObject(
    "Asset",
    "Asset",
    "Assets",
    "02i",
    (
        _text("Name", "Asset Name", 255, required=True),
        _text("SerialNumber", "Serial Number", 80),
        _picklist(
            "Status", "Status", ("Purchased", "Shipped", "Installed", "Registered", "Obsolete")
        ),
        _reference("AccountId", "Account ID", "Account", "Account"),
        _reference("ContactId", "Contact ID", "Contact", "Contact"),
        Field("InstallDate", "Install Date", "date"),
        Field("PurchaseDate", "Purchase Date", "date"),
        Field("Quantity", "Quantity", "double"),
        Field("Price", "Price", "currency"),
        Field("Description", "Description", "textarea", 32000),
    ),
)
OPPORTUNITY = SObject(
    "Opportunity",
    "Opportunity",
    "Opportunities",
    "006",
    (
        _text("Name", "Name", 120, required=True),
        _reference("AccountId", "Account ID", "Account", "Account"),
        _picklist("StageName", "Stage", _STAGES, required=True),
        Field("CloseDate", "Close Date", "date", required=True),
        Field("Amount", "Amount", "currency"),
        Field("Probability", "Probability (%)", "percent"),
        _picklist(
            "Type",
            "Opportunity Type",
            (
                "New Customer",
                "Existing Customer - Upgrade",
                "Existing Customer - Replacement",
                "Existing Customer - Downgrade",
            ),
        ),  # fmt: skip
        _picklist("LeadSource", "Lead Source", _LEAD_SOURCES),
        _text("NextStep", "Next Step", 255),
        Field("Description", "Description", "textarea", 32000),
    ),
)
CASE = SObject(
    "Case",
    "Case",
    "Cases",
    "500",
    (
        # An auto-number: the record store gives each case the next one.
        _text(
            "CaseNumber",
            "Case Number",
            30,
            required=True,
            createable=False,
            updateable=False,
            defaulted_on_create=True,
        ),  # fmt: skip
        _text("Subject", "Subject", 255),
        Field("Description", "Description", "textarea", 32000),
        _picklist(
            "Status",
            "Status",
            ("New", "Working", "Escalated", "Closed"),
            defaulted_on_create=True,
            default="New",
        ),  # fmt: skip
        _picklist(
            "Priority",
            "Priority",
            ("High", "Medium", "Low"),
            defaulted_on_create=True,
            default="Medium",
        ),  # fmt: skip
        _picklist("Origin", "Case Origin", ("Phone", "Email", "Web")),
        _picklist("Type", "Case Type", ("Problem", "Feature Request", "Question")),
        _text("Reason", "Case Reason", 255),
        _reference("AccountId", "Account ID", "Account", "Account"),
        _reference("ContactId", "Contact ID", "Contact", "Contact"),
        _reference("AssetId", "Asset ID", "Asset", "Asset"),
        Field("SuppliedEmail", "Web Email", "email", 80),
        _text("SuppliedName", "Web Name", 80),
    ),
)

SOBJECTS: dict[str, SObject] = {s.name: s for s in (ACCOUNT, CONTACT, ASSET, OPPORTUNITY, CASE)}
BY_PREFIX: dict[str, SObject] = {s.key_prefix: s for s in SOBJECTS.values()}


def sobject_named(name: str) -> SObject | None:
    """The object of that name, ignoring case as Salesforce does."""
    lowered = name.lower()
    return next((s for s in SOBJECTS.values() if s.name.lower() == lowered), None)
