from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from fnmatch import fnmatch
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Page, expect

from config.settings import BASE_DIR

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy")


def _named_urls_without_arguments(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_urls_without_arguments(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups:
            yield f"{namespace}{entry.name}"


# The rooms and what each may not import (ARCHITECTURE.md). The org is an ordinary server that
# does not know it is watched; the advisor's domain is plain Python; pki serves both sides.
FORBIDDEN_IMPORTS = {
    "org": ("playground", "advisor"),
    "pki": ("org", "playground", "advisor", "django"),
}
# The advisor's Django edge: everything else in advisor/ is its domain.
ADVISOR_DJANGO_MODULES = {"apps.py", "urls.py", "views.py"}


def _imports(path, root):
    """Every import in a file, at the top or inside a function, absolute or relative: the module
    it names and the names it takes from that module (`from a import b` may import `a.b`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module, tuple(alias.name for alias in node.names)


def _imported_modules(path, root):
    """Every module a file imports, at the top or inside a function, absolute or relative."""
    return (module for module, _names in _imports(path, root))


def _boundary_breaches(room, forbidden, *, skip=frozenset(), root=BASE_DIR):
    for path in sorted((root / room).rglob("*.py")):
        if path.name in skip or "migrations" in path.parts:
            continue
        for module in sorted(_imported_modules(path, root)):
            if module.split(".")[0] in forbidden:
                yield f"{path.relative_to(root)} imports {module}"


@pytest.mark.parametrize("room", sorted(FORBIDDEN_IMPORTS))
def test_room_imports_nothing_it_must_not(room):
    assert list(_boundary_breaches(room, FORBIDDEN_IMPORTS[room])) == []


def test_advisor_domain_modules_import_nothing_from_django():
    breaches = _boundary_breaches("advisor", ("django",), skip=ADVISOR_DJANGO_MODULES)

    assert list(breaches) == []


def test_boundary_check_sees_imports_inside_functions_and_relative_ones(tmp_path):
    (tmp_path / "org" / "inner").mkdir(parents=True)
    (tmp_path / "org" / "inner" / "sample.py").write_text(
        "def late():\n    from playground import views\n\nfrom ...advisor import rules\n"
    )

    breaches = list(_boundary_breaches("org", FORBIDDEN_IMPORTS["org"], root=tmp_path))

    assert breaches == [
        "org/inner/sample.py imports advisor",
        "org/inner/sample.py imports playground",
    ]


# House rules (ARCHITECTURE.md): small modules, thin views.
MAX_MODULE_LINES = 750
MAX_VIEW_LINES = 30
CODE_ROOMS = ("advisor", "config", "org", "pki", "playground")


def _code_modules():
    for room in CODE_ROOMS:
        for path in sorted((BASE_DIR / room).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_over_the_house_limit():
    too_long = {
        str(path.relative_to(BASE_DIR)): lines
        for path in _code_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }

    assert too_long == {}


# Django's {# #} comment is one line only: a multi-line one is printed into the page as text,
# where it can even become a grid item and push a layout's columns apart.
MULTI_LINE_COMMENT = re.compile(r"\{#(?:(?!#\}).)*\n")


def test_no_template_has_a_multi_line_short_comment():
    printed = {
        str(path.relative_to(BASE_DIR)): match.group(0)
        for path in sorted((BASE_DIR / "templates").rglob("*.html"))
        if (match := MULTI_LINE_COMMENT.search(path.read_text()))
    }

    assert printed == {}


def test_no_view_function_is_over_the_house_limit():
    too_long = {}
    for path in _code_modules():
        if path.name != "views.py":
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                # From `def` to the last line of the body; decorators do not count.
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_VIEW_LINES:
                    too_long[f"{path.relative_to(BASE_DIR)}:{node.name}"] = lines

    assert too_long == {}


# Every module is imported by another (entry points aside). Strings count as imports, since
# ROOT_URLCONF, WSGI_APPLICATION, include("org.urls") and handler500 name modules that Django
# imports. What nothing names in the code: the settings the process runs with, the ASGI entry
# point an ASGI server is given, and what Django finds in each installed app by convention.
APP_MODULES_LOADED_BY_NAME = ("apps", "models", "admin", "management.commands.*", "templatetags.*")


def _loaded_by_name():
    from django.conf import settings

    yield from (settings.SETTINGS_MODULE, "config.asgi")
    for app in settings.INSTALLED_APPS:
        if app.split(".")[0] in CODE_ROOMS:
            yield from (f"{app}.{module}" for module in APP_MODULES_LOADED_BY_NAME)


def _module_name(path, root):
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _names_used(path, root, rooms):
    """Every module name in the rooms that a file imports or may import, or holds as a string."""
    names = []
    for module, taken in _imports(path, root):
        names += [module, *(f"{module}.{name}" for name in taken)]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.append(node.value)
    return {name for name in names if name.split(".")[0] in rooms}


def _modules_imported_by_nothing(loaded_by_name, *, root=BASE_DIR, rooms=CODE_ROOMS):
    files = [path for room in rooms for path in sorted((root / room).rglob("*.py"))]
    # Migrations may import a module (a field's default); nothing imports a migration.
    modules = [_module_name(path, root) for path in files if "migrations" not in path.parts]
    used = [
        (_module_name(path, root), name)
        for path in files
        for name in _names_used(path, root, rooms)
    ]
    used += [
        ("django", module)
        for module in modules
        if any(fnmatch(module, pattern) for pattern in loaded_by_name)
    ]
    for module in modules:
        # A package runs when any module in it does; no module counts as its own user.
        if not any(
            user != module and (name == module or name.startswith(module + "."))
            for user, name in used
        ):
            yield module


def test_every_module_is_imported_by_another_or_loaded_by_name():
    assert list(_modules_imported_by_nothing(list(_loaded_by_name()))) == []


def test_unused_module_check_sees_from_imports_strings_and_migrations(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/apps.py": 'URLCONF = "app.urls"\n',
        "app/urls.py": "def late():\n    from .views import page\n",
        "app/views.py": "from app import forms\n",
        "app/forms.py": "",
        "app/defaults.py": "",
        "app/migrations/0001_initial.py": "import app.defaults\n",
        "app/unused.py": "import app.unused\n",
        "app/island/__init__.py": "",
        "app/island/lonely.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    unused = _modules_imported_by_nothing(["app.apps"], root=tmp_path, rooms=("app",))

    assert list(unused) == ["app.island", "app.island.lonely", "app.unused"]


def test_no_pending_migrations(db):
    out = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(_named_urls_without_arguments()))
def test_every_named_url_answers_without_error(client, name):
    response = client.get(reverse(name))

    # POST-only endpoints say 405; pages that need a session may redirect; none may fail.
    assert response.status_code in {200, 302, 400, 401, 405}, response.content[:500]
    if response.headers.get("Content-Type", "").startswith("text/html"):
        for header in SECURITY_HEADERS:
            assert header in response.headers, f"{name} lacks {header}"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_g2_html_pages_carry_the_security_headers(client):
    response = client.get(reverse("home"))

    for header in SECURITY_HEADERS:
        assert header in response.headers
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "frame-ancestors 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w+/=-]+'", csp)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


PRODUCTION_SECURITY_SETTINGS = """
from django.conf import settings as s
print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT)
print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,
      s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE)
