"""The core's tests read the agent's sentences from the real English catalog, as the
toolbar does before any other language is installed (catalogs.use)."""

import pytest
from catalogs import use


@pytest.fixture(autouse=True)
def english():
    """Every test starts in English; one that switches language cannot leak it."""
    use("en")
    yield
    use("en")
