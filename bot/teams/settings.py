"""Settings of the Microsoft Teams channel, read from the environment (see docs/teams.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# Microsoft's public-cloud endpoints. Tests and sovereign clouds point these elsewhere.
DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_LOGIN_URL = "https://login.microsoftonline.com"
# The tenant "botframework.com" is the multi-tenant authority; a single-tenant app (what a
# ministry registers) must ask its own tenant for tokens.
DEFAULT_TENANT = "botframework.com"
# Teams' Bot Connector lives under this host in every public-cloud region (emea, fr, amer…).
DEFAULT_SERVICE_URL_PREFIXES = ("https://smba.trafficmanager.net/",)
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace(";", ",").split(",") if part.strip())


@dataclass(frozen=True)
class TeamsSettings:
    """What the Teams channel needs. An empty `app_id` means "not configured": every request
    is then refused (never "authentication disabled")."""

    app_id: str = ""
    app_password: str = ""
    tenant_id: str = DEFAULT_TENANT
    openid_metadata_url: str = DEFAULT_OPENID_METADATA_URL
    login_url: str = DEFAULT_LOGIN_URL
    service_url_prefixes: tuple[str, ...] = DEFAULT_SERVICE_URL_PREFIXES
    allowed_tenants: tuple[str, ...] = ()
    # The Azure Bot resource also opens Web Chat and Direct Line by default: only Teams is
    # served unless asked (the portal's "Test in Web Chat" needs "msteams,webchat").
    allowed_channels: tuple[str, ...] = ("msteams",)
    bot_name: str = "Assistant Achats Durables"

    @property
    def configured(self) -> bool:
        """True when an app id and a password are set."""
        return bool(self.app_id and self.app_password)

    @property
    def token_url(self) -> str:
        """The OAuth 2 token endpoint of the configured tenant."""
        return f"{self.login_url.rstrip('/')}/{self.tenant_id}/oauth2/v2.0/token"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TeamsSettings:
        """Read the `TEAMS_*` variables (documented in docs/teams.md)."""
        env = os.environ if environ is None else environ
        prefixes = env.get("TEAMS_SERVICE_URL_PREFIXES")
        return cls(
            app_id=env.get("TEAMS_APP_ID", "").strip(),
            app_password=env.get("TEAMS_APP_PASSWORD", ""),
            tenant_id=env.get("TEAMS_TENANT_ID", "").strip() or DEFAULT_TENANT,
            openid_metadata_url=env.get("TEAMS_OPENID_METADATA_URL", "").strip()
            or DEFAULT_OPENID_METADATA_URL,
            login_url=env.get("TEAMS_LOGIN_URL", "").strip() or DEFAULT_LOGIN_URL,
            service_url_prefixes=_split(prefixes)
            if prefixes is not None
            else DEFAULT_SERVICE_URL_PREFIXES,
            allowed_tenants=_split(env.get("TEAMS_ALLOWED_TENANTS", "")),
            allowed_channels=_split(env.get("TEAMS_ALLOWED_CHANNELS", "")) or ("msteams",),
            bot_name=env.get("TEAMS_BOT_NAME", "").strip() or cls.bot_name,
        )