"""


def test_g2_g3_production_sends_hsts_and_host_only_secure_cookies():
    result = _run_manage(
        "shell", "--no-imports", "-c", PRODUCTION_SECURITY_SETTINGS, env_extra=PRODUCTION_ENV
    )

    assert result.returncode == 0, result.stderr
    hsts, cookies = result.stdout.strip().splitlines()[-2:]
    assert hsts == "31536000 True True"
    assert cookies == "__Host-sessionid True True Lax __Host-csrftoken True"


@pytest.mark.django_db
def test_g5_unknown_page_is_a_friendly_404_that_leaks_nothing(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Traceback" not in body
    assert "settings" not in body


def _run_manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-like-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "handshake.example",
    "HANDSHAKE_BASE_URL": "https://handshake.example",
}


def test_g1_deploy_check_is_clean_with_production_settings():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_missing_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}

    result = _run_manage("check", env_extra=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_bad_setting_value_fails_with_a_clear_message():
    result = _run_manage("check", env_extra={**PRODUCTION_ENV, "DJANGO_DEBUG": "maybe"})

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false, not 'maybe'" in result.stderr


def _record_foreign_requests(page: Page, site: str, into: list[str]) -> None:
    """Note in `into` every URL the page asks another origin for (data: URLs stay local)."""
    origin = urlsplit(site).netloc
    page.on(
        "request",
        lambda request: (
            into.append(request.url)
            if urlsplit(request.url).netloc not in {origin, ""}
            and not request.url.startswith("data:")
            else None
        ),
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_page_shows_its_heading_and_its_links_work(live_server, page: Page):
    foreign_requests: list[str] = []
    _record_foreign_requests(page, live_server.url, foreign_requests)

    page.goto(live_server.url + "/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Pick the right integration")
    page.get_by_role("link", name="Open the advisor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("advisor", re.I))
    page.get_by_role("link", name="Handshake home").click()
    page.get_by_role("link", name="Open the playground").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("playground", re.I))
    assert foreign_requests == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_load_nothing_from_another_origin_and_break_no_csp_rule(live_server, page: Page):
    problems: list[str] = []
    # Endpoints that answer 4xx by design (POST-only, bearer-only) log "Failed to load
    # resource"; only a blocked script or style — a CSP violation — is a problem here.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    _record_foreign_requests(page, live_server.url, problems)

    for name in sorted(_named_urls_without_arguments()):
        url = live_server.url + reverse(name)
        # A download (the decision record's zip) renders nothing a CSP could block.
        if "attachment" in page.request.get(url).headers.get("content-disposition", ""):
            continue
        response = page.goto(url)
        assert response is not None

    assert problems == []
