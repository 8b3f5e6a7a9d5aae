"""Django settings, all from the environment.

DATABASE_URL         default sqlite:///var/neighbourhood.sqlite3 (PostgreSQL in production, through psycopg 3)
NEIGHBOURHOOD_DATA   the Parquet data directory, default var/lake
NEIGHBOURHOOD_VAR    where local state lives, default ./var
SECRET_KEY           required when NEIGHBOURHOOD_ENV=production; otherwise generated once into var/secret_key
DEBUG                off unless DEBUG=1
ALLOWED_HOSTS        comma-separated, default 127.0.0.1,localhost
NEIGHBOURHOOD_IDLE_MINUTES           a session ends after this long without a request, default 30
NEIGHBOURHOOD_SESSION_MAX_HOURS      and this long after signing in, however busy, default 8
AXES_FAILURE_LIMIT                   failed sign-ins that lock a username at one address, default 5
NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT  failed sign-ins, any usernames, that lock an address, default 30
NEIGHBOURHOOD_TRUSTED_PROXIES        reverse proxies in front of the app, each appending to X-Forwarded-For
                                     and setting X-Forwarded-Proto; default 0: the client is REMOTE_ADDR
NEIGHBOURHOOD_SSL_REDIRECT           in production, 0 when the TLS-terminating proxy redirects to HTTPS itself
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("NEIGHBOURHOOD_VAR", "var")).resolve()
DATA_DIR = Path(os.environ.get("NEIGHBOURHOOD_DATA", VAR_DIR / "lake")).resolve()
PRODUCTION = os.environ.get("NEIGHBOURHOOD_ENV", "").lower() == "production"
DEBUG = os.environ.get("DEBUG", "").lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when NEIGHBOURHOOD_ENV=production")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # /api/docs: django-ninja serves Swagger UI from its own static files instead of a CDN
    "neighbourhood.web",
    "neighbourhood.governance",
    "neighbourhood.register",
    "neighbourhood.synth",
    "neighbourhood.casefinding",
    "neighbourhood.care",
    "neighbourhood.referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "neighbourhood.web.middleware.LoginRequiredForPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "neighbourhood.web.sessions.AbsoluteSessionLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "neighbourhood.urls"
WSGI_APPLICATION = "neighbourhood.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "neighbourhood.jinja2_env.environment"},
    },
    {
        # Django's own admin pages still use the Django template language.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'neighbourhood.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "governance.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, except that demo accounts cannot sign in when NEIGHBOURHOOD_ENV=production.
    "neighbourhood.governance.backends.StaffBackend",
]
# Failed sign-ins lock a username at one address, and an address for every username, each for 15 minutes after
# the latest failure; governance/lockout.py says why both, and why the address limit is higher.
AXES_HANDLER = "neighbourhood.governance.lockout.AddressAwareHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT = int(os.environ.get("NEIGHBOURHOOD_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = 0.25  # hours
# An attempt refused by a lock is not counted: it neither prolongs the lock nor, retried by someone locked out
# of their own account, adds up to a lock on everyone at their address.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# django-ipware is not installed, so axes would read REMOTE_ADDR; this reads X-Forwarded-For only as far as
# the trusted proxies go.
AXES_CLIENT_IP_CALLABLE = "neighbourhood.governance.lockout.client_address"
NEIGHBOURHOOD_TRUSTED_PROXIES = int(os.environ.get("NEIGHBOURHOOD_TRUSTED_PROXIES", "0"))
AXES_LOCKOUT_CALLABLE = "neighbourhood.governance.lockout.locked_out"
AXES_VERBOSE = False

# Break-glass: how long emergency access to one record lasts before it has to be asked for again.
EMERGENCY_ACCESS_HOURS = float(os.environ.get("NEIGHBOURHOOD_EMERGENCY_ACCESS_HOURS", "4"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Two-factor sign-in (django-otp): after a wrong code, each device waits 1, 2, 4, 8… seconds before it checks
# another. The authenticator app shows this issuer's name next to the account.
OTP_TOTP_ISSUER = "Neighbourhood"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret or its QR code

# A session ends after NEIGHBOURHOOD_IDLE_MINUTES without a request (each request moves its expiry on), and
# NEIGHBOURHOOD_SESSION_MAX_HOURS after signing in: web/sessions.py. Pages warn two minutes before the first.
SESSION_COOKIE_AGE = int(os.environ.get("NEIGHBOURHOOD_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
NEIGHBOURHOOD_IDLE_WARNING_SECONDS = 120
NEIGHBOURHOOD_SESSION_MAX_SECONDS = int(float(os.environ.get("NEIGHBOURHOOD_SESSION_MAX_HOURS", "8")) * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True  # forms carry the token; htmx only GETs; session-timeout.js has it in the page

# Security headers. Nothing is loaded from another host, and no inline script or style runs: the one inline
# script, NHS.UK frontend's `js-enabled` line in nhsuk/template.jinja, carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production: HSTS for a year (SecurityMiddleware sends it on HTTPS responses only), and plain
# HTTP redirected, unless the TLS-terminating proxy redirects itself (NEIGHBOURHOOD_SSL_REDIRECT=0).
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and os.environ.get("NEIGHBOURHOOD_SSL_REDIRECT", "1") != "0"
if PRODUCTION and not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS = ["security.W008"]  # the proxy redirects to HTTPS
if NEIGHBOURHOOD_TRUSTED_PROXIES:
    # The trusted proxy says whether the client's request was HTTPS; it must overwrite what a client sends.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing STATIC_ROOT
WHITENOISE_USE_FINDERS = True  # serve straight from the app folders: no collectstatic step for the demo
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_nhs_numbers": {"()": "neighbourhood.logfilters.RedactNHSNumbers"},
        "one_line_refusals": {"()": "neighbourhood.logfilters.OneLineRefusals"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_nhs_numbers", "one_line_refusals"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
