"""Which Host and Origin values an HTTP server answers to, derived from --public-url, the bind
address and the settings (pure: no server needed)."""

from __future__ import annotations

import pytest

from flexos_mcp.config import Config, ConfigError
from flexos_mcp.server.http_app import HostPolicy, HttpOptions, check_public_url


def _policy(host: str, port: int, public_url: str = "", **settings) -> HostPolicy:
    return HostPolicy.derive(HttpOptions(host=host, port=port, public_url=public_url), Config(**settings))


def test_a_wildcard_bind_answers_to_its_public_name_and_loopback_only():
    policy = _policy("0.0.0.0", 8000, "https://flexos.example.com")
    assert policy.hosts == (
        "flexos.example.com",
        "flexos.example.com:443",
        "localhost:8000",
        "127.0.0.1:8000",
        "[::1]:8000",
    )
    assert policy.origins[0] == "https://flexos.example.com"
    assert not policy.allows_host("10.0.0.5:8000") and not policy.allows_host("evil.example")


def test_a_public_url_with_a_port_and_a_specific_bind_address():
    policy = _policy("10.0.0.5", 8080, "http://flexos.lan:8080/")
    assert policy.hosts == ("flexos.lan:8080", "10.0.0.5:8080")
    assert policy.origins == ("http://flexos.lan:8080", "http://10.0.0.5:8080")
    assert (
        HttpOptions(host="10.0.0.5", port=8080, public_url="http://flexos.lan:8080").metadata_url
        == "http://flexos.lan:8080/.well-known/oauth-protected-resource/mcp"
    )


def test_without_a_public_url_a_wildcard_bind_is_reached_as_localhost():
    options = HttpOptions(host="::", port=9000)
    assert options.resource_url == "http://localhost:9000/mcp"
    assert "localhost:9000" in _policy("::", 9000).hosts


def test_extra_names_with_port_wildcards():
    policy = _policy(
        "0.0.0.0",
        8000,
        allowed_hosts=("flexos.internal:*", "Proxy:8443"),
        allowed_origins=("https://app.example.com/",),
    )
    assert policy.allows_host("flexos.internal:31337") and policy.allows_host("proxy:8443")
    assert not policy.allows_host("flexos.internal:") and not policy.allows_host("flexos.internal.evil:1")
    assert "https://app.example.com" in policy.origins


@pytest.mark.parametrize("url", ["ftp://x.example", "flexos.example.com", "https://x.example/?a=1", "https://"])
def test_a_bad_public_url_is_refused(url):
    with pytest.raises(ValueError, match="must be an http"):
        check_public_url(url)


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"FLEXOS_DB_TIMEOUT_S": "0"}, "positive number of seconds"),
        ({"FLEXOS_DB_TIMEOUT_S": "soon"}, "positive number of seconds"),
        ({"FLEXOS_ALLOWED_HOSTS": "a.example, ,b.example"}, "malformed"),
        ({"FLEXOS_MAX_REQUESTS_PER_TOKEN": "0"}, "positive whole number"),
    ],
)
def test_bad_http_settings_are_refused_clearly(env, fragment):
    with pytest.raises(ConfigError, match=fragment):
        Config.from_env(env)


def test_http_settings_are_read():
    config = Config.from_env(
        {
            "FLEXOS_DB_TIMEOUT_S": "2.5",
            "FLEXOS_ALLOWED_HOSTS": "a.example:*, b.example",
            "FLEXOS_ALLOWED_ORIGINS": "https://c.example",
            "FLEXOS_MAX_REQUESTS_PER_TOKEN": "3",
        }
    )
    assert config.db_timeout_s == 2.5 and config.allowed_hosts == ("a.example:*", "b.example")
    assert config.allowed_origins == ("https://c.example",) and config.max_requests_per_token == 3
