/**
 * A real browser for page tests: headless Chromium from the Debian packages, driven by Selenium.
 */
package dev.tether.testing.browser;
