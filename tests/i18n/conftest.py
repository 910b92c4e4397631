"""The English interface's tests (issue 24) use the security suite's world: a tenant with every role."""

from tests.security.conftest import clients, storage  # noqa: F401  (fixtures of the crawl)
