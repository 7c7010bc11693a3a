from laurel.browser_testing import browser, site

__all__ = ["browser", "site"]
